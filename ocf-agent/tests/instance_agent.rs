//! `ocf:masakari:instancemonitor` against the real masakari-instancemonitor (sockets, state and
//! logs in a temporary directory; a libvirt socket where nothing listens and a Masakari endpoint
//! where nothing listens: the daemon runs without either): ocf-tester, exit codes, exit reasons.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::process::Command;

use support::{INSTANCE_AGENT, INSTANCEMONITOR, Sandbox, stderr};

const NOT_RUNNING: i32 = 7;

fn sandbox() -> Sandbox {
    Sandbox::of(&INSTANCEMONITOR)
}

#[test]
fn ocf_tester_passes() {
    let text = sandbox().ocf_tester();
    assert!(text.contains("passed all tests"), "{text}");
}

#[test]
fn lifecycle_is_idempotent_and_the_daemon_gets_the_paths() {
    let s = sandbox();
    assert_eq!(s.code("monitor", &[]), NOT_RUNNING);
    assert_eq!(s.code("stop", &[]), 0);
    assert_eq!(s.code("start", &[]), 0, "{}", stderr(&s.run("start", &[])));
    assert_eq!(s.code("start", &[]), 0);
    assert_eq!(s.code("monitor", &[]), 0);
    let pid = s.pid();
    assert!(s.dir.join("run/instancemonitor.sock").exists());
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    let d = s.dir.display();
    assert!(
        cmdline.contains(&format!(
            "--set paths.state_file={d}/state/instancemonitor.json --set \
             paths.control_socket={d}/run/instancemonitor.sock"
        )),
        "{cmdline}"
    );
    assert_eq!(
        s.code("reload-agent", &[("OCF_RESKEY_api_check", "fail")]),
        0
    );
    assert_eq!(s.pid(), pid, "reload-agent left the daemon alone");
    assert_eq!(s.code("stop", &[]), 0);
    assert!(!s.pid_file().exists());
    assert_eq!(s.code("monitor", &[]), NOT_RUNNING);
    assert_eq!(s.code("stop", &[]), 0);
}

#[test]
fn a_killed_daemon_is_not_running_and_restarts() {
    let s = sandbox();
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
fn without_libvirt_it_runs_and_level_10_says_why() {
    let s = sandbox();
    assert_eq!(s.code("start", &[]), 0);
    let out = s
        .monitor_until(1, &[("OCF_CHECK_LEVEL", "10")])
        .expect("level 10 never failed without libvirt");
    assert!(
        stderr(&out).contains(
            "ocf-exit-reason:masakari-instancemonitor is not connected to libvirt (qemu+unix:///system?socket="
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.code("monitor", &[("OCF_CHECK_LEVEL", "20")]), 1);
    assert_eq!(s.code("monitor", &[]), 0, "level 0: it runs");
}

#[test]
fn bad_parameters_name_themselves() {
    let s = sandbox();
    let cases: &[(&str, &str, i32, &str)] = &[
        (
            "OCF_RESKEY_request_timeout",
            "soon",
            6,
            "parameter request_timeout=",
        ),
        ("OCF_RESKEY_run_dir", "run", 6, "parameter run_dir="),
        ("OCF_RESKEY_api_check", "loud", 6, "parameter api_check="),
        (
            "OCF_RESKEY_libvirt_uri",
            "http://libvirt.example",
            6,
            "parameter libvirt_uri (libvirt.uri)",
        ),
        (
            "OCF_RESKEY_binary",
            "/nonexistent/masakari-instancemonitor",
            5,
            "parameter binary:",
        ),
        (
            "OCF_RESKEY_config",
            "/nonexistent/instancemonitor.toml",
            5,
            "parameter config:",
        ),
    ];
    s.assert_refused(cases);
}

#[test]
fn a_bad_configuration_file_is_err_configured() {
    let s = sandbox();
    std::fs::write(&s.config, "[monitor]\nhostnam = \"x\"\n").unwrap();
    let out = s.run("validate-all", &[]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("hostnam"), "{}", stderr(&out));
}

#[test]
fn a_masakarimonitors_conf_runs_as_is_and_its_password_stays_out_of_argv() {
    let s = sandbox();
    let secret = "s3cret-password";
    let conf = s.dir.join("masakarimonitors.conf");
    std::fs::write(
        &conf,
        format!(
            "[DEFAULT]\nhostname = compute1\n[api]\nauth_url = http://127.0.0.1:9/v3\n\
             username = masakari\npassword = {secret}\nproject_name = service\n\
             user_domain_name = Default\nproject_domain_name = Default\n\
             [libvirt]\nconnection_uri = qemu+unix:///system?socket={}\n",
            s.dir.join("no-libvirt.sock").display()
        ),
    )
    .unwrap();
    let conf = conf.display().to_string();
    let extra = [("OCF_RESKEY_config", conf.as_str())];
    let out = s.run("validate-all", &extra);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        s.code("start", &extra),
        0,
        "{}",
        stderr(&s.run("start", &extra))
    );
    let pid = s.pid();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(secret));
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    assert!(!String::from_utf8_lossy(&environ).contains("OCF_RESKEY_"));
    assert_eq!(s.code("monitor", &extra), 0);
    assert_eq!(s.code("stop", &extra), 0);
}

#[test]
fn probes_succeed_without_the_daemon_installed() {
    let s = sandbox();
    let extra = [
        ("OCF_RESKEY_binary", "/nonexistent/masakari-instancemonitor"),
        ("OCF_RESKEY_CRM_meta_interval", "0"),
    ];
    assert_eq!(s.code("monitor", &extra), NOT_RUNNING);
    assert_eq!(s.code("stop", &extra), 0);
}

#[test]
fn unknown_actions_usage_and_logs() {
    let s = sandbox();
    assert_eq!(s.code("promote", &[]), 3);
    let out = Command::new(INSTANCE_AGENT).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("usage: instancemonitor {start|stop|monitor"));
    assert_eq!(s.code("start", &[]), 0);
    assert_eq!(s.code("stop", &[]), 0);
    let log = std::fs::read_to_string(s.dir.join("agent.log")).unwrap();
    assert!(log.contains("instancemonitor(im)["), "{log}");
    assert!(
        log.contains("INFO: started masakari-instancemonitor"),
        "{log}"
    );
}
