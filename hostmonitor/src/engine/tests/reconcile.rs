//! Reconciles and alerts together: stale views, first sightings, removed nodes, power-off
//! checks, reports and status.

use std::time::Duration;

use super::*;

#[test]
fn a_stale_reconcile_does_not_undo_a_loss() {
    let mut h = Harness::new(Config::default(), 4);
    let taken_at = h.step();
    h.lost("c1");
    let nodes = h.views(&[]);
    h.snapshot_from("ctl1", taken_at, true, nodes);
    assert!(matches!(h.state("c1"), Some(HostState::Lost { .. })));
    // But it proves c1 was alive at `taken_at`: a fence before that is not this loss's.
    let actions = h.event(Event::Fencing {
        target: "c1".into(),
        outcome: FenceOutcome::Succeeded,
        at: taken_at.saturating_sub(Duration::from_micros(1)),
    });
    assert!(sent(&actions).is_empty());
    assert_eq!(h.sent_on_fence("c1"), ["c1:STOPPED/NORMAL"]);
}

#[test]
fn a_stale_sighting_withdraws_an_unsent_confirmation() {
    let mut h = Harness::new(Config::default(), 4);
    h.event(Event::Quorum { quorate: false });
    h.lost("c1");
    let fence_at = h.now;
    h.fenced("c1", FenceOutcome::Succeeded);
    let taken_at = fence_at.saturating_add(Duration::from_micros(1));
    h.lost("c1");
    let nodes = h.views(&[]);
    let actions = h.snapshot_from("ctl1", taken_at, false, nodes);
    assert!(reported(&actions, |r| matches!(
        r,
        Report::ConfirmationWithdrawn { .. }
    )));
    assert!(sent(&h.event(Event::Quorum { quorate: true })).is_empty());
}

#[test]
fn a_host_first_seen_offline_is_not_reported() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("c9".into(), NodeKind::Remote));
    let mut views = h.views(&["c9"]);
    views[6].fencing.last_success = Some(h.now);
    let actions = h.snapshot(views);
    assert!(reported(&actions, |r| matches!(
        r,
        Report::FirstSeenOffline { .. }
    )));
    assert!(sent(&actions).is_empty());
    assert!(h.sent_on_fence("c9").is_empty());
    h.member("c9");
    h.lost("c9");
    assert_eq!(h.sent_on_fence("c9"), ["c9:STOPPED/NORMAL"]);
}

#[test]
fn a_node_removed_from_the_cluster_no_longer_counts() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.retain(|(n, _)| n != "c4");
    let actions = h.snapshot(h.views(&[]));
    assert!(reported(
        &actions,
        |r| matches!(r, Report::NodeRemoved { host } if host == "c4")
    ));
    let actions = h.snapshot(h.views(&[]));
    assert!(!reported(&actions, |r| matches!(
        r,
        Report::NodeRemoved { .. }
    )));
    let host = h
        .engine
        .status()
        .hosts
        .into_iter()
        .find(|v| v.name == "c4")
        .unwrap();
    assert!(!host.present);
}

#[test]
fn a_node_removed_and_added_again_never_reuses_an_id() {
    let mut h = Harness::new(Config::default(), 4);
    let first = h.stopped("c4");
    h.deliver(&first.id, DeliveryOutcome::Accepted);
    let all = h.nodes.clone();
    h.nodes.retain(|(n, _)| n != "c4");
    h.snapshot(h.views(&[]));
    h.nodes = all;
    h.snapshot(h.views(&[]));
    h.deliver(&h.in_flight("c4").unwrap(), DeliveryOutcome::Accepted);
    let second = h.stopped("c4");
    assert_eq!(second.id.as_str(), "c4/2/stopped-normal");
}

#[test]
fn a_node_that_becomes_the_local_node_is_silenced() {
    let mut h = Harness::new(watching_members(), 4);
    h.event(Event::Quorum { quorate: false });
    h.lost("ctl2");
    h.fenced("ctl2", FenceOutcome::Succeeded);
    let taken_at = h.step();
    let nodes = h.views(&[]);
    let actions = h.snapshot_from("ctl2", taken_at, true, nodes);
    assert!(sent(&actions).is_empty());
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn a_removed_node_with_an_open_episode_is_kept_until_it_is_done() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c4");
    h.nodes.retain(|(n, _)| n != "c4");
    h.snapshot(h.views(&[]));
    let host = h
        .engine
        .status()
        .hosts
        .into_iter()
        .find(|v| v.name == "c4")
        .unwrap();
    assert!(!host.present);
    assert_eq!(h.sent_on_fence("c4"), ["c4:STOPPED/NORMAL"]);
}

#[test]
fn power_off_confirms_only_when_trusted() {
    let mut h = Harness::new(Config::default(), 4);
    let actions = h.lost("c1");
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a, Action::CheckPower { .. }))
    );
    assert!(sent(&h.event(Event::PowerOff { node: "c1".into() })).is_empty());

    let config = Config {
        power_off_confirms: true,
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    let actions = h.lost("c1");
    assert!(actions.contains(&Action::CheckPower { node: "c1".into() }));
    let actions = h.event(Event::PowerOff { node: "c1".into() });
    assert_eq!(sent(&actions), ["c1:STOPPED/NORMAL"]);
    assert!(reported(&actions, |r| matches!(
        r,
        Report::FenceConfirmed {
            by: Confirmation::PowerOff(_),
            ..
        }
    )));
}

#[test]
fn reports_read_well() {
    let report = Report::MassFailureHold {
        lost: 6,
        watched: 10,
    };
    assert_eq!(report.level(), Level::Error);
    assert!(report.to_string().contains("6 of 10"));
    let at = Timestamp::from_unix(BASE, 0);
    let confirmed = Report::FenceConfirmed {
        host: "c1".into(),
        by: Confirmation::Fence(at),
    };
    assert_eq!(
        confirmed.to_string(),
        "host c1 fenced by Pacemaker at 2023-11-14T22:13:20.000000Z"
    );
}

#[test]
fn status_serializes_for_json_output() {
    let mut h = Harness::new(Config::default(), 1);
    h.lost("c1");
    let status = serde_json::to_value(h.engine.status()).unwrap();
    assert_eq!(status["hosts"][0]["name"], "c1");
    assert_eq!(status["hosts"][0]["state"]["state"], "lost");
    assert_eq!(status["quorate"], true);
}

#[test]
fn a_sighting_before_the_first_reconcile_counts() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("c9".into(), NodeKind::Remote));
    let taken_at = h.step();
    h.member("c9");
    let fence_at = taken_at.saturating_add(Duration::from_micros(1));
    let mut views = h.views(&[]);
    views[6].fencing.last_success = Some(fence_at);
    h.snapshot_from("ctl1", taken_at, true, views);
    assert_eq!(h.state("c9"), Some(HostState::Online));
    h.lost("c9");
    let old = Event::Fencing {
        target: "c9".into(),
        outcome: FenceOutcome::Succeeded,
        at: fence_at,
    };
    assert!(
        sent(&h.event(old)).is_empty(),
        "c9 was seen online after that fence"
    );
    assert_eq!(h.sent_on_fence("c9"), ["c9:STOPPED/NORMAL"]);
}

#[test]
fn a_host_lost_before_the_first_reconcile_is_reported() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("c9".into(), NodeKind::Remote));
    h.member("c9");
    let mut views = h.views(&["c9"]);
    views[6].fencing.last_success = Some(h.now.saturating_add(Duration::from_secs(1)));
    assert_eq!(sent(&h.snapshot(views)), ["c9:STOPPED/NORMAL"]);
}

#[test]
fn a_loss_before_the_first_reconcile_after_a_sighting_is_an_episode() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("c9".into(), NodeKind::Remote));
    h.member("c9");
    h.lost("c9");
    let fence_at = h.now;
    let mut views = h.views(&["c9"]);
    views[6].fencing.last_success = Some(fence_at);
    assert_eq!(sent(&h.snapshot(views)), ["c9:STOPPED/NORMAL"]);
}
