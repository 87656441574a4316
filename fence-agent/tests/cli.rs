//! The binary as Pacemaker and operators run it, without a BMC: help, metadata, aliases by
//! argv[0], parse errors, and that secrets never reach stderr or the debug file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use support::{OURS, free_udp_port, run_agent, temp_dir};

const SECRET: &str = "S3cr3t-pw-do-not-log";

#[test]
fn help_is_fence_ipmilans_with_our_name() {
    let out = run_agent(OURS, &["-h"], "");
    let golden = include_str!("data/fence_ipmilan-4.12.1-help.txt")
        .replace("fence_ipmilan [options]", "fence_ipmilan_rs [options]");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), golden);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn metadata_from_stdin_action() {
    let out = run_agent(OURS, &[], "action=metadata\n");
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\"?>\n<resource-agent name=\"fence_ipmilan_rs\""),
        "{xml}"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn alias_chosen_by_argv0() {
    let dir = temp_dir("alias");
    let link = dir.join("fence_ilo3_rs");
    std::os::unix::fs::symlink(OURS, &link).unwrap();
    let out = run_agent(link.to_str().unwrap(), &["-o", "metadata"], "");
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.contains("<resource-agent name=\"fence_ilo3_rs\""));
    let lanplus = xml.split("name=\"lanplus\"").nth(1).unwrap();
    assert!(
        lanplus
            .split("</parameter>")
            .next()
            .unwrap()
            .contains("default=\"1\"")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn parse_errors_look_like_fencing_pys() {
    let out = run_agent(OURS, &["-Z"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "ERROR:root:Parse error: option -Z not recognized\n\nERROR:root:Please use '-h' for usage\n\n"
    );
}

#[test]
fn secrets_never_reach_stderr_or_the_debug_file() {
    let dir = temp_dir("secret");
    let debug = dir.join("debug.log");
    let port = free_udp_port().to_string();
    let args = [
        "-a",
        "127.0.0.1",
        "-u",
        &port,
        "-l",
        "admin",
        "-p",
        SECRET,
        "-P",
        "-vvv",
        "-D",
        debug.to_str().unwrap(),
        "-o",
        "status",
    ];
    let out = run_agent(OURS, &args, "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let logged = std::fs::read_to_string(&debug).unwrap();
    assert!(
        stderr.contains("Connection timed out") && logged.contains("Connection timed out"),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET) && !logged.contains(SECRET));
    let stdin = format!(
        "ip=127.0.0.1\nipport={port}\npasswrd={SECRET}\npassword={SECRET}\nverbose=1\naction=status\n"
    );
    let out = run_agent(OURS, &[], &stdin);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("Ignoring unknown option 'passwrd'"),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn password_script_is_run() {
    let dir = temp_dir("script");
    let marker = dir.join("ran");
    let script = format!("touch {} && echo {SECRET}", marker.display());
    let port = free_udp_port().to_string();
    let out = run_agent(
        OURS,
        &[
            "-a",
            "127.0.0.1",
            "-u",
            &port,
            "-S",
            &script,
            "-o",
            "status",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(marker.exists());
    assert!(!String::from_utf8(out.stderr).unwrap().contains(SECRET));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn validate_all_and_unsupported_target() {
    let out = run_agent(OURS, &["-a", "bmc", "-o", "validate-all"], "");
    assert_eq!(out.status.code(), Some(0));
    let out = run_agent(OURS, &["-a", "bmc", "--target", "0x82", "-o", "status"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("--target (IPMI bridging) is not supported")
    );
}
