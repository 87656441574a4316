use std::time::Duration;

use super::*;
use crate::engine::{NotificationId, Timestamp};

fn t(ms: u64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000, 0).saturating_add(Duration::from_millis(ms))
}

fn id(text: &str) -> NotificationId {
    serde_json::from_value(serde_json::json!(text)).unwrap()
}

fn lost(host: &str, episode: u64) -> Report {
    Report::HostLost {
        host: host.into(),
        episode,
    }
}

fn fenced(host: &str, at: Timestamp) -> Report {
    Report::FenceConfirmed {
        host: host.into(),
        by: Confirmation::Fence(at),
    }
}

fn delivered(text: &str) -> Report {
    Report::Delivered { id: id(text) }
}

fn text(m: &Metrics) -> String {
    m.render(&HealthView::default(), None)
}

fn has(out: &str, line: &str) {
    assert!(
        out.contains(&format!("masakari_hostmonitor_{line}\n")),
        "{line}:\n{out}"
    );
}

#[test]
fn latencies_run_from_detection_and_fence_to_the_stored_notification() {
    let m = Metrics::default();
    m.observe(t(0), &lost("c1", 1));
    m.observe(t(4000), &fenced("c1", t(3950)));
    m.observe(t(4040), &delivered("c1/1/stopped-normal"));
    let out = text(&m);
    has(&out, "detection_to_notification_seconds_sum 4.04");
    has(&out, "detection_to_notification_seconds_count 1");
    has(&out, "fence_to_notification_seconds_bucket{le=\"0.05\"} 0");
    has(&out, "fence_to_notification_seconds_bucket{le=\"0.1\"} 1");
    has(&out, "fence_to_notification_seconds_count 1");
    has(&out, "notifications_total{outcome=\"delivered\"} 1");
    has(&out, "hosts_lost_total 1");
    assert!(m.0.lock().unwrap().lost.is_empty(), "the episode is over");
}

#[test]
fn unknown_first_counts_detection_once() {
    let m = Metrics::default();
    m.observe(t(0), &lost("c1", 2));
    m.observe(
        t(120_000),
        &Report::FenceTimedOut {
            host: "c1".into(),
            waited: Duration::from_secs(120),
        },
    );
    m.observe(t(120_100), &delivered("c1/2/stopped-unknown"));
    m.observe(t(200_000), &fenced("c1", t(199_000)));
    m.observe(t(200_500), &delivered("c1/2/stopped-normal"));
    let out = text(&m);
    has(&out, "detection_to_notification_seconds_count 1");
    has(&out, "detection_to_notification_seconds_sum 120.1");
    has(&out, "fence_to_notification_seconds_sum 1.5");
    has(&out, "fence_failures_total 1");
}

#[test]
fn stale_and_foreign_deliveries_are_not_timed() {
    let m = Metrics::default();
    m.observe(t(0), &lost("rack/c1", 3));
    m.observe(t(10), &delivered("rack/c1/2/stopped-normal"));
    m.observe(t(10), &delivered("rack/c1/3/started"));
    m.observe(t(10), &delivered("nonsense"));
    m.observe(t(20), &delivered("other/1/stopped-normal"));
    has(&text(&m), "detection_to_notification_seconds_count 0");
    m.observe(
        t(30),
        &Report::HostBack {
            host: "rack/c1".into(),
            stop_sent: false,
        },
    );
    assert!(m.0.lock().unwrap().lost.is_empty());
    m.observe(t(40), &delivered("rack/c1/3/stopped-normal"));
    has(&text(&m), "detection_to_notification_seconds_count 0");
}

#[test]
fn requests_outcomes_and_reconciles_are_counted() {
    let m = Metrics::default();
    m.request(&DeliveryOutcome::Accepted);
    m.request(&DeliveryOutcome::Transient { reason: "x".into() });
    m.request(&DeliveryOutcome::Transient { reason: "y".into() });
    m.observe(
        t(0),
        &Report::Dropped {
            id: id("c/1/started"),
            attempts: 3,
            reason: "r".into(),
            dismissed: false,
        },
    );
    m.observe(
        t(0),
        &Report::Dismissed {
            host: "c".into(),
            process: None,
            episode: 2,
            dropped: vec![id("c/2/stopped-normal")],
            in_flight: None,
        },
    );
    m.observe(
        t(0),
        &Report::Dropped {
            id: id("c/2/started"),
            attempts: 1,
            reason: "r".into(),
            dismissed: true,
        },
    );
    m.observe(
        t(0),
        &Report::MassFailureHold {
            lost: 5,
            watched: 6,
        },
    );
    m.observe(
        t(0),
        &Report::ProcessGaveUp {
            host: "c".into(),
            process: "nova-compute".into(),
            episode: 1,
        },
    );
    m.reconciled(true);
    m.reconciled(false);
    m.unchanged();
    let health = HealthView {
        alerts_accepted: 4,
        alerts_refused: 1,
        cib_ok: Some(true),
        cib_ipc: Some(false),
        api_ok: Some(false),
        ..HealthView::default()
    };
    let gauges = Gauges {
        pending: 2,
        overdue: 1,
        watched: 6,
        lost: 5,
        processes_gave_up: 3,
        hold: true,
        quorate: None,
    };
    let out = m.render(&health, Some(&gauges));
    for line in [
        "notification_requests_total{result=\"accepted\"} 1",
        "notification_requests_total{result=\"failed\"} 2",
        "notifications_total{outcome=\"dropped\"} 1",
        "notifications_total{outcome=\"dismissed\"} 2",
        "mass_failure_holds_total 1",
        "process_episodes_total 1",
        "reconciles_total 2",
        "reconcile_failures_total 1",
        "reconciles_unchanged_total 1",
        "alerts_received_total 4",
        "alerts_refused_total 1",
        "cib_ok 1",
        "cib_ipc 0",
        "api_ok 0",
        "notifications_pending 2",
        "notifications_overdue 1",
        "mass_failure_hold 1",
    ] {
        has(&out, line);
    }
    assert!(
        !out.contains("quorate"),
        "unknown values are left out: {out}"
    );
    assert!(!out.contains("corosync"), "{out}");
}

#[test]
fn every_family_has_help_and_type_once() {
    let out = Metrics::default().render(&HealthView::default(), Some(&Gauges::default()));
    let mut names = std::collections::BTreeSet::new();
    for line in out.lines().filter(|l| l.starts_with("# TYPE ")) {
        assert!(names.insert(line.to_owned()), "{line} twice");
    }
    assert_eq!(
        out.lines().filter(|l| l.starts_with("# HELP ")).count(),
        names.len()
    );
    assert!(
        out.lines()
            .all(|l| l.starts_with('#') || l.starts_with("masakari_hostmonitor_"))
    );
}

#[test]
fn gauges_come_from_the_status_answer() {
    let mut status = crate::control::tests::sample();
    status.engine.mass_failure_hold = true;
    status.engine.quorate = Some(false);
    let pending = &mut status.engine.hosts[0].pending;
    pending.push(pending[0].clone());
    pending[1].overdue = true;
    assert_eq!(
        Gauges::from_status(&status),
        Gauges {
            pending: 3,
            overdue: 1,
            watched: 2,
            lost: 1,
            processes_gave_up: 1,
            hold: true,
            quorate: Some(false)
        }
    );
    status.engine.hosts.clear();
    status.engine.mass_failure_hold = false;
    status.engine.quorate = None;
    assert_eq!(Gauges::from_status(&status), Gauges::default());
}

#[test]
fn the_corosync_link_is_a_gauge() {
    let at = Timestamp::from_unix(1_700_000_000, 0);
    let gauge = |link| {
        let health = HealthView {
            corosync: link,
            ..HealthView::default()
        };
        let out = Metrics::default().render(&health, None);
        out.lines()
            .find(|l| l.starts_with("masakari_hostmonitor_corosync_connected "))
            .map(str::to_owned)
    };
    assert_eq!(gauge(None), None);
    let up = Some(CorosyncLink::Connected { since: at });
    assert_eq!(
        gauge(up).as_deref(),
        Some("masakari_hostmonitor_corosync_connected 1")
    );
    let down = Some(CorosyncLink::Reconnecting {
        since: at,
        last_error: "gone".into(),
        next_attempt: at,
    });
    assert_eq!(
        gauge(down).as_deref(),
        Some("masakari_hostmonitor_corosync_connected 0")
    );
}
