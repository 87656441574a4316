//! The real `masakari-hostmonitor` against the real Masakari API (PyPI `masakari`, noauth2, sqlite)
//! on loopback: `check` reaches the API with its credentials and tells a wrong endpoint apart; a
//! running daemon answers `status` (text and `--json`) and serves `/metrics`.
//!
//! Pacemaker and corosync need not run here: their checks may fail, the API's must not. The
//! API comes from the lab's virtualenv (`MASAKARI_VENV`, default
//! `/var/cache/masakari-pcmk-lab/venv`); without it the test says so and passes.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masakari-hostmonitor");

/// A child process, leading its own process group, whose group is killed (by the child's PID)
/// and reaped when the test ends, however it ends: the API forks a worker that would outlive it.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.0.id()) {
            let group = nix::unistd::Pid::from_raw(pid);
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

fn venv() -> Option<PathBuf> {
    let dir = std::env::var_os("MASAKARI_VENV").map_or_else(
        || PathBuf::from("/var/cache/masakari-pcmk-lab/venv"),
        PathBuf::from,
    );
    dir.join("bin/masakari-api").exists().then_some(dir)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One HTTP/1.0 GET on loopback; the whole answer, or `None` when nothing listens yet.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nX-Auth-Token: admin:admin\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// Waits (bounded, generously: this is set-up, not a measurement) until `ready` says yes.
fn wait_for(what: &str, child: &mut Guard, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("{what}: the process exited ({status}) first");
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{what}: no answer"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start_api(venv: &Path, dir: &Path) -> (Guard, u16) {
    let port = free_port();
    let conf = dir.join("masakari.conf");
    let text = format!(
        "[DEFAULT]\nauth_strategy = noauth2\ntransport_url = fake://\nmasakari_api_listen = 127.0.0.1\n\
         masakari_api_listen_port = {port}\nmasakari_api_workers = 1\nlog_file = {d}/api.log\n\
         [wsgi]\napi_paste_config = {v}/etc/masakari/api-paste.ini\n\
         [database]\nconnection = sqlite:///{d}/masakari.db\n\
         [taskflow]\nconnection = sqlite:///{d}/taskflow.db\n",
        d = dir.display(),
        v = venv.display(),
    );
    std::fs::write(&conf, text).unwrap();
    let sync = Command::new(venv.join("bin/masakari-manage"))
        .arg("--config-file")
        .arg(&conf)
        .args(["db", "sync"])
        .output()
        .unwrap();
    assert!(sync.status.success(), "db sync: {sync:?}");
    let child = Command::new(venv.join("bin/masakari-api"))
        .arg("--config-file")
        .arg(&conf)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut api = Guard(child);
    wait_for("the Masakari API", &mut api, || {
        get(port, "/v1/segments").is_some_and(|a| a.contains("\"segments\""))
    });
    (api, port)
}

fn hostmonitor(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn line<'a>(out: &'a str, subject: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(subject))
        .unwrap_or_else(|| panic!("no {subject} line in\n{out}"))
}

#[test]
fn check_status_and_metrics_against_the_real_api() {
    let Some(venv) = venv() else {
        eprintln!("skipped: no Masakari virtualenv (set MASAKARI_VENV)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("hm-operating-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (_api, api_port) = start_api(&venv, &dir);
    let metrics_port = free_port();
    let config = dir.join("hostmonitor.toml");
    std::fs::write(
        &config,
        format!(
            "[masakari]\nendpoint = \"http://127.0.0.1:{api_port}/v1\"\n[monitor]\nlocal_node = \"ctl1\"\n\
             [paths]\nstate_file = \"{d}/state.json\"\nalert_socket = \"{d}/alerts.sock\"\n\
             control_socket = \"{d}/control.sock\"\n[metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n",
            d = dir.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();

    let checked = hostmonitor(&["check", "--config", config]);
    let out = String::from_utf8_lossy(&checked.stdout);
    let api = line(&out, "masakari api");
    assert!(
        api.contains(" ok ") && api.contains("200 OK, 0 failover segments"),
        "{api}"
    );
    assert!(line(&out, "configuration").contains(" ok "), "{out}");
    let failed = out.lines().filter(|l| l.contains(" FAIL ")).count();
    assert_eq!(
        checked.status.code(),
        Some(if failed == 0 { 0 } else { 1 }),
        "{out}"
    );

    let unversioned = format!("masakari.endpoint=http://127.0.0.1:{api_port}");
    let wrong = hostmonitor(&["check", "--config", config, "--set", &unversioned]);
    let out = String::from_utf8_lossy(&wrong.stdout);
    assert!(
        line(&out, "masakari api").contains("should end in /v1"),
        "{out}"
    );
    assert_eq!(wrong.status.code(), Some(1));

    let bad = hostmonitor(&[
        "check",
        "--config",
        config,
        "--set",
        "monitor.fence_timeout=0",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");

    let daemon = Command::new(BIN)
        .args(["run", "--config", config])
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut daemon = Guard(daemon);
    wait_for("the daemon's control socket", &mut daemon, || {
        hostmonitor(&["status", "--config", config, "--json"])
            .status
            .success()
    });
    let json = hostmonitor(&["status", "--config", config, "--json"]);
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    for key in ["cib_ok", "api_ok", "quorate", "engine"] {
        assert!(answer.get(key).is_some(), "{key} in {answer}");
    }
    let text = hostmonitor(&["status", "--config", config]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("quorum:"), "{text}");
    assert!(text.contains("masakari api:  not tried yet"), "{text}");

    let metrics = get(metrics_port, "/metrics").unwrap();
    assert!(metrics.starts_with("HTTP/1.1 200 OK"), "{metrics}");
    for name in [
        "masakari_hostmonitor_detection_to_notification_seconds_count 0",
        "masakari_hostmonitor_notifications_pending 0",
        "masakari_hostmonitor_alerts_received_total 0",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
    assert!(
        metrics.contains("masakari_hostmonitor_reconciles_total "),
        "{metrics}"
    );

    let pid = nix::unistd::Pid::from_raw(i32::try_from(daemon.0.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = daemon.0.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!dir.join("control.sock").exists());
    drop(daemon);
    std::fs::remove_dir_all(&dir).unwrap();
}
