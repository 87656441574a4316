//! `masakari-instancemonitor run` end to end: a real libvirtd with a real (TCG, diskless) qemu
//! guest, and masakari-client's fake API (the real API is the lab's): a killed guest is posted
//! once; an API that is down gets it once when it returns; a monitor killed with a notification
//! pending posts it once after its restart, from its state file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers: a failure should stop the test

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::run::{Api, Daemon, config};
use support::{GUEST_UUID, Libvirt};

const WITHIN: Duration = Duration::from_secs(30);
/// How long a second notification is waited for, to see none comes.
const QUIET: Duration = Duration::from_secs(3);

/// A monitor watching a running guest, its API down, and the guest then killed: the
/// notification is pending in the monitor's outbox.
fn crashed_while_the_api_is_down(name: &str) -> Option<(Libvirt, Api, PathBuf, Daemon)> {
    let libvirt = support::guest_running(name)?;
    let api = Api::down();
    let config = config(
        &libvirt.dir.join("monitor"),
        &libvirt.uri(),
        &api.endpoint(),
        "",
    );
    let daemon = Daemon::start(&config);
    daemon.wait_until("the guest", |s| s.domains.active == 1);
    libvirt.kill_guest();
    let pending = daemon.wait_until("a pending notification", |s| s.pending.len() == 1);
    assert_eq!(pending.pending[0].instance_uuid, GUEST_UUID);
    assert_eq!(pending.pending[0].id.as_str(), "compute-1/1/vm");
    Some((libvirt, api, config, daemon))
}

fn assert_stopped_failed(n: &serde_json::Value) {
    let n = &n["notification"];
    assert_eq!(n["type"], "VM", "{n}");
    assert_eq!(n["hostname"], "compute-1", "{n}");
    let payload = &n["payload"];
    assert_eq!(payload["event"], "LIFECYCLE", "{n}");
    assert_eq!(payload["vir_domain_event"], "STOPPED_FAILED", "{n}");
    assert_eq!(payload["instance_uuid"], GUEST_UUID, "{n}");
}

fn free_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn scrape(address: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn a_killed_guest_is_posted_once_as_a_vm_notification() {
    let Some(libvirt) = support::guest_running("run-once") else {
        return;
    };
    let api = Api::up();
    let metrics = free_port();
    let config = config(
        &libvirt.dir.join("monitor"),
        &libvirt.uri(),
        &api.endpoint(),
        &metrics,
    );
    let daemon = Daemon::start(&config);
    daemon.wait_until("the guest", |s| s.domains.active == 1);

    libvirt.kill_guest();
    let posted = api.wait_for(1, WITHIN);
    assert_eq!(posted.len(), 1, "one notification");
    assert_stopped_failed(&posted[0]);
    let status = daemon.wait_until("the delivery", |s| s.api.delivered == 1);
    assert!(status.pending.is_empty(), "{status:?}");
    assert_eq!(status.api.last_ok, Some(true));
    assert_eq!(status.domains.active, 0);
    assert_eq!(api.wait_for(2, QUIET).len(), 1, "posted twice");

    let json = daemon.cli(&["status", "--json"]);
    assert!(json.status.success(), "{json:?}");
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(answer["libvirt"]["connected"], true);
    assert_eq!(answer["domains"]["seen"], 1);
    let text = daemon.cli(&["status"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("pending:       0 (0 overdue)"), "{text}");
    let metrics = scrape(&metrics);
    for line in [
        "masakari_instancemonitor_libvirt_connected 1\n",
        "masakari_instancemonitor_notification_requests_total{result=\"accepted\"} 1\n",
        "masakari_instancemonitor_event_to_delivery_seconds_count 1\n",
        "masakari_instancemonitor_notifications_pending 0\n",
    ] {
        assert!(metrics.contains(line), "{line}: {metrics}");
    }
}

#[test]
fn an_api_down_gets_the_notification_once_when_it_returns() {
    let Some((_libvirt, mut api, _, daemon)) = crashed_while_the_api_is_down("run-down") else {
        return;
    };
    let failing = daemon.wait_until("a second failed attempt", |s| s.pending[0].attempts >= 2);
    assert_eq!(failing.api.last_ok, Some(false));
    assert!(failing.pending[0].last_error.is_some(), "{failing:?}");

    api.come_back();
    let posted = api.wait_for(1, WITHIN);
    assert_eq!(posted.len(), 1);
    assert_stopped_failed(&posted[0]);
    daemon.wait_until("the delivery", |s| s.pending.is_empty());
    assert_eq!(api.wait_for(2, QUIET).len(), 1, "posted twice");
}

#[test]
fn a_monitor_killed_with_a_notification_pending_posts_it_once_after_its_restart() {
    let Some((_libvirt, mut api, config, first)) = crashed_while_the_api_is_down("run-kill") else {
        return;
    };
    first.kill();

    api.come_back();
    let second = Daemon::start(&config);
    let posted = api.wait_for(1, WITHIN);
    assert_eq!(posted.len(), 1);
    assert_stopped_failed(&posted[0]);
    second.wait_until("the delivery", |s| {
        s.pending.is_empty() && s.api.delivered == 1
    });
    assert_eq!(api.wait_for(2, QUIET).len(), 1, "posted twice");
}
