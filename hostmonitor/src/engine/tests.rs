//! Scenario tests of the engine through its public API, and the state x event matrix.

use std::time::Duration;

use super::*;

const BASE: u64 = 1_700_000_000;

/// Drives an engine with a virtual clock that moves one second per step.
struct Harness {
    engine: Engine,
    now: Timestamp,
    nodes: Vec<(String, NodeKind)>,
}

fn secs(s: u64) -> Timestamp {
    Timestamp::from_unix(BASE + s, 0)
}

fn view(name: &str, kind: NodeKind, online: bool) -> NodeView {
    NodeView {
        name: name.into(),
        kind,
        online,
        unclean: !online,
        fencing: FenceHistory::default(),
    }
}

impl Harness {
    /// Remote computes c1..=cN online, quorate, local node ctl1.
    fn new(config: Config, computes: usize) -> Self {
        let nodes = (1..=computes)
            .map(|i| (format!("c{i}"), NodeKind::Remote))
            .chain([
                ("ctl1".to_owned(), NodeKind::Member),
                ("ctl2".to_owned(), NodeKind::Member),
            ])
            .collect();
        let mut h = Self {
            engine: Engine::new(config),
            now: secs(0),
            nodes,
        };
        let views = h.views(&[]);
        h.snapshot(views);
        h
    }

    fn views(&self, offline: &[&str]) -> Vec<NodeView> {
        self.nodes
            .iter()
            .map(|(name, kind)| view(name, *kind, !offline.contains(&name.as_str())))
            .collect()
    }

    fn step(&mut self) -> Timestamp {
        self.now = self.now.saturating_add(Duration::from_secs(1));
        self.now
    }

    fn event(&mut self, event: Event) -> Vec<Action> {
        let now = self.step();
        self.engine.on_event(now, event)
    }

    fn snapshot(&mut self, nodes: Vec<NodeView>) -> Vec<Action> {
        let taken_at = self.step();
        self.snapshot_from("ctl1", taken_at, true, nodes)
    }

    /// A reconcile by the monitor on `local`, taken at `taken_at`.
    fn snapshot_from(
        &mut self,
        local: &str,
        taken_at: Timestamp,
        quorate: bool,
        nodes: Vec<NodeView>,
    ) -> Vec<Action> {
        let local_node = local.to_owned();
        self.event(Event::Snapshot(Snapshot {
            taken_at,
            local_node,
            quorate,
            nodes,
        }))
    }

    fn lost(&mut self, node: &str) -> Vec<Action> {
        self.event(Event::NodeLost { node: node.into() })
    }

    fn member(&mut self, node: &str) -> Vec<Action> {
        self.event(Event::NodeMember { node: node.into() })
    }

    fn fenced(&mut self, node: &str, outcome: FenceOutcome) -> Vec<Action> {
        let at = self.now;
        self.event(Event::Fencing {
            target: node.into(),
            outcome,
            at,
        })
    }

    fn deliver(&mut self, id: &NotificationId, outcome: DeliveryOutcome) -> Vec<Action> {
        self.event(Event::Delivery {
            id: id.clone(),
            outcome,
        })
    }

    fn timeout(&mut self, at: Timestamp) -> Vec<Action> {
        self.now = at;
        self.engine.on_timeout(at)
    }

    fn state(&self, node: &str) -> Option<HostState> {
        self.engine
            .status()
            .hosts
            .into_iter()
            .find(|h| h.name == node)
            .map(|h| h.state)
    }

    fn in_flight(&self, node: &str) -> Option<NotificationId> {
        let hosts = self.engine.status().hosts;
        let host = hosts.into_iter().find(|h| h.name == node)?;
        host.pending.into_iter().find(|p| p.in_flight).map(|p| p.id)
    }
}

fn watching_members() -> Config {
    let watch = Watch {
        members: true,
        ..Watch::default()
    };
    Config {
        watch,
        ..Config::default()
    }
}

fn notifications(actions: &[Action]) -> Vec<&Notification> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn words(payload: HostPayload) -> &'static str {
    match payload {
        HostPayload::STOPPED_FENCED => "STOPPED/NORMAL",
        HostPayload::STOPPED_UNCONFIRMED => "STOPPED/UNKNOWN",
        HostPayload::STARTED => "STARTED",
        _ => "other",
    }
}

/// `host:EVENT/STATUS` of every notification in `actions`.
fn sent(actions: &[Action]) -> Vec<String> {
    notifications(actions)
        .iter()
        .map(|n| format!("{}:{}", n.hostname, words(n.payload)))
        .collect()
}

fn reports(actions: &[Action]) -> Vec<&Report> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Report(r) => Some(r),
            _ => None,
        })
        .collect()
}

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
    assert!(sent(&h.fenced("c1", FenceOutcome::Succeeded)).is_empty());
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
    assert!(sent(&h.fenced("c1", FenceOutcome::Succeeded)).is_empty());
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::FenceFailed { .. }) && r.level() == Level::Error)
    );
    let id = h.in_flight("c1").unwrap();
    h.deliver(&id, DeliveryOutcome::Accepted);
    assert!(
        sent(&h.fenced("c1", FenceOutcome::Failed)).is_empty(),
        "reported once"
    );
    assert_eq!(
        sent(&h.fenced("c1", FenceOutcome::Succeeded)),
        ["c1:STOPPED/NORMAL"]
    );
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::FenceFailed { .. }))
    );
    let deadline = h.engine.poll_timeout().unwrap();
    let actions = h.timeout(deadline);
    assert!(sent(&actions).is_empty());
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::FenceTimedOut { .. }))
    );
    assert_eq!(
        sent(&h.fenced("c1", FenceOutcome::Succeeded)),
        ["c1:STOPPED/NORMAL"]
    );
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::FenceTimedOut { .. }))
    );
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::LostCleanly { .. }))
    );
}

#[test]
fn back_online_after_a_stop_was_sent_sends_started() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let stop = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
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
fn nothing_is_sent_without_quorum_and_held_facts_go_out_when_it_returns() {
    let mut h = Harness::new(Config::default(), 4);
    h.event(Event::Quorum { quorate: false });
    h.lost("c1");
    h.lost("c2");
    assert!(sent(&h.fenced("c1", FenceOutcome::Succeeded)).is_empty());
    assert!(sent(&h.fenced("c2", FenceOutcome::Succeeded)).is_empty());
    assert!(
        sent(&h.member("c2")).is_empty(),
        "c2 back: its unsent STOPPED is dropped"
    );
    let actions = h.event(Event::Quorum { quorate: true });
    assert_eq!(sent(&actions), ["c1:STOPPED/NORMAL"]);
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::QuorumRegained { pending: 1 }))
    );
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
    assert!(sent(&h.fenced("ctl1", FenceOutcome::Succeeded)).is_empty());
    h.lost("ctl2");
    assert_eq!(
        sent(&h.fenced("ctl2", FenceOutcome::Succeeded)),
        ["ctl2:STOPPED/NORMAL"]
    );
}

#[test]
fn the_configured_local_node_is_never_reported() {
    let config = Config {
        local_node: Some("c1".into()),
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    h.lost("c1");
    assert!(sent(&h.fenced("c1", FenceOutcome::Succeeded)).is_empty());
}

#[test]
fn members_are_not_watched_by_default() {
    let mut h = Harness::new(Config::default(), 4);
    let actions = h.lost("ctl2");
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::Ignored(Ignored::UnwatchedNode(_))))
    );
    assert!(sent(&h.fenced("ctl2", FenceOutcome::Succeeded)).is_empty());
}

#[test]
fn guests_are_watched_by_default() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("g1".into(), NodeKind::Guest));
    h.snapshot(h.views(&[]));
    h.lost("g1");
    assert_eq!(
        sent(&h.fenced("g1", FenceOutcome::Succeeded)),
        ["g1:STOPPED/NORMAL"]
    );
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
    assert!(reports(&actions).iter().any(|r| matches!(
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::MassFailureReleased { lost: 5, .. }))
    );
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
    assert!(reports(&actions).iter().any(|r| matches!(
        r,
        Report::HoldReleasedByOperator {
            lost: 3,
            watched: 4
        }
    )));
    assert_eq!(sent(&actions).len(), 3);
    h.lost("c4");
    assert_eq!(
        sent(&h.fenced("c4", FenceOutcome::Succeeded)),
        ["c4:STOPPED/NORMAL"],
        "disarmed"
    );
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

#[test]
fn a_409_counts_as_delivered() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let n = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
    let actions = h.deliver(
        &n.id,
        DeliveryOutcome::Duplicate {
            message: "duplicate".into(),
        },
    );
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::AlreadyRecorded { .. }))
    );
    assert_eq!(h.engine.poll_timeout(), None);
    assert!(h.engine.status().hosts[0].pending.is_empty());
}

#[test]
fn a_400_is_permanent_and_loud() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let n = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
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
    assert!(
        sent(&h.fenced("c1", FenceOutcome::Succeeded)).is_empty(),
        "not sent again"
    );
}

#[test]
fn transient_failures_are_retried_with_backoff_then_abandoned() {
    let config = Config {
        retry: Retry {
            max_retries: 3,
            interval: Duration::from_secs(10),
            max_interval: Duration::from_secs(15),
        },
        ..Config::default()
    };
    let mut h = Harness::new(config, 4);
    h.lost("c1");
    let n = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
    let mut delays = Vec::new();
    for _ in 0..3 {
        let failed_at = h.now.saturating_add(Duration::from_secs(1));
        h.deliver(
            &n.id,
            DeliveryOutcome::Transient {
                reason: "503".into(),
            },
        );
        let due = h.engine.poll_timeout().unwrap();
        delays.push(due.saturating_duration_since(failed_at).as_secs());
        let again = h.timeout(due);
        assert_eq!(notifications(&again), [&n], "same id and generated_time");
    }
    assert_eq!(delays, [10, 15, 15]);
    let actions = h.deliver(
        &n.id,
        DeliveryOutcome::Transient {
            reason: "503".into(),
        },
    );
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::Abandoned { attempts: 4, .. }))
    );
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn a_retry_waits_for_quorum() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let n = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
    h.deliver(
        &n.id,
        DeliveryOutcome::Transient {
            reason: "timeout".into(),
        },
    );
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::Ignored(Ignored::StaleDelivery(_))))
    );
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
    h.lost("c1");
    let first = notifications(&h.fenced("c1", FenceOutcome::Succeeded))[0].clone();
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

#[test]
fn seeing_a_host_online_is_persisted_coarsely_but_transitions_exactly() {
    let mut h = Harness::new(Config::default(), 4);
    h.snapshot(h.views(&[]));
    assert!(
        !h.snapshot(h.views(&[]))
            .iter()
            .any(|a| matches!(a, Action::Persist(_)))
    );
    h.now = h.now.saturating_add(Duration::from_secs(60));
    assert!(
        h.snapshot(h.views(&[]))
            .iter()
            .any(|a| matches!(a, Action::Persist(_)))
    );
    assert!(h.lost("c1").iter().any(|a| matches!(a, Action::Persist(_))));
    assert!(
        h.member("c1")
            .iter()
            .any(|a| matches!(a, Action::Persist(_)))
    );
}

#[test]
fn an_unsupported_record_is_refused() {
    let text = r#"{"version":2,"hosts":{},"guard":{"tripped":false,"disarmed":false}}"#;
    let record: Record = serde_json::from_str(text).unwrap();
    assert!(matches!(
        Engine::restore(Config::default(), record),
        Err(RecordError::UnsupportedVersion { found: 2, .. })
    ));
}

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
    assert_eq!(
        sent(&h.fenced("c1", FenceOutcome::Succeeded)),
        ["c1:STOPPED/NORMAL"]
    );
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
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::ConfirmationWithdrawn { .. }))
    );
    assert!(sent(&h.event(Event::Quorum { quorate: true })).is_empty());
}

#[test]
fn a_host_first_seen_offline_is_not_reported() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("c9".into(), NodeKind::Remote));
    let mut views = h.views(&["c9"]);
    views[6].fencing.last_success = Some(h.now);
    let actions = h.snapshot(views);
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::FirstSeenOffline { .. }))
    );
    assert!(sent(&actions).is_empty());
    assert!(sent(&h.fenced("c9", FenceOutcome::Succeeded)).is_empty());
    h.member("c9");
    h.lost("c9");
    assert_eq!(
        sent(&h.fenced("c9", FenceOutcome::Succeeded)),
        ["c9:STOPPED/NORMAL"]
    );
}

#[test]
fn a_node_removed_from_the_cluster_no_longer_counts() {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.retain(|(n, _)| n != "c4");
    let actions = h.snapshot(h.views(&[]));
    assert!(
        reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::NodeRemoved { host } if host == "c4"))
    );
    let actions = h.snapshot(h.views(&[]));
    assert!(
        !reports(&actions)
            .iter()
            .any(|r| matches!(r, Report::NodeRemoved { .. }))
    );
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
    h.lost("c4");
    let first = notifications(&h.fenced("c4", FenceOutcome::Succeeded))[0].clone();
    h.deliver(&first.id, DeliveryOutcome::Accepted);
    let all = h.nodes.clone();
    h.nodes.retain(|(n, _)| n != "c4");
    h.snapshot(h.views(&[]));
    h.nodes = all;
    h.snapshot(h.views(&[]));
    h.deliver(&h.in_flight("c4").unwrap(), DeliveryOutcome::Accepted);
    h.lost("c4");
    let second = notifications(&h.fenced("c4", FenceOutcome::Succeeded))[0].clone();
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
    assert_eq!(
        sent(&h.fenced("c4", FenceOutcome::Succeeded)),
        ["c4:STOPPED/NORMAL"]
    );
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
    assert!(reports(&actions).iter().any(|r| matches!(
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

// The state x event matrix: every host state against every event, checking what is
// sent for c1 and where c1 ends up.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unobserved,
    Online,
    Lost,
    LostUnknownSent,
    LostNormalInFlight,
    LostNormalSent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    NodeLost,
    NodeMember,
    FenceOkNew,
    FenceOkOld,
    FenceFailedNew,
    PowerOff,
    SnapshotOnline,
    SnapshotOffline,
    QuorumLost,
    DeliveryAccepted,
    DeliveryTransient,
    Timeout,
    ReleaseHold,
}

const STATES: [State; 6] = [
    State::Unobserved,
    State::Online,
    State::Lost,
    State::LostUnknownSent,
    State::LostNormalInFlight,
    State::LostNormalSent,
];

const INPUTS: [Input; 13] = [
    Input::NodeLost,
    Input::NodeMember,
    Input::FenceOkNew,
    Input::FenceOkOld,
    Input::FenceFailedNew,
    Input::PowerOff,
    Input::SnapshotOnline,
    Input::SnapshotOffline,
    Input::QuorumLost,
    Input::DeliveryAccepted,
    Input::DeliveryTransient,
    Input::Timeout,
    Input::ReleaseHold,
];

fn setup(state: State) -> Harness {
    let mut h = Harness::new(Config::default(), 4);
    h.nodes.push(("c0".into(), NodeKind::Remote));
    let offline: &[&str] = if state == State::Unobserved {
        &["c0"]
    } else {
        &[]
    };
    h.snapshot(h.views(offline));
    if matches!(state, State::Unobserved | State::Online) {
        return h;
    }
    h.lost("c0");
    match state {
        State::LostUnknownSent => {
            h.fenced("c0", FenceOutcome::Failed);
        }
        State::LostNormalInFlight | State::LostNormalSent => {
            h.fenced("c0", FenceOutcome::Succeeded);
        }
        _ => {}
    }
    if matches!(state, State::LostUnknownSent | State::LostNormalSent) {
        let id = h.in_flight("c0").unwrap();
        h.deliver(&id, DeliveryOutcome::Accepted);
    }
    h
}

fn apply(h: &mut Harness, input: Input) -> Vec<Action> {
    let node = "c0".to_owned();
    let in_flight = h
        .in_flight("c0")
        .unwrap_or_else(|| NotificationId::new("c0", 99, "started"));
    match input {
        Input::NodeLost => h.lost(&node),
        Input::NodeMember => h.member(&node),
        Input::FenceOkNew => h.fenced(&node, FenceOutcome::Succeeded),
        Input::FenceOkOld => h.event(Event::Fencing {
            target: node,
            outcome: FenceOutcome::Succeeded,
            at: secs(0),
        }),
        Input::FenceFailedNew => h.fenced(&node, FenceOutcome::Failed),
        Input::PowerOff => h.event(Event::PowerOff { node }),
        Input::SnapshotOnline => h.snapshot(h.views(&[])),
        Input::SnapshotOffline => h.snapshot(h.views(&["c0"])),
        Input::QuorumLost => h.event(Event::Quorum { quorate: false }),
        Input::DeliveryAccepted => h.deliver(&in_flight, DeliveryOutcome::Accepted),
        Input::DeliveryTransient => h.deliver(
            &in_flight,
            DeliveryOutcome::Transient {
                reason: "503".into(),
            },
        ),
        Input::Timeout => h.timeout(h.now.saturating_add(Duration::from_secs(121))),
        Input::ReleaseHold => h.event(Event::Command(Command::ReleaseHold)),
    }
}

fn label(state: Option<HostState>) -> &'static str {
    match state {
        None => "absent",
        Some(HostState::Unobserved) => "unobserved",
        Some(HostState::Online) => "online",
        Some(HostState::Lost {
            confirmed: false, ..
        }) => "lost",
        Some(HostState::Lost {
            confirmed: true, ..
        }) => "lost+confirmed",
    }
}

/// What c0 is sent and where it ends up, for `state` x `input`.
fn expected(state: State, input: Input) -> (&'static [&'static str], &'static str) {
    use Input as I;
    use State as S;
    const NONE: &[&str] = &[];
    const NORMAL: &[&str] = &["c0:STOPPED/NORMAL"];
    const UNKNOWN: &[&str] = &["c0:STOPPED/UNKNOWN"];
    const STARTED: &[&str] = &["c0:STARTED"];
    match (state, input) {
        (S::Unobserved, I::NodeMember | I::SnapshotOnline) => (NONE, "online"),
        (S::Unobserved, _) => (NONE, "unobserved"),
        (S::Online, I::NodeLost | I::SnapshotOffline) => (NONE, "lost"),
        (S::Online, _) => (NONE, "online"),
        (S::Lost, I::NodeMember | I::SnapshotOnline) => (NONE, "online"),
        (S::Lost, I::FenceOkNew) => (NORMAL, "lost+confirmed"),
        (S::Lost, I::FenceFailedNew | I::Timeout) => (UNKNOWN, "lost"),
        (S::Lost, _) => (NONE, "lost"),
        (S::LostUnknownSent, I::NodeMember | I::SnapshotOnline) => (STARTED, "online"),
        (S::LostUnknownSent, I::FenceOkNew) => (NORMAL, "lost+confirmed"),
        (S::LostUnknownSent, _) => (NONE, "lost"),
        (S::LostNormalInFlight | S::LostNormalSent, I::NodeMember | I::SnapshotOnline)
            if state == S::LostNormalSent =>
        {
            (STARTED, "online")
        }
        (S::LostNormalInFlight, I::NodeMember | I::SnapshotOnline) => (NONE, "online"),
        (S::LostNormalInFlight | S::LostNormalSent, _) => (NONE, "lost+confirmed"),
    }
}

#[test]
fn every_state_against_every_event() {
    let mut failures = Vec::new();
    for state in STATES {
        for input in INPUTS {
            let mut h = setup(state);
            let actions = apply(&mut h, input);
            let got = sent(&actions)
                .into_iter()
                .filter(|s| s.starts_with("c0:"))
                .collect::<Vec<_>>();
            let got_state = label(h.state("c0"));
            let (want, want_state) = expected(state, input);
            if got != want || got_state != want_state {
                failures.push(format!("{state:?} x {input:?}: sent {got:?} -> {got_state}, want {want:?} -> {want_state}"));
            }
            for other in sent(&actions).iter().filter(|s| !s.starts_with("c0:")) {
                failures.push(format!("{state:?} x {input:?}: unexpected {other}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
    assert_eq!(
        sent(&h.fenced("c9", FenceOutcome::Succeeded)),
        ["c9:STOPPED/NORMAL"]
    );
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
