//! The host monitor against a real Keystone and the real Masakari API with `auth_strategy =
//! keystone`, both over HTTPS with the lab's own CA. One lab serves every test of this file (made by
//! the first test that needs it, torn down when the test process exits), so `make test` pays for one
//! bring-up. Needs root and `make deps`. Covered: delivery and token renewal, check's verdicts, a
//! notification storm costing one token (run from the seed's own `masakarimonitors.conf`), and a
//! failure while Keystone is down.

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
/// The computes a storm fails at once; compute1..3 serve the delivery test, compute4 the test
/// with Keystone down.
const STORM: std::ops::RangeInclusive<u8> = 5..=10;

struct Shared {
    lab: Lab,
    monitor: Mutex<Option<Monitor>>,
    _stage: Stage,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        masakari_lab::teardown_at_exit(NAME);
        let stage = Stage::install(NAME).unwrap();
        let lab = Lab::up(LabSpec {
            computes: *STORM.end(),
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
    let text = keystone::monitors_conf(shared().lab.layout(), login, extra).unwrap();
    check_file(&text, &[])
}

/// `masakari-hostmonitor check` on ctl1 with the configuration `text` and `--set` `overrides`.
fn check_file(text: &str, overrides: &[String]) -> (bool, String) {
    let s = shared();
    let dir = s.lab.layout().host_dir(Host::Node(Machine::Controller(1)));
    let path = dir.join("check.conf");
    std::fs::write(&path, text).unwrap();
    let config = path.display().to_string();
    let mut argv = vec!["check", "--config", &config];
    argv.extend(overrides.iter().flat_map(|o| ["--set", o.as_str()]));
    let out = s
        .lab
        .on_node_output(Machine::Controller(1), "masakari-hostmonitor", &argv)
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
fn check_succeeds_with_the_seed_file_as_is() {
    let s = shared();
    let seed = keystone::seed_monitors_conf(s.lab.layout()).unwrap();
    let (ok, printed) = check_file(&seed, &[keystone::ca_override(s.lab.layout())]);
    assert!(ok, "{printed}");
    assert!(api_line(&printed).contains(" ok "), "{printed}");
    assert!(
        printed.contains("api.domain_name is ignored: the login is scoped to the project"),
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
    let config = keystone::monitors_conf(shared().lab.layout(), login, "").unwrap();
    start_monitor_with(config, Vec::new());
}

/// Starts a fresh monitor on ctl1 (no token yet) with the configuration `config` and `--set`
/// `overrides` (the earlier one killed first).
fn start_monitor_with(config: String, overrides: Vec<String>) {
    let s = shared();
    let mut slot = s.monitor.lock().unwrap();
    if let Some(old) = slot.take() {
        let _ = old.kill(&s.lab);
        std::thread::sleep(Duration::from_secs(1));
    }
    let setup = MonitorSetup {
        config: Some(config),
        alerts: !ALERTS_ROUTED.swap(true, std::sync::atomic::Ordering::SeqCst),
        overrides,
        ..MonitorSetup::default()
    };
    *slot = Some(Monitor::start(&s.lab, &setup).unwrap());
}

fn monitor_status() -> serde_json::Value {
    let s = shared();
    let slot = s.monitor.lock().unwrap();
    slot.as_ref()
        .and_then(|m| m.status(&s.lab))
        .unwrap_or_default()
}

/// `host`'s pending notifications in the monitor's status.
fn pending(status: &serde_json::Value, host: &str) -> Vec<serde_json::Value> {
    status["engine"]["hosts"]
        .as_array()
        .and_then(|hosts| hosts.iter().find(|h| h["name"] == host))
        .and_then(|h| h["pending"].as_array().cloned())
        .unwrap_or_default()
}

static ALERTS_ROUTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn fail_and_wait_stored(victim: &str) {
    shared().lab.kill_remoted(victim).unwrap();
    wait_stored_once(victim);
}

/// Waits until the API has stored a notification for `victim`; asserts it is one, NORMAL.
fn wait_stored_once(victim: &str) {
    let s = shared();
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
    // Counted before the start: the monitor logs in as it starts.
    let before = keystone::tokens_issued_to(s.lab.layout(), AGENT);
    start_monitor(&keystone::password_login(s.lab.layout()).unwrap());
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

/// Keystone started again when a test that stopped it ends, passed or not.
struct KeystoneBack;

impl Drop for KeystoneBack {
    fn drop(&mut self) {
        let s = shared();
        let _ = keystone::serve(s.lab.layout(), s.lab.tools());
    }
}

#[test]
fn a_failure_while_keystone_is_down_is_delivered_once_it_returns() {
    let s = shared();
    let layout = s.lab.layout();
    // Keystone down before the monitor starts: it starts anyway, without a token, says so and
    // keeps trying; the failure then needs Keystone.
    let config = keystone::monitors_conf(layout, &keystone::password_login(layout).unwrap(), "");
    let back = KeystoneBack;
    keystone::stop(layout).unwrap();
    start_monitor_with(
        config.unwrap(),
        vec![
            "monitor.retry_interval=1".into(),
            "monitor.retry_max_interval=2".into(),
        ],
    );
    masakari_lab::wait::poll_until("the failed login to be logged", SETTLE, || {
        let log = monitor_log();
        Ok(log
            .contains("Keystone login ahead of the notifications failed")
            .then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", monitor_log()));
    s.lab.kill_remoted("compute4").unwrap();
    let why = masakari_lab::wait::poll_until("the notification to be pending", SETTLE, || {
        let status = monitor_status();
        let pending = pending(&status, "compute4");
        Ok(pending
            .first()
            .and_then(|p| p["last_error"].as_str().map(str::to_owned)))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", monitor_log()));
    assert!(
        why.starts_with(&format!(
            "Keystone unreachable at {}/v3/auth/tokens",
            keystone::auth_url()
        )),
        "{why}"
    );
    drop(back);
    wait_stored_once("compute4");
    masakari_lab::wait::poll_until("the delivery to be recorded", SETTLE, || {
        Ok(pending(&monitor_status(), "compute4")
            .is_empty()
            .then_some(()))
    })
    .unwrap();
    assert_eq!(notifications_for(layout, "compute4").unwrap().len(), 1);
    assert_no_secret(s, &monitor_log());
}

#[test]
fn a_notification_storm_takes_one_token_with_the_seed_file_as_is() {
    // Pacemaker 2.1.5 fences one node at a time (concurrent-fencing=false), so failures spread
    // their notifications seconds apart, and the first login's token serves the rest whatever the
    // client does. The storm that costs a token per notification without one login at a time is
    // the mass-failure guard's: six of ten computes lost at once are held (the seed's file keeps
    // the guard's defaults), and released together: they share the token the monitor took when it
    // started (and, had it none, one login at a time would still cost one: masakari-client's
    // token tests).
    let s = shared();
    let layout = s.lab.layout();
    let config = keystone::seed_monitors_conf(layout).unwrap();
    // Counted before the start: the monitor logs in as it starts, and its token serves the storm.
    let before = keystone::tokens_issued_to(layout, AGENT);
    let started = Instant::now();
    start_monitor_with(config, vec![keystone::ca_override(layout)]);
    let victims: Vec<String> = STORM.map(|n| format!("compute{n}")).collect();
    for victim in &victims {
        s.lab.kill_remoted(victim).unwrap();
    }
    masakari_lab::wait::poll_until("the guard to hold the storm", SETTLE, || {
        let status = monitor_status();
        let held = status["engine"]["mass_failure_hold"] == true
            && victims.iter().all(|v| !pending(&status, v).is_empty());
        Ok(held.then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", monitor_log()));
    for victim in &victims {
        let sent = notifications_for(layout, victim).unwrap();
        assert!(sent.is_empty(), "sent while held: {sent:?}");
    }
    let released = Instant::now();
    {
        let slot = s.monitor.lock().unwrap();
        let answer = slot.as_ref().unwrap().release(&s.lab).unwrap();
        assert!(answer.contains("released"), "{answer}");
    }
    for victim in &victims {
        wait_stored_once(victim);
    }
    let tokens = keystone::tokens_issued_to(layout, AGENT) - before;
    // Renewals the monitor's running time accounts for: a token is renewed at half its lifetime.
    let renewals = started.elapsed().as_secs() / (keystone::TOKEN_LIFETIME / 2);
    assert!(
        (1..=1 + renewals as usize).contains(&tokens),
        "{tokens} tokens for {} notifications in {:?}",
        victims.len(),
        released.elapsed()
    );
    let log = monitor_log();
    assert!(
        log.contains("api.domain_name is ignored"),
        "the seed's domain_name is not mentioned:\n{log}"
    );
    assert_no_secret(s, &log);
}
