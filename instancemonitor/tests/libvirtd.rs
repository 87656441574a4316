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

use support::{GUEST, GUEST_UUID, Libvirt, Monitor};

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
    if !support::available() {
        eprintln!("skipped: needs root, libvirtd, virsh and qemu-system-x86_64");
        return;
    }
    let mut libvirt = Libvirt::start("events");
    libvirt.define_guest();
    libvirt.virsh(&["start", GUEST]);
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
fn check_says_libvirt_is_reachable_and_names_a_missing_socket() {
    if !support::available() {
        eprintln!("skipped: needs root, libvirtd, virsh and qemu-system-x86_64");
        return;
    }
    let libvirt = Libvirt::start("check");
    let run = |uri: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_masakari-instancemonitor"))
            .args(["check", "--uri", uri])
            .output()
            .unwrap()
    };
    let ok = run(&libvirt.uri());
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{ok:?}");
    assert!(
        stdout.starts_with("libvirt reachable read-only at "),
        "{stdout}"
    );
    assert!(stdout.contains("0 domains (0 active)"), "{stdout}");

    let missing = run("qemu:///system?socket=/nonexistent/sock");
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("cannot connect to libvirt at /nonexistent/sock"),
        "{stderr}"
    );

    let remote = run("qemu+ssh://elsewhere/system");
    assert_eq!(remote.status.code(), Some(2));
}
