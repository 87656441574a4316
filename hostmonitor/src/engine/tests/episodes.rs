//! Failure episodes: loss, fencing, failure, timeout, return.

use std::time::Duration;

use super::*;

#[test]
fn lost_then_fenced_sends_one_stopped_normal() {
    let mut h = Harness::new(Config::default(), 4);
    assert!(sent(&h.lost("c1")).is_empty());
    let actions = h.fenced("c1", FenceOutcome::Succeeded);
    assert_eq!(sent(&actions), ["c1:STOPPED/NORMAL"]);
    let n = notifications(&actions)[0].clone();
    assert_eq!(n.id.as_str(), "c1/1/stopped-normal");
    // The same facts again, from alerts and a reconcile with the fence history.
    assert!(sent(&h.lost("c1")).is_empty());
    assert!(h.sent_on_fence("c1").is_empty());
    let mut views = h.views(&["c1"]);
    views[0].fencing.last_success = Some(h.now);
    assert!(sent(&h.snapshot(views)).is_empty());
    assert!(sent(&h.deliver(&n.id, DeliveryOutcome::Accepted)).is_empty());
    assert!(sent(&h.lost("c1")).is_empty());
    assert_eq!(h.in_flight("c1"), None);
}

#[test]
fn the_record_is_persisted_before_the_notification() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let actions = h.fenced("c1", FenceOutcome::Succeeded);
    let persist = actions.iter().position(|a| matches!(a, Action::Persist(_)));
    let notify = actions.iter().position(|a| matches!(a, Action::Notify(_)));
    assert!(persist.unwrap() < notify.unwrap());
}

#[test]
fn the_reconcile_path_alone_notifies() {
    let mut h = Harness::new(Config::default(), 4);
    let mut views = h.views(&["c2"]);
    assert!(sent(&h.snapshot(views.clone())).is_empty());
    views[1].fencing.last_success = Some(h.now);
    views[1].unclean = false;
    assert_eq!(sent(&h.snapshot(views)), ["c2:STOPPED/NORMAL"]);
}

#[test]
fn lost_and_fenced_in_one_reconcile_notifies() {
    let mut h = Harness::new(Config::default(), 4);
    let mut views = h.views(&["c3"]);
    views[2].fencing.last_success = Some(h.now.saturating_add(Duration::from_secs(1)));
    assert_eq!(sent(&h.snapshot(views)), ["c3:STOPPED/NORMAL"]);
}

#[test]
fn an_old_fence_does_not_confirm_a_new_loss() {
    let mut h = Harness::new(Config::default(), 4);
    let old = secs(0);
    h.lost("c1");
    let actions = h.event(Event::Fencing {
        target: "c1".into(),
        outcome: FenceOutcome::Succeeded,
        at: old,
    });
    assert!(sent(&actions).is_empty());
    let mut views = h.views(&["c1"]);
    views[0].fencing.last_success = Some(old);
    assert!(sent(&h.snapshot(views)).is_empty());
}

#[test]
fn a_fence_before_the_host_came_back_does_not_count() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let fence_at = h.now;
    let n = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
    h.deliver(&n.id, DeliveryOutcome::Accepted);
    let started = notifications(&h.member("c1"))[0].clone();
    assert_eq!(started.payload, HostPayload::STARTED);
    h.deliver(&started.id, DeliveryOutcome::Accepted);
    assert!(sent(&h.lost("c1")).is_empty());
    let mut views = h.views(&["c1"]);
    views[0].fencing.last_success = Some(fence_at);
    assert!(
        sent(&h.snapshot(views)).is_empty(),
        "the old fence is history"
    );
    let actions = h.fenced("c1", FenceOutcome::Succeeded);
    assert_eq!(
        notifications(&actions)[0].id.as_str(),
        "c1/2/stopped-normal"
    );
}

#[test]
fn a_fence_alert_before_the_loss_alert_still_counts() {
    let mut h = Harness::new(Config::default(), 4);
    assert!(h.sent_on_fence("c1").is_empty());
    assert_eq!(sent(&h.lost("c1")), ["c1:STOPPED/NORMAL"]);
}

#[test]
fn back_online_before_fencing_sends_nothing() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    assert!(sent(&h.member("c1")).is_empty());
    assert!(sent(&h.fenced("c1", FenceOutcome::Failed)).is_empty());
    assert_eq!(h.state("c1"), Some(HostState::Online));
    let deadline = h.now.saturating_add(Duration::from_secs(1000));
    assert!(sent(&h.timeout(deadline)).is_empty());
}

#[test]
fn failed_fencing_sends_unknown_and_later_success_sends_normal() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let actions = h.fenced("c1", FenceOutcome::Failed);
    assert_eq!(sent(&actions), ["c1:STOPPED/UNKNOWN"]);
    assert!(reported(&actions, |r| matches!(
        r,
        Report::FenceFailed { .. }
    ) && r.level() == Level::Error));
    let id = h.in_flight("c1").unwrap();
    h.deliver(&id, DeliveryOutcome::Accepted);
    assert!(
        sent(&h.fenced("c1", FenceOutcome::Failed)).is_empty(),
        "reported once"
    );
    assert_eq!(h.sent_on_fence("c1"), ["c1:STOPPED/NORMAL"]);
}

#[test]
fn failed_fencing_can_keep_waiting() {
    let config = Config {
        on_fence_failure: FailurePolicy::KeepWaiting,
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    h.lost("c1");
    let actions = h.fenced("c1", FenceOutcome::Failed);
    assert!(sent(&actions).is_empty());
    assert!(reported(&actions, |r| matches!(
        r,
        Report::FenceFailed { .. }
    )));
    let deadline = h.engine.poll_timeout().unwrap();
    let actions = h.timeout(deadline);
    assert!(sent(&actions).is_empty());
    assert!(reported(&actions, |r| matches!(
        r,
        Report::FenceTimedOut { .. }
    )));
    assert_eq!(h.sent_on_fence("c1"), ["c1:STOPPED/NORMAL"]);
}

#[test]
fn fencing_not_finished_in_time_sends_unknown_at_the_deadline() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let lost_at = h.now;
    let deadline = h.engine.poll_timeout().unwrap();
    assert_eq!(deadline, lost_at.saturating_add(Duration::from_secs(120)));
    assert!(sent(&h.timeout(deadline.saturating_sub(Duration::from_secs(1)))).is_empty());
    let actions = h.timeout(deadline);
    assert_eq!(sent(&actions), ["c1:STOPPED/UNKNOWN"]);
    assert!(reported(&actions, |r| matches!(
        r,
        Report::FenceTimedOut { .. }
    )));
    assert!(sent(&h.timeout(deadline)).is_empty());
    assert_eq!(
        h.engine.poll_timeout(),
        None,
        "nothing left to wait for while in flight"
    );
}

#[test]
fn a_clean_stop_is_not_reported_as_a_failed_fence() {
    let mut h = Harness::new(Config::default(), 4);
    let mut views = h.views(&["c1"]);
    views[0].unclean = false;
    h.snapshot(views);
    let actions = h.timeout(h.engine.poll_timeout().unwrap());
    assert!(sent(&actions).is_empty());
    assert!(reported(&actions, |r| matches!(
        r,
        Report::LostCleanly { .. }
    )));
}

#[test]
fn back_online_after_a_stop_was_sent_sends_started() {
    let mut h = Harness::new(Config::default(), 4);
    let stop = h.stopped("c1");
    assert!(
        sent(&h.member("c1")).is_empty(),
        "STARTED waits for the STOPPED in flight"
    );
    assert_eq!(
        sent(&h.deliver(&stop.id, DeliveryOutcome::Accepted)),
        ["c1:STARTED"]
    );
    let started = h.in_flight("c1").unwrap();
    assert_eq!(started.as_str(), "c1/1/started");
    h.deliver(&started, DeliveryOutcome::Accepted);
    assert!(sent(&h.member("c1")).is_empty());
}

#[test]
fn back_online_after_unknown_sends_started() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    h.fenced("c1", FenceOutcome::Failed);
    let id = h.in_flight("c1").unwrap();
    h.deliver(&id, DeliveryOutcome::Accepted);
    assert_eq!(sent(&h.member("c1")), ["c1:STARTED"]);
}

#[test]
fn notifications_carry_the_mapped_host_name_while_episodes_stay_keyed_by_node() {
    let config = Config {
        host_names: [("c1".to_owned(), "hv-c1.example.org".to_owned())].into(),
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    h.lost("c1");
    let stop = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
    assert_eq!(stop.hostname, "hv-c1.example.org");
    assert_eq!(stop.request().notification.hostname, "hv-c1.example.org");
    assert_eq!(stop.id.as_str(), "c1/1/stopped-normal");
    let status = h.engine.status();
    let c1 = status.hosts.iter().find(|v| v.name == "c1").unwrap();
    assert_eq!(c1.episode, 1);
    assert!(status.hosts.iter().all(|v| !v.name.starts_with("hv-")));
    h.deliver(&stop.id, DeliveryOutcome::Accepted);
    let started = notifications(&h.member("c1"))[0].clone();
    assert_eq!(
        (started.hostname.as_str(), started.id.as_str()),
        ("hv-c1.example.org", "c1/1/started")
    );
    h.lost("c2");
    let unmapped = notifications(&h.fenced("c2", FenceOutcome::Succeeded))[0].clone();
    assert_eq!(unmapped.hostname, "c2");
}
