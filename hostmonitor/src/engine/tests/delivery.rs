//! Delivery outcomes, retries, restarts and the durable record.

use std::time::Duration;

use super::*;

#[test]
fn a_409_counts_as_delivered() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    let actions = h.deliver(
        &n.id,
        DeliveryOutcome::Duplicate {
            message: "duplicate".into(),
        },
    );
    assert!(reported(&actions, |r| matches!(
        r,
        Report::AlreadyRecorded { .. }
    )));
    assert_eq!(h.engine.poll_timeout(), None);
    assert!(h.engine.status().hosts[0].pending.is_empty());
}

#[test]
fn a_400_is_permanent_and_loud() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    let actions = h.deliver(
        &n.id,
        DeliveryOutcome::Rejected {
            status: 400,
            message: "no such host".into(),
        },
    );
    let rejected = reports(&actions)
        .into_iter()
        .find(|r| matches!(r, Report::Rejected { .. }))
        .unwrap();
    assert_eq!(rejected.level(), Level::Error);
    assert!(rejected.to_string().contains("no such host"));
    assert!(h.engine.status().hosts[0].pending.is_empty());
    assert!(h.sent_on_fence("c1").is_empty(), "not sent again");
}

#[test]
fn transient_failures_are_retried_with_capped_backoff_and_never_abandoned() {
    let config = Config {
        retry: Retry {
            alert_after: 3,
            interval: Duration::from_secs(10),
            max_interval: Duration::from_secs(15),
        },
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    let n = h.stopped("c1");
    let mut delays = Vec::new();
    let mut levels = Vec::new();
    for _ in 0..50 {
        let failed_at = h.now.saturating_add(Duration::from_secs(1));
        let actions = h.fail_delivery(&n.id, "503");
        let retry = reports(&actions)
            .into_iter()
            .find(|r| matches!(r, Report::RetryScheduled { .. }))
            .unwrap();
        levels.push(retry.level());
        let due = h.engine.poll_timeout().expect("still retried");
        delays.push(due.saturating_duration_since(failed_at).as_secs());
        let again = h.timeout(due);
        assert_eq!(notifications(&again), [&n], "same id and generated_time");
    }
    assert_eq!(delays[..4], [10, 15, 15, 15]);
    assert!(delays.iter().all(|d| *d <= 15), "capped");
    assert_eq!(levels[..3], [Level::Warn; 3]);
    assert!(
        levels[3..].iter().all(|l| *l == Level::Error),
        "overdue is loud"
    );
    assert_eq!(h.engine.status().hosts[0].pending.len(), 1);
}

#[test]
fn status_shows_a_pending_notification_with_attempts_error_and_next_try() {
    let config = Config {
        retry: Retry {
            alert_after: 1,
            ..Retry::default()
        },
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    let n = h.stopped("c1");
    for _ in 0..2 {
        h.fail_delivery(
            &n.id,
            "POST http://api/v1/notifications: connection refused",
        );
        let pending = &h.engine.status().hosts[0].pending[0];
        assert_eq!(pending.retry_at, h.engine.poll_timeout());
        assert!(pending.last_error.as_deref().unwrap().contains("refused"));
        if pending.attempts == 1 {
            assert!(!pending.overdue);
            let due = h.engine.poll_timeout().unwrap();
            h.timeout(due);
        }
    }
    let status = h.engine.status();
    let pending = &status.hosts[0].pending[0];
    assert_eq!((pending.attempts, pending.overdue), (2, true));
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["hosts"][0]["pending"][0]["overdue"], true);
}

#[test]
fn a_retrying_stopped_is_dropped_when_the_host_is_back() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    h.fail_delivery(&n.id, "503");
    let back = h.member("c1");
    assert!(
        reported(&back, |r| matches!(r, Report::Dropped { attempts: 1, .. })),
        "{back:?}"
    );
    assert_eq!(sent(&back), ["c1:STARTED"], "STARTED goes out at once");
    let pending = &h.engine.status().hosts[0].pending;
    assert_eq!(pending.len(), 1);
    assert!(pending[0].id.as_str().ends_with("/started"));
}

#[test]
fn a_retry_waits_for_quorum() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    h.fail_delivery(&n.id, "timeout");
    h.event(Event::Quorum { quorate: false });
    assert_eq!(h.engine.poll_timeout(), None);
    assert!(sent(&h.timeout(h.now.saturating_add(Duration::from_secs(30)))).is_empty());
    assert_eq!(
        sent(&h.event(Event::Quorum { quorate: true })),
        ["c1:STOPPED/NORMAL"]
    );
}

#[test]
fn stale_delivery_results_are_ignored() {
    let mut h = Harness::new(Config::default(), 4);
    let actions = h.deliver(
        &NotificationId::new("c1", 9, "started"),
        DeliveryOutcome::Accepted,
    );
    assert!(reported(&actions, |r| matches!(
        r,
        Report::Ignored(Ignored::StaleDelivery(_))
    )));
}

#[test]
fn a_restart_mid_episode_neither_loses_nor_duplicates() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let record = h.engine.record();
    let text = serde_json::to_string(&record).unwrap();
    let restored: Record = serde_json::from_str(&text).unwrap();
    h.engine = Engine::restore(Config::default(), restored).unwrap();
    let mut views = h.views(&["c1"]);
    views[0].fencing.last_success = Some(h.now.saturating_add(Duration::from_secs(1)));
    assert_eq!(sent(&h.snapshot(views.clone())), ["c1:STOPPED/NORMAL"]);
    let n = h.in_flight("c1").unwrap();
    h.deliver(&n, DeliveryOutcome::Accepted);
    assert!(sent(&h.snapshot(views)).is_empty());
}

#[test]
fn a_restart_with_a_notification_in_flight_sends_it_again_unchanged() {
    let mut h = Harness::new(Config::default(), 4);
    let first = h.stopped("c1");
    let persisted = h.engine.record();
    h.engine = Engine::restore(Config::default(), persisted).unwrap();
    let actions = h.event(Event::Quorum { quorate: true });
    assert_eq!(notifications(&actions), [&first]);
    h.deliver(
        &first.id,
        DeliveryOutcome::Duplicate {
            message: "already".into(),
        },
    );
    assert!(sent(&h.snapshot(h.views(&["c1"]))).is_empty());
}

#[test]
fn a_restored_engine_does_not_persist_an_unchanged_record() {
    let mut h = Harness::new(Config::default(), 4);
    let record = h.engine.record();
    h.engine = Engine::restore(Config::default(), record).unwrap();
    let actions = h.event(Event::Quorum { quorate: true });
    assert!(!actions.iter().any(|a| matches!(a, Action::Persist(_))));
}

fn persists(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::Persist(_)))
}

#[test]
fn a_host_that_stays_online_is_never_rewritten_but_transitions_are() {
    let mut h = Harness::new(Config::default(), 4);
    for _ in 0..720 {
        h.now = h.now.saturating_add(Duration::from_secs(5));
        assert!(!persists(&h.snapshot(h.views(&[]))));
    }
    assert!(persists(&h.lost("c1")));
    assert!(persists(&h.member("c1")));
}

#[test]
fn a_sighting_after_a_known_fence_is_persisted_so_a_restart_orders_them_alike() {
    let mut h = Harness::new(Config::default(), 4);
    h.now = h.now.saturating_add(Duration::from_secs(600));
    let fenced_at = h.now;
    let mut views = h.views(&[]);
    views[0].fencing.last_success = Some(fenced_at);
    assert!(
        persists(&h.snapshot(views.clone())),
        "the fence, seen online after it"
    );
    assert!(!persists(&h.snapshot(views)));
    h.engine = Engine::restore(Config::default(), h.engine.record()).unwrap();
    let mut lost = h.views(&["c1"]);
    lost[0].fencing.last_success = Some(fenced_at);
    let actions = h.snapshot(lost);
    assert!(
        !sent(&actions).contains(&"c1:STOPPED/NORMAL".to_owned()),
        "a fence before the last sighting confirmed a later loss: {actions:?}"
    );
}

#[test]
fn an_unsupported_record_is_refused() {
    let h = Harness::new(Config::default(), 1);
    let json = serde_json::to_string(&h.engine.record()).unwrap();
    let newer = json.replace(r#""c1":{"v":1,"#, r#""c1":{"v":2,"#);
    assert_ne!(json, newer);
    let record: Record = serde_json::from_str(&newer).unwrap();
    let err = Engine::restore(Config::default(), record).unwrap_err();
    assert!(
        matches!(&err, RecordError::UnsupportedVersion { part, found: 2, .. } if part == "host c1")
    );
}

#[test]
fn host_records_are_small() {
    let mut h = Harness::new(Config::default(), 1);
    let online = serde_json::to_string(&h.engine.record().hosts["c1"]).unwrap();
    assert_eq!(
        online,
        r#"{"v":1,"kind":"remote","present":true,"phase":{"phase":"online"},"episode":0,"last_online":1700000001000000}"#
    );
    h.lost("c1");
    let persisted: Vec<RecordUpdate> = h
        .fenced("c1", FenceOutcome::Succeeded)
        .into_iter()
        .filter_map(|a| match a {
            Action::Persist(update) => Some(update),
            _ => None,
        })
        .collect();
    assert_eq!(persisted.len(), 1);
    assert_eq!(persisted[0].hosts.len(), 1, "only c1 changed");
    assert_eq!(persisted[0].guard, None);
}
