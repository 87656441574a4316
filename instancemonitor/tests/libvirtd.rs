//! The monitor against a real libvirtd and a real (TCG, diskless) qemu guest.
//!
//! One daemon for all scenarios, to keep the wall time short: a killed guest, a destroyed
//! guest, and a guest killed while libvirtd is down (reported once after the reconnect).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers: a failure should stop the test

mod support;

use std::time::Duration;

use support::run::{Api, config};
use support::{GUEST, GUEST_UUID, Monitor};

const WITHIN: Duration = Duration::from_secs(20);

fn expect(monitor: &Monitor, detail: &str) {
    let notification = monitor
        .next_notification(WITHIN)
        .unwrap_or_else(|| panic!("no {detail}"));
    assert_eq!(notification["type"], "VM");
    let payload = &notification["payload"];
    assert_eq!(payload["event"], "LIFECYCLE", "{notification}");
    assert_eq!(payload["vir_domain_event"], detail, "{notification}");
    assert_eq!(payload["instance_uuid"], GUEST_UUID, "{notification}");
}

#[test]
fn guest_failures_reach_the_monitor_from_a_real_libvirtd() {
    let Some(mut libvirt) = support::guest_running("events") else {
        return;
    };
    let monitor = Monitor::events(&libvirt.uri());
    monitor.wait_note("connected to libvirt", WITHIN);

    libvirt.kill_guest();
    expect(&monitor, "STOPPED_FAILED");

    libvirt.virsh(&["start", GUEST]);
    libvirt.virsh(&["destroy", GUEST]);
    expect(&monitor, "STOPPED_DESTROYED");

    libvirt.virsh(&["start", GUEST]);
    libvirt.stop_daemon();
    monitor.wait_note("closed the connection", WITHIN);
    libvirt.kill_guest();
    libvirt.start_daemon();
    monitor.wait_note("connected to libvirt", WITHIN);
    expect(&monitor, "STOPPED_FAILED");
    assert!(
        libvirt
            .virsh(&["domstate", "--reason", GUEST])
            .contains("crashed")
    );
    let again = monitor.next_notification(Duration::from_secs(2));
    assert_eq!(again, None, "reported twice");
}

#[test]
fn check_says_libvirt_and_the_api_are_usable_and_names_a_missing_socket() {
    let Some(libvirt) = support::private_libvirtd("check") else {
        return;
    };
    let api = Api::up();
    let config = config(
        &libvirt.dir.join("monitor"),
        &libvirt.uri(),
        &api.endpoint(),
        "",
    );
    let run = |set: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_masakari-instancemonitor"))
            .arg("check")
            .arg("--config")
            .arg(&config)
            .args(set)
            .output()
            .unwrap()
    };
    let ok = run(&[]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{ok:?}");
    let socket = libvirt.ro_socket();
    for line in [
        format!(
            "libvirt        ok    reachable read-only at {}: 0 domains (0 active), events registered\n",
            socket.display()
        ),
        format!(
            "masakari api   ok    GET {}/segments with noauth2 as admin:admin: 200 OK, 1 failover segments\n",
            api.endpoint()
        ),
        "masakari hosts ok    all 1 watched nodes are hosts of Masakari segments\n".to_owned(),
        "state file     ok    ".to_owned(),
        "monitor        ok    no monitor runs here".to_owned(),
    ] {
        assert!(stdout.contains(&line), "{line}: {stdout}");
    }

    let missing = run(&[
        "--set",
        "libvirt.uri=qemu:///system?socket=/nonexistent/sock",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&missing.stdout);
    assert!(
        stdout.contains("libvirt        FAIL  cannot connect to libvirt at /nonexistent/sock"),
        "{stdout}"
    );

    let remote = run(&["--set", "libvirt.uri=qemu+ssh://elsewhere/system"]);
    assert_eq!(remote.status.code(), Some(2));
}
