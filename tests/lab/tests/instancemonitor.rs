//! The instance monitors on a real compute: the compute's own libvirtd, diskless TCG guests, the real
//! Masakari API with `auth_strategy = keystone` and a real Keystone, both over HTTPS with the lab's
//! CA (the seed's setup: every notification here goes through a Keystone login). Ours alone (crash,
//! destroy, libvirtd restarted while a guest crashes, API down, our monitor killed with a
//! notification pending; a wrong password and a wrong CA, said by `check` and the log, nothing
//! sent, no secret printed; a token renewed mid-run), then ours and masakari-monitors' side by side
//! on one libvirtd, each logging in to Keystone. Needs root and `make deps`. noauth2 stays covered
//! for the instance monitor by `make bench-instancemonitor` (the real API) and the crate's own
//! `instancemonitor/tests/delivery.rs`, and for the shared client by the host monitor's lab tests.
//!
//! One lab for all of it (its computes are independent: compute1 for ours alone, compute2 for the
//! side-by-side run), so the scenarios run in one test, one after the other. Every guest failure uses
//! a guest of its own, so each notification is told apart by its instance UUID; the lab's API has its
//! duplicate check off (`duplicate_notification_detection_interval = 0` with libvirt), so a monitor
//! that reports one event twice is seen twice.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers: a failure should stop the test

use std::collections::BTreeMap;
use std::time::Duration;

use masakari_lab::instancemonitor::{InstanceMonitor, Subject, libvirt_clients};
use masakari_lab::keystone;
use masakari_lab::libvirt::{Guest, Libvirt};
use masakari_lab::masakari::notifications_for;
use masakari_lab::stage::Profile;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabSpec, Machine, tls};

/// How long a notification may take to be stored (the API's retries are 10 s apart at first).
const WITHIN: Duration = Duration::from_secs(90);
/// How long the test waits after the last arrival before it counts (no second copy may come).
const QUIET: Duration = Duration::from_secs(6);
/// The compute of ours alone, and the one of the side-by-side run.
const ALONE: Machine = Machine::Compute(1);
const SIDE: Machine = Machine::Compute(2);
/// The host name the incumbent reports as, registered with the API beside compute2.
const INCUMBENT_HOST: &str = "compute2-incumbent";

/// A stored VM notification's payload: (event, vir_domain_event, instance_uuid).
type Vm = (String, String, String);

fn vm(event: &str, detail: &str, guest: &Guest) -> Vm {
    (event.to_owned(), detail.to_owned(), guest.uuid.clone())
}

/// The VM notifications the API stored for a host, counted by payload.
fn stored(lab: &Lab, host: &str) -> BTreeMap<Vm, usize> {
    let mut counts = BTreeMap::new();
    for n in notifications_for(lab.layout(), host).unwrap() {
        assert_eq!(n.kind, "VM", "{n:?}");
        let field = |k: &str| n.payload[k].as_str().unwrap_or_default().to_owned();
        let key = (
            field("event"),
            field("vir_domain_event"),
            field("instance_uuid"),
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// Waits until the API holds `want` for `host`; on a timeout, says what the monitors logged.
fn wait_stored(lab: &Lab, host: &str, want: &Vm, monitors: &[&InstanceMonitor]) {
    let found = poll_until(&format!("{want:?} stored for {host}"), WITHIN, || {
        Ok(stored(lab, host).contains_key(want).then_some(()))
    });
    if let Err(e) = found {
        let logs: Vec<String> = monitors
            .iter()
            .map(|m| format!("--- {} ---\n{}", m.label(), m.log(lab)))
            .collect();
        panic!("{e}; stored: {:?}\n{}", stored(lab, host), logs.join("\n"));
    }
}

/// Starts a fresh guest `n` of a compute and returns it.
fn running_guest(lab: &Lab, machine: Machine, n: u16) -> Guest {
    let guest = Guest::of(machine, n);
    let libvirt = Libvirt::of(lab, machine);
    if n != 1 {
        libvirt.define(&guest).unwrap();
    }
    libvirt.start(&guest).unwrap();
    guest
}

/// Waits until ours' status says a notification is pending and the API failed.
fn wait_pending(lab: &Lab, monitor: &InstanceMonitor, guest: &Guest) {
    poll_until("the notification to be pending", WITHIN, || {
        Ok(monitor.status(lab).filter(|s| {
            s["api"]["last_ok"] == false
                && s["pending"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|n| n["instance_uuid"] == guest.uuid))
        }))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", monitor.log(lab)));
}

/// Stops libvirtd, kills the guest while it is down, starts libvirtd again and waits until the
/// monitors are connected again.
fn crash_while_libvirtd_is_down(lab: &Lab, machine: Machine, guest: &Guest) {
    let libvirt = Libvirt::of(lab, machine);
    libvirt.stop_daemon().unwrap();
    libvirt.kill_guest(guest).unwrap();
    libvirt.start_daemon().unwrap();
    let state = libvirt.state(guest).unwrap();
    assert!(state.contains("crashed"), "{} is {state}", guest.name);
}

fn ours_alone(lab: &Lab) -> InstanceMonitor {
    let ours = InstanceMonitor::start(lab, ALONE, Subject::Ours(Profile::Running), "compute1")
        .unwrap_or_else(|e| panic!("{e}"));
    let libvirt = Libvirt::of(lab, ALONE);
    let host = "compute1";
    let mut expected = Vec::new();

    // Crash: kill -9 of the guest's qemu.
    let g1 = running_guest(lab, ALONE, 1);
    libvirt.kill_guest(&g1).unwrap();
    expected.push(vm("LIFECYCLE", "STOPPED_FAILED", &g1));
    wait_stored(lab, host, expected.last().unwrap(), &[&ours]);

    // virsh destroy.
    let g2 = running_guest(lab, ALONE, 2);
    libvirt.destroy(&g2).unwrap();
    expected.push(vm("LIFECYCLE", "STOPPED_DESTROYED", &g2));
    wait_stored(lab, host, expected.last().unwrap(), &[&ours]);

    // libvirtd restarted while the guest crashes: libvirt itself emits the event before anyone
    // is connected again; ours finds the crash in its reconcile after the reconnect.
    let g3 = running_guest(lab, ALONE, 3);
    crash_while_libvirtd_is_down(lab, ALONE, &g3);
    ours.wait_connected(lab).unwrap();
    expected.push(vm("LIFECYCLE", "STOPPED_FAILED", &g3));
    wait_stored(lab, host, expected.last().unwrap(), &[&ours]);

    // The API is down when the guest crashes: pending, then delivered once it is back.
    let g4 = running_guest(lab, ALONE, 4);
    lab.set_api_running(false).unwrap();
    libvirt.kill_guest(&g4).unwrap();
    wait_pending(lab, &ours, &g4);
    lab.set_api_running(true).unwrap();
    expected.push(vm("LIFECYCLE", "STOPPED_FAILED", &g4));
    wait_stored(lab, host, expected.last().unwrap(), &[&ours]);

    // Our monitor killed with the notification pending: its outbox file brings it back.
    let g5 = running_guest(lab, ALONE, 5);
    lab.set_api_running(false).unwrap();
    libvirt.kill_guest(&g5).unwrap();
    wait_pending(lab, &ours, &g5);
    ours.kill().unwrap();
    lab.set_api_running(true).unwrap();
    ours.run(lab).unwrap();
    expected.push(vm("LIFECYCLE", "STOPPED_FAILED", &g5));
    wait_stored(lab, host, expected.last().unwrap(), &[&ours]);

    // Keystone refusing the password, then a CA that is not Keystone's: nothing is sent, both
    // said; the notification waits in the outbox and goes once the configuration is right.
    let g6 = running_guest(lab, ALONE, 6);
    refused_logins(lab, &ours, &g6);
    expected.push(vm("LIFECYCLE", "STOPPED_FAILED", &g6));
    wait_stored(lab, host, expected.last().unwrap(), &[&ours]);

    std::thread::sleep(QUIET);
    let want: BTreeMap<Vm, usize> = expected.into_iter().map(|k| (k, 1)).collect();
    assert_eq!(stored(lab, host), want, "{}", ours.log(lab));
    ours
}

/// The password the test configures instead of the lab's.
const WRONG_PASSWORD: &str = "not-the-lab-password";

/// Restarts ours with its configuration changed by `edit`; where its new log starts.
fn restart_with(lab: &Lab, ours: &InstanceMonitor, edit: impl FnOnce(String) -> String) -> usize {
    let path = ours.config_file();
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, edit(text)).unwrap();
    ours.stop().unwrap();
    let from = ours.log(lab).len();
    ours.run(lab).unwrap();
    from
}

/// What ours logged since `from`.
fn log_since(lab: &Lab, ours: &InstanceMonitor, from: usize) -> String {
    ours.log(lab).get(from..).unwrap_or_default().to_owned()
}

/// Fails unless neither the lab's password nor the wrong one is in `text`.
fn assert_no_secret(lab: &Lab, text: &str) {
    let password = keystone::service_password(lab.layout()).unwrap();
    for secret in [password.trim(), WRONG_PASSWORD] {
        assert!(!text.contains(secret), "a password was printed:\n{text}");
    }
}

/// ours' `check`: whether it passed and what it printed, with no secret in it.
fn check(lab: &Lab, ours: &InstanceMonitor) -> (bool, String) {
    let (ok, printed) = ours.check(lab, &[]).unwrap().unwrap();
    assert_no_secret(lab, &printed);
    (ok, printed)
}

/// A guest killed while ours logs in with a wrong password, then trusts a wrong CA: pending,
/// nothing stored, `check` and the log say why (naming the CA file); then the right configuration
/// again, which delivers it.
fn refused_logins(lab: &Lab, ours: &InstanceMonitor, guest: &Guest) {
    let password = keystone::service_password(lab.layout()).unwrap();
    let right = format!("password = \"{password}\"");
    let wrong = format!("password = \"{WRONG_PASSWORD}\"");
    let from = restart_with(lab, ours, |t| t.replace(&right, &wrong));
    Libvirt::of(lab, ALONE).kill_guest(guest).unwrap();
    wait_pending(lab, ours, guest);
    let (ok, printed) = check(lab, ours);
    assert!(!ok && printed.contains("wrong password"), "{printed}");
    let log = log_since(lab, ours, from);
    assert!(log.contains("wrong password"), "{log}");
    assert_no_secret(lab, &ours.log(lab));

    let (ca, wrong_ca) = (tls::ca_file(lab.layout()), tls::wrong_ca_file(lab.layout()));
    let (ca, wrong_ca) = (ca.display().to_string(), wrong_ca.display().to_string());
    let from = restart_with(lab, ours, |t| {
        t.replace(&wrong, &right).replace(&ca, &wrong_ca)
    });
    let (ok, printed) = check(lab, ours);
    assert!(!ok && printed.contains(&wrong_ca), "{printed}");
    poll_until("the wrong CA to be logged", WITHIN, || {
        Ok(log_since(lab, ours, from).contains(&wrong_ca).then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", ours.log(lab)));
    assert!(
        !stored(lab, "compute1").keys().any(|k| k.2 == guest.uuid),
        "sent without a login"
    );
    assert_no_secret(lab, &ours.log(lab));
    restart_with(lab, ours, |t| t.replace(&wrong_ca, &ca));
}

/// ours' token renewed before its expiry while it runs ([`keystone::TOKEN_LIFETIME`] is short),
/// then a guest killed: stored once.
fn after_a_renewal(lab: &Lab, ours: &InstanceMonitor) {
    let lifetime = Duration::from_secs(keystone::TOKEN_LIFETIME);
    poll_until("ours to renew its token", lifetime, || {
        Ok(ours
            .log(lab)
            .contains("Keystone token renewed ahead of its expiry")
            .then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", ours.log(lab)));
    let guest = running_guest(lab, ALONE, 7);
    Libvirt::of(lab, ALONE).kill_guest(&guest).unwrap();
    let want = vm("LIFECYCLE", "STOPPED_FAILED", &guest);
    wait_stored(lab, "compute1", &want, &[ours]);
    std::thread::sleep(QUIET);
    assert_eq!(stored(lab, "compute1").get(&want), Some(&1));
    assert_no_secret(lab, &ours.log(lab));
    let tokens = keystone::tokens_issued_to(lab.layout(), "masakari-instancemonitor/");
    assert!(
        tokens >= 2,
        "{tokens} tokens issued to ours: a login and a renewal at least"
    );
}

/// The same guest events, seen by both monitors on one libvirtd. Where they differ on purpose:
/// a guest that crashes while libvirtd is down is reported by ours (its reconcile after the
/// reconnect finds the domain shut off, reason crashed) and lost by the incumbent, which only
/// listens to events and gets none for what happened while it was disconnected.
fn side_by_side(lab: &Lab) {
    lab.register_host(INCUMBENT_HOST).unwrap();
    let ours = InstanceMonitor::start(lab, SIDE, Subject::Ours(Profile::Running), "compute2")
        .unwrap_or_else(|e| panic!("{e}"));
    let incumbent = InstanceMonitor::start(lab, SIDE, Subject::Incumbent, INCUMBENT_HOST)
        .unwrap_or_else(|e| panic!("{e}"));
    let monitors = [&ours, &incumbent];
    let libvirt = Libvirt::of(lab, SIDE);
    let both = |want: &Vm| {
        wait_stored(lab, "compute2", want, &monitors);
        wait_stored(lab, INCUMBENT_HOST, want, &monitors);
    };
    let mut common = Vec::new();

    let g1 = running_guest(lab, SIDE, 1);
    libvirt.kill_guest(&g1).unwrap();
    common.push(vm("LIFECYCLE", "STOPPED_FAILED", &g1));
    both(common.last().unwrap());

    let g2 = running_guest(lab, SIDE, 2);
    libvirt.destroy(&g2).unwrap();
    common.push(vm("LIFECYCLE", "STOPPED_DESTROYED", &g2));
    both(common.last().unwrap());

    // A reset is a REBOOT event (detail UNKNOWN in masakari-monitors' table); a pause and a resume
    // are not in the table: neither monitor reports them.
    let g3 = running_guest(lab, SIDE, 3);
    libvirt.virsh(&["suspend", &g3.name]).unwrap();
    libvirt.virsh(&["resume", &g3.name]).unwrap();
    libvirt.virsh(&["reset", &g3.name]).unwrap();
    common.push(vm("REBOOT", "UNKNOWN", &g3));
    both(common.last().unwrap());
    libvirt.destroy(&g3).unwrap();
    common.push(vm("LIFECYCLE", "STOPPED_DESTROYED", &g3));
    both(common.last().unwrap());

    // Deliberately better: the crash while libvirtd is down.
    let g4 = running_guest(lab, SIDE, 4);
    crash_while_libvirtd_is_down(lab, SIDE, &g4);
    ours.wait_connected(lab).unwrap();
    let only_ours = vm("LIFECYCLE", "STOPPED_FAILED", &g4);
    wait_stored(lab, "compute2", &only_ours, &monitors);

    std::thread::sleep(QUIET);
    let logs = format!(
        "--- ours ---\n{}\n--- incumbent ---\n{}",
        ours.log(lab),
        incumbent.log(lab)
    );
    let theirs = stored(lab, INCUMBENT_HOST);
    let mut same = stored(lab, "compute2");
    assert_eq!(same.remove(&only_ours), Some(1), "{logs}");
    // Same payloads, as often, but for one repeated within milliseconds: libvirt 9.0 emits two or
    // three REBOOT events for one reset. Ours posts them in order and each is stored; the incumbent
    // posts each from its own thread, and the API (duplicate interval 0 here) refuses one whose
    // twin with a later generated_time arrived first, so it may store fewer.
    let counts = format!("ours {same:?}\nincumbent {theirs:?}");
    assert!(same.keys().eq(theirs.keys()), "{counts}\n{logs}");
    for (payload, ours_count) in &same {
        let theirs_count = theirs[payload];
        let raced = payload.0 == "REBOOT" && (1..*ours_count).contains(&theirs_count);
        assert!(theirs_count == *ours_count || raced, "{counts}\n{logs}");
    }
    assert!(common.iter().all(|k| theirs.contains_key(k)), "{logs}");
    // Both still connected to the one libvirtd (the incumbent may have died reconnecting to a
    // libvirtd that was down: masakari-monitors lets libvirt's open error end its thread).
    assert!(libvirt_clients(lab, SIDE).contains(&ours.pid()), "{logs}");
}

#[test]
fn guest_failures_reach_the_real_api_once_and_as_masakari_monitors_sends_them() {
    let lab = Lab::up(LabSpec {
        libvirt: true,
        keystone: true,
        ..LabSpec::new("tim1")
    })
    .unwrap();
    let ours = ours_alone(&lab);
    side_by_side(&lab);
    after_a_renewal(&lab, &ours);
}
