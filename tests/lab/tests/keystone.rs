//! The host monitor against a real Keystone and the real Masakari API with `auth_strategy =
//! keystone`, both over HTTPS with the lab's own CA. One lab serves every test of this file (made by
//! the first test that needs it, torn down when the test process exits), so `make test` pays for one
//! bring-up. Needs root and `make deps`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers: a failure should stop the test

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use masakari_lab::keystone;
use masakari_lab::layout::{Host, Machine};
use masakari_lab::masakari::notifications_for;
use masakari_lab::monitor::{Monitor, MonitorSetup};
use masakari_lab::stage::Stage;
use masakari_lab::{Lab, LabSpec, RebootAction, tls};

const NAME: &str = "tks";
const SETTLE: Duration = Duration::from_secs(90);
const AGENT: &str = "masakari-hostmonitor/";

struct Shared {
    lab: Lab,
    monitor: Mutex<Option<Monitor>>,
    _stage: Stage,
}

/// The shared lab is a static, never dropped: it (and its stage) go when the process exits.
extern "C" fn teardown_at_exit() {
    let _ = masakari_lab::teardown(NAME);
    let _ = std::fs::remove_dir_all(format!("/var/tmp/masakari-lab-stage-{NAME}"));
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        // SAFETY: registers a plain function that runs once at process exit.
        unsafe { libc::atexit(teardown_at_exit) };
        let stage = Stage::install(NAME).unwrap();
        let lab = Lab::up(LabSpec {
            computes: 3,
            reboot_action: RebootAction::Off,
            stage: Some(stage.root().to_owned()),
            keystone: true,
            ..LabSpec::new(NAME)
        })
        .unwrap();
        Shared {
            lab,
            monitor: Mutex::new(None),
            _stage: stage,
        }
    })
}

/// Runs `masakari-hostmonitor check` on ctl1 with the seed's configuration plus `extra` `[api]`
/// lines (later keys win); its exit success and everything it printed.
fn check(extra: &str) -> (bool, String) {
    let login = keystone::password_login(shared().lab.layout()).unwrap();
    check_with(&login, extra)
}

/// [`check`] logging in with `login`.
fn check_with(login: &str, extra: &str) -> (bool, String) {
    let s = shared();
    let text = keystone::monitors_conf(s.lab.layout(), login, extra).unwrap();
    let dir = s.lab.layout().host_dir(Host::Node(Machine::Controller(1)));
    let path = dir.join("check.conf");
    std::fs::write(&path, text).unwrap();
    let config = path.display().to_string();
    let out = s
        .lab
        .on_node_output(
            Machine::Controller(1),
            "masakari-hostmonitor",
            &["check", "--config", &config],
        )
        .unwrap();
    let printed = format!("{}{}", out.0, out.1);
    assert_no_secret(s, &printed);
    (out.2, printed)
}

fn assert_no_secret(s: &Shared, text: &str) {
    let password = keystone::service_password(s.lab.layout()).unwrap();
    assert!(
        !text.contains(password.trim()),
        "the password was printed:\n{text}"
    );
    let secrets = keystone::secrets_dir(s.lab.layout());
    for entry in std::fs::read_dir(secrets).unwrap().flatten() {
        let secret = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let secret = secret.trim();
        if secret.len() >= 8 && !secret.starts_with("X-Auth") {
            assert!(
                !text.contains(secret),
                "a secret of {:?} was printed",
                entry.path()
            );
        }
    }
}

fn api_line(printed: &str) -> String {
    printed
        .lines()
        .find(|l| l.starts_with("masakari api"))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn check_succeeds_with_the_seed_settings() {
    let (ok, printed) = check("");
    assert!(ok, "{printed}");
    assert!(api_line(&printed).contains(" ok "), "{printed}");
    assert!(
        api_line(&printed).contains("https://10.250.0.5:15868/v1/"),
        "{printed}"
    );
}

#[test]
fn check_says_the_password_is_wrong() {
    let (ok, printed) = check("password = not-the-password");
    assert!(!ok, "{printed}");
    let line = api_line(&printed);
    assert!(
        line.contains("FAIL") && line.contains("wrong password"),
        "{printed}"
    );
    assert!(!printed.contains("not-the-password"), "{printed}");
}

#[test]
fn check_fails_for_an_unknown_project() {
    let (ok, printed) = check("project_name = no-such-project");
    assert!(!ok, "{printed}");
    let line = api_line(&printed);
    assert!(
        line.contains("FAIL") && line.contains("unknown project no-such-project"),
        "{printed}"
    );
}

#[test]
fn check_says_no_endpoint_for_the_region() {
    let (ok, printed) = check("region = RegionTwo");
    assert!(!ok, "{printed}");
    let line = api_line(&printed);
    assert!(
        line.contains("no instance-ha endpoint") && line.contains("RegionTwo"),
        "{printed}"
    );
}

#[test]
fn check_fails_with_a_wrong_ca_file() {
    let wrong = tls::wrong_ca_file(shared().lab.layout());
    let (ok, printed) = check(&format!("cafile = {}", wrong.display()));
    assert!(!ok, "{printed}");
    let line = api_line(&printed);
    assert!(
        line.contains("FAIL")
            && line.contains("certificate")
            && line.contains(&wrong.display().to_string()),
        "{printed}"
    );
}

#[test]
fn check_fails_when_keystone_is_unreachable() {
    let (ok, printed) = check("auth_url = https://10.250.0.5:5999");
    assert!(!ok, "{printed}");
    let line = api_line(&printed);
    assert!(
        line.contains("FAIL")
            && line.contains("Keystone unreachable")
            && line.contains("10.250.0.5:5999"),
        "{printed}"
    );
}

#[test]
fn check_succeeds_with_an_application_credential() {
    let s = shared();
    let (id, secret_file) =
        keystone::application_credential(s.lab.layout(), s.lab.tools(), "tks-check").unwrap();
    let secret = std::fs::read_to_string(secret_file).unwrap();
    let login = keystone::application_credential_login(&id, &secret);
    let (ok, printed) = check_with(&login, "");
    assert!(ok, "{printed}");
    assert!(!printed.contains(&secret), "{printed}");
}

/// Starts the monitor on ctl1 with the seed's settings logging in with `login` (the earlier one
/// killed first).
fn start_monitor(login: &str) {
    let s = shared();
    let mut slot = s.monitor.lock().unwrap();
    if let Some(old) = slot.take() {
        let _ = old.kill(&s.lab);
        std::thread::sleep(Duration::from_secs(1));
    }
    let setup = MonitorSetup {
        config: Some(keystone::monitors_conf(s.lab.layout(), login, "").unwrap()),
        alerts: !ALERTS_ROUTED.swap(true, std::sync::atomic::Ordering::SeqCst),
        ..MonitorSetup::default()
    };
    *slot = Some(Monitor::start(&s.lab, &setup).unwrap());
}

static ALERTS_ROUTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn fail_and_wait_stored(victim: &str) {
    let s = shared();
    s.lab.kill_remoted(victim).unwrap();
    let stored =
        masakari_lab::wait::poll_until(&format!("a notification for {victim}"), SETTLE, || {
            let stored = notifications_for(s.lab.layout(), victim)?;
            Ok((!stored.is_empty()).then_some(stored))
        })
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", monitor_log()));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
}

fn monitor_log() -> String {
    let s = shared();
    s.monitor
        .lock()
        .unwrap()
        .as_ref()
        .map(Monitor::log)
        .unwrap_or_default()
}

#[test]
fn notifications_go_through_keystone_and_https_and_survive_token_expiry() {
    let s = shared();
    start_monitor(&keystone::password_login(s.lab.layout()).unwrap());
    let before = keystone::tokens_issued_to(s.lab.layout(), AGENT);
    let first = Instant::now();
    fail_and_wait_stored("compute1");
    let after_first = keystone::tokens_issued_to(s.lab.layout(), AGENT);
    assert!(after_first > before, "no token issued to the monitor");
    // Past the first token's lifetime: the monitor must log in again, and deliver.
    let lifetime = Duration::from_secs(keystone::TOKEN_LIFETIME + 5);
    std::thread::sleep(lifetime.saturating_sub(first.elapsed()));
    fail_and_wait_stored("compute2");
    let after_second = keystone::tokens_issued_to(s.lab.layout(), AGENT);
    assert!(
        after_second > after_first,
        "the expired token was not renewed"
    );
    // An application credential instead of the password.
    let (id, secret_file) =
        keystone::application_credential(s.lab.layout(), s.lab.tools(), "tks-monitor").unwrap();
    let secret = std::fs::read_to_string(secret_file).unwrap();
    start_monitor(&keystone::application_credential_login(&id, &secret));
    fail_and_wait_stored("compute3");
    let log = monitor_log();
    assert_no_secret(s, &log);
    assert!(
        !log.contains(&secret),
        "the application credential's secret was logged"
    );
}
