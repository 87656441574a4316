//! The real `masakari-hostmonitor` against the real Masakari API (PyPI `masakari`, noauth2, sqlite)
//! on loopback: `check` reaches the API with its credentials and tells a wrong endpoint apart; a
//! running daemon answers `status` (text and `--json`) and serves `/metrics`; and, with `crm_mon` and
//! `cibadmin` replaced by recorded XML (online, then lost and fenced), the daemon delivers exactly one
//! notification that the API stores, and its metrics time it; one it cannot deliver is dismissed
//! with `masakari-hostmonitor dismiss` through the daemon's control socket.
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

/// The Masakari venv. Missing, it fails the test (`make deps` installs it, so `make test` must not
/// hide a broken install by skipping) unless `MASAKARI_PCMK_MAY_SKIP` is set.
fn venv() -> Option<PathBuf> {
    let dir = std::env::var_os("MASAKARI_VENV").map_or_else(
        || PathBuf::from("/var/cache/masakari-pcmk-lab/venv"),
        PathBuf::from,
    );
    if dir.join("bin/masakari-api").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("MASAKARI_PCMK_MAY_SKIP").is_some(),
        "no Masakari virtualenv in {} (make deps; MASAKARI_PCMK_MAY_SKIP=1 skips)",
        dir.display()
    );
    None
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One HTTP/1.0 GET on loopback; the whole answer, or `None` when nothing listens yet.
fn get(port: u16, path: &str) -> Option<String> {
    http(port, "GET", path, "")
}

fn http(port: u16, method: &str, path: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.0\r\nX-Auth-Token: admin:admin\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// The JSON body of an API answer.
fn json_body(answer: &str) -> serde_json::Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
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

/// A configuration using the API on `api_port`, reconciling every second, with its files in `dir`.
fn write_config(dir: &Path, api_port: u16, metrics_port: u16) -> String {
    let config = dir.join("hostmonitor.toml");
    let text = format!(
        "[masakari]\nendpoint = \"http://127.0.0.1:{api_port}/v1\"\n\
         [monitor]\nlocal_node = \"ctl1\"\nreconcile_interval = 1\n\
         [paths]\nstate_file = \"{d}/state.json\"\nalert_socket = \"{d}/alerts.sock\"\n\
         control_socket = \"{d}/control.sock\"\n[metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n",
        d = dir.display()
    );
    std::fs::write(&config, text).unwrap();
    config.to_str().unwrap().to_owned()
}

/// `masakari-hostmonitor run`, finding programs in `bin` first (recorded `crm_mon` and `cibadmin`, if
/// any), logging to `daemon.log` beside `bin`.
fn run_daemon(config: &str, bin: &Path) -> Guard {
    let log = std::fs::File::create(bin.with_file_name("daemon.log")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let daemon = Command::new(BIN)
        .args(["run", "--config", config])
        .env("PATH", path)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    Guard(daemon)
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
    let config = write_config(&dir, api_port, metrics_port);
    let config = config.as_str();

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

    let mut daemon = run_daemon(config, &dir.join("bin"));
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

/// The recorded crm_mon output, with compute1 online (its node and connection resource up, no
/// fence history), or lost and fenced at `fenced`.
fn crm_mon_xml(fenced: Option<&str>) -> String {
    let recorded = include_str!("data/crm-mon-remote-fenced.xml");
    let fence_line = recorded
        .lines()
        .find(|l| l.contains("<fence_event "))
        .unwrap();
    match fenced {
        None => recorded
            .replace(
                r#"name="compute1" id="compute1" online="false""#,
                r#"name="compute1" id="compute1" online="true""#,
            )
            .replace(
                r#"<resource id="compute1" resource_agent="ocf:pacemaker:remote" role="Stopped" active="false""#,
                r#"<resource id="compute1" resource_agent="ocf:pacemaker:remote" role="Started" active="true""#,
            )
            .replace(fence_line, ""),
        Some(at) => recorded.replace("2026-11-26 07:39:12Z", at),
    }
}

/// The remote nodes' `node_state` entries as `cibadmin --query --xpath` prints them, compute1's
/// connection up or down.
fn remote_node_states(compute1_up: bool) -> String {
    format!(
        r#"<xpath-query>
  <node_state remote_node="true" id="compute1" uname="compute1" in_ccm="{compute1_up}"/>
  <node_state remote_node="true" id="compute2" uname="compute2" in_ccm="true"/>
</xpath-query>
"#
    )
}

/// A stand-in for a Pacemaker tool in `dir/bin` (first in the daemon's PATH): asked with arguments
/// containing `asked`, it prints `output`; otherwise the real tool answers.
fn fake_tool(dir: &Path, name: &str, asked: &str, output: &Path) {
    fake_tool_cases(dir, name, &[(&format!("*{asked}*"), output)]);
}

/// [`fake_tool`] with several cases, each a shell pattern the whole argument line must match (the
/// first that matches answers).
fn fake_tool_cases(dir: &Path, name: &str, cases: &[(&str, &Path)]) {
    let fake = dir.join("bin").join(name);
    let cases: String = cases
        .iter()
        .map(|(pattern, output)| format!("{pattern}) exec cat {} ;; ", output.display()))
        .collect();
    let script =
        format!("#!/bin/sh\ncase \"$*\" in {cases}esac\nPATH=${{PATH#*:}} exec {name} \"$@\"\n");
    std::fs::write(&fake, script).unwrap();
    let mut mode = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
    std::fs::set_permissions(&fake, mode).unwrap();
}

/// A stand-in for `attrd_updater` in `dir/bin`: private attributes kept as files
/// `dir/attrd/NAME/NODE`, queried as attrd_updater 2.1.5 prints them.
fn fake_attrd(dir: &Path) {
    let store = dir.join("attrd");
    let script = format!(
        r#"#!/bin/sh
store={}
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name=$2; shift ;;
    --node) node=$2; shift ;;
    --update) value=$2; shift ;;
    --query) query=1 ;;
  esac
  shift
done
if [ -n "$query" ]; then
  [ -d "$store/$name" ] || {{ echo "Could not query value of $name: attribute does not exist" >&2; exit 78; }}
  for f in "$store/$name"/*; do printf 'name="%s" host="%s" value="%s"\n' "$name" "${{f##*/}}" "$(cat "$f")"; done
  exit 0
fi
mkdir -p "$store/$name" && printf '%s' "$value" > "$store/$name/$node"
"#,
        store.display()
    );
    let fake = dir.join("bin/attrd_updater");
    std::fs::write(&fake, script).unwrap();
    let mut mode = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o755);
    std::fs::set_permissions(&fake, mode).unwrap();
    let partition = dir.join("partition");
    std::fs::write(&partition, "ctl1\n").unwrap();
    fake_tool(dir, "crm_node", "--partition", &partition);
}

/// Pacemaker's tools replaced in `dir/bin`: `crm_mon`, the remote node states and the CIB's version
/// (compute1 online until [`fence_compute1`] rewrites them), and attrd. Returns the first two files.
fn fake_pacemaker(dir: &Path) -> (PathBuf, PathBuf) {
    let xml = dir.join("crm_mon.xml");
    write_atomically(&xml, &crm_mon_xml(None));
    fake_tool(dir, "crm_mon", "", &xml);
    let states = dir.join("node_states.xml");
    write_atomically(&states, &remote_node_states(true));
    let version = cib_version_file(&states);
    write_atomically(&version, &cib_version(1));
    // The version query ends with `/cib`; the watched services' query goes on to the resources.
    let cases: [(&str, &Path); 2] = [("*remote_node*", &states), ("*'--xpath /cib'", &version)];
    fake_tool_cases(dir, "cibadmin", &cases);
    fake_attrd(dir);
    (xml, states)
}

/// compute1 lost and fenced now, as the files of [`fake_pacemaker`] show it.
fn fence_compute1(xml: &Path, states: &Path) {
    let fenced_at = hostmonitor::engine::Timestamp::from_system_time(std::time::SystemTime::now());
    write_atomically(
        xml,
        &crm_mon_xml(Some(&format!("{}Z", fenced_at.iso8601()))),
    );
    write_atomically(states, &remote_node_states(false));
    write_atomically(&cib_version_file(states), &cib_version(2));
}

/// Where [`fake_pacemaker`] keeps the CIB's version (`cibadmin --query --xpath /cib`), beside the
/// remote node states.
fn cib_version_file(states: &Path) -> PathBuf {
    states.with_file_name("cib_version.xml")
}

/// The `<cib>` element alone, at `num_updates`: a change to the status moves it.
fn cib_version(num_updates: u32) -> String {
    format!(
        "<cib admin_epoch=\"0\" epoch=\"5\" num_updates=\"{num_updates}\" have-quorum=\"1\"/>\n"
    )
}

fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(tmp, path).unwrap();
}

#[test]
fn a_fenced_compute_is_notified_once_stored_and_timed() {
    let Some(venv) = venv() else {
        eprintln!("skipped: no Masakari virtualenv (set MASAKARI_VENV)");
        return;
    };
    let register =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/lab/setup/register-hosts.py");
    let dir = std::env::temp_dir().join(format!("hm-delivery-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let (_api, api_port) = start_api(&venv, &dir);
    let segment = r#"{"segment": {"name": "computes", "service_type": "COMPUTE", "recovery_method": "auto"}}"#;
    let created = json_body(&http(api_port, "POST", "/v1/segments", segment).unwrap());
    let uuid = created["segment"]["uuid"].as_str().unwrap();
    let registered = Command::new(venv.join("bin/python3"))
        .arg(&register)
        .arg(dir.join("masakari.db"))
        .args([uuid, "compute1", "compute2"])
        .status()
        .unwrap();
    assert!(registered.success());

    let (xml, states) = fake_pacemaker(&dir);

    let metrics_port = free_port();
    let config = write_config(&dir, api_port, metrics_port);
    let config = config.as_str();
    let mut daemon = run_daemon(config, &dir.join("bin"));
    let status = || {
        let out = hostmonitor(&["status", "--config", config, "--json"]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()
    };
    let host_state = |s: &serde_json::Value, name: &str| {
        s["engine"]["hosts"]
            .as_array()
            .and_then(|hosts| hosts.iter().find(|h| h["name"] == name))
            .map(|h| h["state"]["state"].clone())
    };
    wait_for("compute1 seen online", &mut daemon, || {
        status().is_some_and(|s| host_state(&s, "compute1") == Some("online".into()))
    });

    fence_compute1(&xml, &states);
    wait_for("the notification to be stored", &mut daemon, || {
        let stored = json_body(&get(api_port, "/v1/notifications").unwrap());
        let pending = status().is_some_and(|s| {
            s["engine"]["hosts"].as_array().is_some_and(|hosts| {
                hosts
                    .iter()
                    .all(|h| h["pending"].as_array().is_some_and(Vec::is_empty))
            })
        });
        stored["notifications"]
            .as_array()
            .is_some_and(|n| !n.is_empty())
            && pending
    });

    let stored = json_body(&get(api_port, "/v1/notifications").unwrap());
    let list = stored["notifications"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{stored}");
    assert_eq!(
        list[0]["payload"],
        serde_json::json!({"event": "STOPPED", "cluster_status": "OFFLINE", "host_status": "NORMAL"})
    );
    let text = String::from_utf8(hostmonitor(&["status", "--config", config]).stdout).unwrap();
    let compute1 = text.lines().find(|l| l.starts_with("compute1 ")).unwrap();
    assert!(compute1.contains("confirmed off"), "{text}");
    assert!(text.contains("no pending notifications"), "{text}");
    assert!(text.contains("masakari api:  ok"), "{text}");
    let metrics = get(metrics_port, "/metrics").unwrap();
    for line in [
        "masakari_hostmonitor_detection_to_notification_seconds_count 1",
        "masakari_hostmonitor_fence_to_notification_seconds_count 1",
        "masakari_hostmonitor_notifications_total{outcome=\"delivered\"} 1",
        "masakari_hostmonitor_notification_requests_total{result=\"accepted\"} 1",
        "masakari_hostmonitor_hosts_lost_total 1",
        "masakari_hostmonitor_lost_hosts 1",
        "masakari_hostmonitor_notifications_pending 0",
    ] {
        assert!(
            metrics.contains(&format!("{line}\n")),
            "{line} in {metrics}"
        );
    }
    let record = &status().unwrap()["record"];
    assert_eq!(record["source"], "none", "{record}");
    assert_eq!(record["cluster_current"], true, "{record}");
    let commit =
        std::fs::read_to_string(dir.join("attrd/masakari-hostmonitor-commit/ctl1")).unwrap();
    assert!(
        commit.contains(r#""hosts":["compute1","compute2"]"#),
        "{commit}"
    );
    drop(daemon);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A notification that cannot be delivered (nothing listens on the API's port) is dismissed through
/// the real daemon's control socket with `masakari-hostmonitor dismiss`: a wrong episode is
/// refused and changes nothing, the right one drops it (loud in the log, shown in `status`, counted
/// in the metrics), and a second dismissal finds nothing left. Needs no Masakari API.
#[test]
fn a_pending_notification_is_dismissed_through_the_control_socket() {
    let dir = std::env::temp_dir().join(format!("hm-dismiss-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let (xml, states) = fake_pacemaker(&dir);
    let metrics_port = free_port();
    let config = write_config(&dir, free_port(), metrics_port);
    let config = config.as_str();
    let mut daemon = run_daemon(config, &dir.join("bin"));
    let status = || {
        let out = hostmonitor(&["status", "--config", config, "--json"]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()
    };
    let compute1 = |s: &serde_json::Value| {
        s["engine"]["hosts"]
            .as_array()
            .and_then(|hosts| hosts.iter().find(|h| h["name"] == "compute1").cloned())
            .unwrap_or_default()
    };
    wait_for("compute1 seen online", &mut daemon, || {
        status().is_some_and(|s| compute1(&s)["state"]["state"] == "online")
    });
    fence_compute1(&xml, &states);
    wait_for("a failed attempt", &mut daemon, || {
        status().is_some_and(|s| compute1(&s)["pending"][0]["attempts"].as_u64() >= Some(1))
    });

    let dismiss = |episode: &str| {
        hostmonitor(&[
            "dismiss",
            "compute1",
            "--episode",
            episode,
            "--config",
            config,
        ])
    };
    let wrong = dismiss("2");
    assert_eq!(wrong.status.code(), Some(1), "{wrong:?}");
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("it is in episode 1, not 2"), "{said}");
    let s = status().unwrap();
    assert_eq!(compute1(&s)["dismissed"], false, "{s}");
    assert_eq!(
        compute1(&s)["pending"].as_array().map(Vec::len),
        Some(1),
        "{s}"
    );

    let done = dismiss("1");
    assert!(done.status.success(), "{done:?}");
    let answer: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    let id = serde_json::json!("compute1/1/stopped-normal");
    assert_eq!(
        (&answer["host"], &answer["episode"]),
        (&"compute1".into(), &1.into())
    );
    assert!(
        answer["dropped"] == serde_json::json!([id]) || answer["in_flight"] == id,
        "{answer}"
    );
    assert_eq!(answer["durable"], true, "{answer}");
    wait_for("nothing pending", &mut daemon, || {
        status().is_some_and(|s| compute1(&s)["pending"] == serde_json::json!([]))
    });
    assert_eq!(compute1(&status().unwrap())["dismissed"], true);
    let text = String::from_utf8(hostmonitor(&["status", "--config", config]).stdout).unwrap();
    let row = text.lines().find(|l| l.starts_with("compute1 ")).unwrap();
    assert!(row.contains("DISMISSED by an operator"), "{text}");
    let metrics = get(metrics_port, "/metrics").unwrap();
    let counted = "masakari_hostmonitor_notifications_total{outcome=\"dismissed\"} 1\n";
    assert!(metrics.contains(counted), "{metrics}");
    let again = dismiss("1");
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("nothing of its episode 1 is pending"),
        "{said}"
    );
    drop(daemon);
    let logged = std::fs::read_to_string(dir.join("daemon.log")).unwrap();
    assert!(
        logged.contains("OPERATOR DISMISSED episode 1 of host compute1"),
        "{logged}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
