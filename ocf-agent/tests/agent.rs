//! The agent against the real masakari-hostmonitor (sockets, state and logs in a temporary
//! directory; the Masakari endpoint unreachable; no cluster): ocf-tester, exit codes, exit reasons.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::process::Command;

use support::{AGENT, Sandbox, stderr};

const NOT_RUNNING: i32 = 7;

#[test]
fn ocf_tester_passes() {
    let text = Sandbox::new().ocf_tester();
    assert!(text.contains("passed all tests"), "{text}");
}

#[test]
fn lifecycle_is_idempotent() {
    let s = Sandbox::new();
    assert_eq!(s.code("monitor", &[]), NOT_RUNNING);
    assert_eq!(s.code("stop", &[]), 0);
    assert_eq!(s.code("start", &[]), 0);
    assert_eq!(s.code("start", &[]), 0);
    assert_eq!(s.code("monitor", &[]), 0);
    let pid_file = s.dir.join("rsctmp/masakari-hostmonitor-hm.pid");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    // A reloadable attribute changes without touching the daemon.
    assert_eq!(
        s.code("reload-agent", &[("OCF_RESKEY_api_check", "fail")]),
        0
    );
    assert_eq!(std::fs::read_to_string(&pid_file).unwrap(), pid);
    assert_eq!(s.code("stop", &[]), 0);
    assert!(!pid_file.exists());
    let pid = pid.lines().next().unwrap();
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/cmdline")).exists() || {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            !String::from_utf8_lossy(&cmdline).contains("masakari-hostmonitor")
        }
    );
    assert_eq!(s.code("monitor", &[]), NOT_RUNNING);
    assert_eq!(s.code("stop", &[]), 0);
}

#[test]
fn a_killed_daemon_is_not_running_and_restarts() {
    let s = Sandbox::new();
    assert_eq!(s.code("start", &[]), 0);
    s.kill_daemon();
    assert_eq!(
        s.code("start", &[]),
        0,
        "a stale socket must not stop a restart"
    );
    assert_eq!(s.code("monitor", &[]), 0);
}

#[test]
fn deep_monitors_report_what_the_daemon_knows() {
    let s = Sandbox::new();
    assert_eq!(s.code("start", &[]), 0);
    // No cluster here: once the daemon has tried crm_mon, level 10 fails and says why.
    let out = s
        .monitor_until(1, &[("OCF_CHECK_LEVEL", "10")])
        .expect("level 10 never failed without a cluster");
    assert!(
        stderr(&out).contains("ocf-exit-reason:masakari-hostmonitor cannot read the cluster state"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.code("monitor", &[("OCF_CHECK_LEVEL", "0")]), 0);
    let bad = s.run("monitor", &[("OCF_CHECK_LEVEL", "deep")]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn bad_parameters_name_themselves() {
    let s = Sandbox::new();
    let cases: &[(&str, &str, i32, &str)] = &[
        (
            "OCF_RESKEY_fence_timeout",
            "soon",
            6,
            "parameter fence_timeout=",
        ),
        (
            "OCF_RESKEY_fence_timeout",
            "0",
            6,
            "parameter fence_timeout (monitor.fence_timeout)",
        ),
        (
            "OCF_RESKEY_masakari_endpoint",
            "ftp://x",
            6,
            "parameter masakari_endpoint (masakari.endpoint)",
        ),
        (
            "OCF_RESKEY_on_fence_failure",
            "shrug",
            6,
            "parameter on_fence_failure=",
        ),
        ("OCF_RESKEY_run_dir", "run", 6, "parameter run_dir="),
        (
            "OCF_RESKEY_binary",
            "/nonexistent/masakari-hostmonitor",
            5,
            "parameter binary:",
        ),
        (
            "OCF_RESKEY_config",
            "/nonexistent/hostmonitor.toml",
            5,
            "parameter config:",
        ),
    ];
    s.assert_refused(cases);
}

#[test]
fn a_running_daemon_stops_after_an_attribute_turned_bad() {
    let s = Sandbox::new();
    assert_eq!(s.code("start", &[]), 0);
    let bad = [
        ("OCF_RESKEY_fence_timeout", "soon"),
        ("OCF_RESKEY_api_check", "loud"),
    ];
    assert_eq!(s.code("validate-all", &bad), 6);
    assert_eq!(s.code("monitor", &bad), 0);
    assert_eq!(s.code("stop", &bad), 0);
    assert_eq!(s.code("monitor", &[]), NOT_RUNNING);
}

#[test]
fn a_bad_configuration_file_is_err_configured() {
    let s = Sandbox::new();
    let config = s.dir.join("hostmonitor.toml");
    std::fs::write(&config, "[monitor]\nreconcile_intervall = 5\n").unwrap();
    let out = s.run("validate-all", &[]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reconcile_intervall"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn probes_succeed_without_the_daemon_installed() {
    let s = Sandbox::new();
    let extra = [
        ("OCF_RESKEY_binary", "/nonexistent/masakari-hostmonitor"),
        ("OCF_RESKEY_CRM_meta_interval", "0"),
    ];
    assert_eq!(s.code("monitor", &extra), NOT_RUNNING);
    assert_eq!(s.code("stop", &extra), 0);
}

#[test]
fn unknown_actions_and_usage() {
    let s = Sandbox::new();
    assert_eq!(s.code("promote", &[]), 3);
    assert_eq!(s.code("frobnicate", &[]), 3);
    let out = Command::new(AGENT).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("usage:"));
}

#[test]
fn logs_carry_the_instance_name() {
    let s = Sandbox::new();
    assert_eq!(s.code("start", &[]), 0);
    assert_eq!(s.code("stop", &[]), 0);
    let log = std::fs::read_to_string(s.dir.join("agent.log")).unwrap();
    assert!(log.contains("hostmonitor(hm)["), "{log}");
    assert!(log.contains("INFO: started masakari-hostmonitor"), "{log}");
}

#[test]
fn secrets_stay_out_of_the_daemon_argv() {
    let s = Sandbox::new();
    let config = s.dir.join("hostmonitor.toml");
    let secret = "s3cret-password";
    std::fs::write(
        &config,
        format!(
            "[metrics]\nlisten = \"\"\n[masakari]\nendpoint = \"http://127.0.0.1:9/v1\"\n[masakari.auth]\nmethod = \"keystone\"\n\
             auth_url = \"http://127.0.0.1:9/v3\"\nusername = \"u\"\npassword = \"{secret}\"\n\
             project_name = \"p\"\n"
        ),
    )
    .unwrap();
    assert_eq!(s.code("start", &[]), 0, "{}", stderr(&s.run("start", &[])));
    let pid = s.pid();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(secret));
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    assert!(!String::from_utf8_lossy(&environ).contains("OCF_RESKEY_"));
}
