//! What is watched and what holds notifications: quorum, the local node, node kinds,
//! the mass-failure guard.

use std::time::Duration;

use super::*;

#[test]
fn nothing_is_sent_without_quorum_and_held_facts_go_out_when_it_returns() {
    let mut h = Harness::new(Config::default(), 4);
    h.event(Event::Quorum { quorate: false });
    h.lost("c1");
    h.lost("c2");
    assert!(h.sent_on_fence("c1").is_empty());
    assert!(h.sent_on_fence("c2").is_empty());
    assert!(
        sent(&h.member("c2")).is_empty(),
        "c2 back: its unsent STOPPED is dropped"
    );
    let actions = h.event(Event::Quorum { quorate: true });
    assert_eq!(sent(&actions), ["c1:STOPPED/NORMAL"]);
    assert!(reported(&actions, |r| matches!(
        r,
        Report::QuorumRegained { pending: 1 }
    )));
}

#[test]
fn a_reconcile_without_quorum_holds_too() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let taken_at = h.step();
    let mut views = h.views(&["c1"]);
    views[0].fencing.last_success = Some(taken_at);
    let nodes = views;
    assert!(sent(&h.snapshot_from("ctl1", taken_at, false, nodes)).is_empty());
    assert_eq!(h.engine.status().quorate, Some(false));
}

#[test]
fn an_older_reconcile_does_not_override_corosync_quorum() {
    let mut h = Harness::new(Config::default(), 4);
    let taken_at = h.step();
    h.event(Event::Quorum { quorate: false });
    let nodes = h.views(&[]);
    h.snapshot_from("ctl1", taken_at, true, nodes);
    assert_eq!(h.engine.status().quorate, Some(false));
}

#[test]
fn the_local_node_is_never_reported() {
    let mut h = Harness::new(watching_members(), 4);
    assert!(h.state("ctl1").is_none());
    h.lost("ctl1");
    assert!(h.sent_on_fence("ctl1").is_empty());
    h.lost("ctl2");
    assert_eq!(h.sent_on_fence("ctl2"), ["ctl2:STOPPED/NORMAL"]);
}

#[test]
fn the_configured_local_node_is_never_reported() {
    let config = Config {
        local_node: Some("c1".into()),
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    h.lost("c1");
    assert!(h.sent_on_fence("c1").is_empty());
}

#[test]
fn members_are_not_watched_by_default() {
    let mut h = Harness::new(Config::default(), 4);
    let actions = h.lost("ctl2");
    assert!(reported(&actions, |r| matches!(
        r,
        Report::Ignored(Ignored::UnwatchedNode(_))
    )));
    assert!(h.sent_on_fence("ctl2").is_empty());
}

#[test]
fn guests_are_watched_by_default() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("g1".into(), NodeKind::Guest));
    h.snapshot(h.views(&[]));
    h.lost("g1");
    assert_eq!(h.sent_on_fence("g1"), ["g1:STOPPED/NORMAL"]);
}

#[test]
fn computes_failing_together_get_one_notification_each() {
    let mut h = Harness::new(Config::default(), 8);
    for node in ["c1", "c2", "c3"] {
        h.lost(node);
    }
    let mut all = Vec::new();
    for node in ["c1", "c2", "c3"] {
        all.extend(sent(&h.fenced(node, FenceOutcome::Succeeded)));
    }
    assert_eq!(
        all,
        [
            "c1:STOPPED/NORMAL",
            "c2:STOPPED/NORMAL",
            "c3:STOPPED/NORMAL"
        ]
    );
}

#[test]
fn a_mass_failure_is_held_until_the_share_drops() {
    let mut h = Harness::new(Config::default(), 10);
    let lost: Vec<String> = (1..=6).map(|i| format!("c{i}")).collect();
    let mut actions = Vec::new();
    for node in &lost {
        actions.extend(h.lost(node));
    }
    assert!(reported(&actions, |r| matches!(
        r,
        Report::MassFailureHold {
            lost: 6,
            watched: 10
        }
    )));
    assert!(h.engine.status().mass_failure_hold);
    for node in &lost {
        assert!(sent(&h.fenced(node, FenceOutcome::Succeeded)).is_empty());
    }
    let actions = h.member("c6");
    assert!(reported(&actions, |r| matches!(
        r,
        Report::MassFailureReleased { lost: 5, .. }
    )));
    assert_eq!(sent(&actions).len(), 5, "c6 is back and is not reported");
}

#[test]
fn an_operator_releases_a_mass_failure_hold() {
    let mut h = Harness::new(Config::default(), 4);
    for node in ["c1", "c2", "c3"] {
        h.lost(node);
    }
    for node in ["c1", "c2", "c3"] {
        h.fenced(node, FenceOutcome::Succeeded);
    }
    assert!(h.engine.status().mass_failure_hold);
    let actions = h.event(Event::Command(Command::ReleaseHold));
    assert!(reported(&actions, |r| matches!(
        r,
        Report::HoldReleasedByOperator {
            lost: 3,
            watched: 4
        }
    )));
    assert_eq!(sent(&actions).len(), 3);
    h.lost("c4");
    assert_eq!(h.sent_on_fence("c4"), ["c4:STOPPED/NORMAL"], "disarmed");
}

#[test]
fn a_rack_of_five_percent_is_not_held() {
    let mut h = Harness::new(Config::default(), 60);
    for node in ["c1", "c2", "c3"] {
        h.lost(node);
    }
    let mut all = Vec::new();
    for node in ["c1", "c2", "c3"] {
        all.extend(sent(&h.fenced(node, FenceOutcome::Succeeded)));
    }
    assert_eq!(all.len(), 3);
    assert!(!h.engine.status().mass_failure_hold);
}

#[test]
fn losses_spread_over_time_do_not_trip_the_guard() {
    let mut h = Harness::new(Config::default(), 4);
    for node in ["c1", "c2", "c3"] {
        h.lost(node);
        h.now = h.now.saturating_add(Duration::from_secs(200));
    }
    assert!(!h.engine.status().mass_failure_hold);
}

/// A view with `clean` offline: Pacemaker sees them down but means to fence none of them.
fn views_with_clean(h: &Harness, offline: &[&str], clean: &[&str]) -> Vec<NodeView> {
    let mut views = h.views(offline);
    for v in &mut views {
        if clean.contains(&v.name.as_str()) {
            v.online = false;
            v.unclean = false;
        }
    }
    views
}

#[test]
fn a_host_lost_cleanly_does_not_count_toward_the_guard() {
    let mut h = Harness::new(Config::default(), 4);
    for node in ["c1", "c2"] {
        h.lost(node);
        h.fenced(node, FenceOutcome::Succeeded);
    }
    // c3's connection moves with a dead controller: offline, clean, never fenced.
    let views = views_with_clean(&h, &["c1", "c2"], &["c3"]);
    let actions = h.snapshot(views);
    assert!(!h.engine.status().mass_failure_hold, "{actions:?}");
    assert_eq!(h.engine.status().hosts.len(), 4);
    let views = h.views(&["c1", "c2"]);
    assert!(
        sent(&h.snapshot(views)).is_empty(),
        "c3 is back: nothing to say"
    );
}

#[test]
fn a_hold_tripped_by_a_loss_pacemaker_then_calls_clean_is_released() {
    let mut h = Harness::new(Config::default(), 4);
    for node in ["c1", "c2", "c3"] {
        h.lost(node);
    }
    assert!(h.engine.status().mass_failure_hold);
    assert!(h.sent_on_fence("c1").is_empty());
    assert!(h.sent_on_fence("c2").is_empty());
    let views = views_with_clean(&h, &["c1", "c2"], &["c3"]);
    let actions = h.snapshot(views);
    assert!(
        reported(&actions, |r| matches!(
            r,
            Report::MassFailureReleased { lost: 2, .. }
        )),
        "{actions:?}"
    );
    assert_eq!(sent(&actions), ["c1:STOPPED/NORMAL", "c2:STOPPED/NORMAL"]);
}
