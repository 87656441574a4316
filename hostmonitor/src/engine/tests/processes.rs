//! Process episodes through the engine: every pair of reconciles over what a service, its
//! host and the quorum can be, then delivery, restore, the guard and a lost host.

use super::*;

fn service(host: &str, process: &str, state: ProcessState) -> ServiceView {
    ServiceView {
        host: host.into(),
        process_name: process.into(),
        state,
    }
}

fn nova(host: &str, state: ProcessState) -> Event {
    Event::Services(vec![service(host, "nova-compute", state)])
}

/// `id EVENT` of every `PROCESS` notification in `actions`.
fn process_sent(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::NotifyProcess(n) => Some(format!("{} {:?}", n.id, n.payload.event)),
            _ => None,
        })
        .collect()
}

const STATES: [ProcessState; 3] = [
    ProcessState::Running,
    ProcessState::NotRunning,
    ProcessState::GaveUp,
];

const STOPPED_1: &str = "c1/nova-compute/1/process-stopped Stopped";
const STARTED_1: &str = "c1/nova-compute/1/process-started Started";

/// A harness whose first reconcile judged c1's nova-compute `first`, and whose STOPPED (if
/// any) was stored.
fn after(first: ProcessState) -> Harness {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(nova("c1", first));
    let expected: &[&str] = match first {
        ProcessState::GaveUp => &[STOPPED_1],
        _ => &[],
    };
    assert_eq!(process_sent(&out), expected, "{first:?}");
    if first == ProcessState::GaveUp {
        let id = NotificationId::new("c1/nova-compute", 1, "process-stopped");
        h.deliver(&id, DeliveryOutcome::Accepted);
    }
    h
}

/// STOPPED exactly when Pacemaker newly gave up on a service of an online host with quorum;
/// STARTED exactly when one whose STOPPED went out runs again on an online host with quorum.
#[test]
fn every_pair_of_reconciles() {
    for first in STATES {
        for second in STATES {
            for (quorate, online) in [(true, true), (true, false), (false, true)] {
                let mut h = after(first);
                if !online {
                    h.lost("c1");
                }
                if !quorate {
                    h.event(Event::Quorum { quorate: false });
                }
                let out = h.event(nova("c1", second));
                let live = quorate && online;
                let open = first == ProcessState::GaveUp;
                let expected: &[&str] = match (open, second) {
                    (false, ProcessState::GaveUp) if live => &[STOPPED_1],
                    (true, ProcessState::Running) if live => &[STARTED_1],
                    _ => &[],
                };
                let case = format!("{first:?} then {second:?}, quorate {quorate}, online {online}");
                assert_eq!(process_sent(&out), expected, "{case}");
            }
        }
    }
}

#[test]
fn a_restart_by_pacemaker_sends_nothing() {
    let mut h = Harness::new(Config::default(), 4);
    for state in [
        ProcessState::Running,
        ProcessState::NotRunning,
        ProcessState::Running,
    ] {
        assert_eq!(
            process_sent(&h.event(nova("c1", state))),
            Vec::<String>::new()
        );
    }
}

#[test]
fn stopped_once_started_once_then_a_new_episode() {
    let mut h = after(ProcessState::GaveUp);
    assert!(process_sent(&h.event(nova("c1", ProcessState::GaveUp))).is_empty());
    assert!(process_sent(&h.event(nova("c1", ProcessState::NotRunning))).is_empty());
    assert_eq!(
        process_sent(&h.event(nova("c1", ProcessState::Running))),
        [STARTED_1]
    );
    let id = NotificationId::new("c1/nova-compute", 1, "process-started");
    h.deliver(&id, DeliveryOutcome::Accepted);
    assert!(process_sent(&h.event(nova("c1", ProcessState::Running))).is_empty());
    let again = h.event(nova("c1", ProcessState::GaveUp));
    assert_eq!(
        process_sent(&again),
        ["c1/nova-compute/2/process-stopped Stopped"]
    );
}

/// A lost compute gets only its host notification: the open process episode is closed and
/// its unsent STOPPED dropped; no STARTED follows when the host returns.
#[test]
fn a_lost_host_gets_only_its_host_notification() {
    let mut h = Harness::new(Config::default(), 4);
    h.event(Event::Quorum { quorate: false });
    h.event(Event::Quorum { quorate: true });
    h.engine.on_event(h.now, nova("c1", ProcessState::GaveUp));
    // Held: the API is down, the STOPPED is waiting for a retry.
    let id = NotificationId::new("c1/nova-compute", 1, "process-stopped");
    h.fail_delivery(&id, "API down");
    let lost = h.lost("c1");
    assert!(reported(
        &lost,
        |r| matches!(r, Report::Dropped { id: d, .. } if *d == id)
    ));
    assert!(reported(&lost, |r| matches!(
        r,
        Report::ProcessClosed {
            running_again: false,
            ..
        }
    )));
    let fenced = h.fenced("c1", FenceOutcome::Succeeded);
    assert_eq!(sent(&fenced), ["c1:STOPPED/NORMAL"]);
    assert!(process_sent(&fenced).is_empty());
    h.member("c1");
    let back = h.event(nova("c1", ProcessState::Running));
    assert!(
        process_sent(&back).is_empty(),
        "no STARTED for a dropped STOPPED"
    );
    let again = h.event(nova("c1", ProcessState::GaveUp));
    assert_eq!(
        process_sent(&again),
        ["c1/nova-compute/2/process-stopped Stopped"]
    );
}

#[test]
fn a_transient_failure_is_retried_with_the_same_id_and_time() {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(nova("c1", ProcessState::GaveUp));
    let first = out.iter().find_map(|a| match a {
        Action::NotifyProcess(n) => Some(n.clone()),
        _ => None,
    });
    let Some(first) = first else {
        panic!("no STOPPED")
    };
    let retry = h.fail_delivery(&first.id, "API down");
    assert!(reported(&retry, |r| matches!(
        r,
        Report::RetryScheduled { .. }
    )));
    let Some(due) = h.engine.poll_timeout() else {
        panic!("no retry scheduled")
    };
    let again = h.timeout(due);
    let resent = again.iter().find_map(|a| match a {
        Action::NotifyProcess(n) => Some(n.clone()),
        _ => None,
    });
    assert_eq!(resent, Some(first));
}

/// What the record keeps: a monitor restored from it (another controller's, after failover)
/// re-sends the pending STOPPED with its original generated_time, and not a second one.
#[test]
fn failover_keeps_it_exactly_once() {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(nova("c1", ProcessState::GaveUp));
    let persisted = out.iter().position(|a| matches!(a, Action::Persist(_)));
    let notified = out
        .iter()
        .position(|a| matches!(a, Action::NotifyProcess(_)));
    assert!(
        persisted < notified && persisted.is_some(),
        "record first: {out:?}"
    );
    let record = h.engine.record();
    let text = serde_json::to_string(&record).unwrap_or_default();
    let Ok(back) = serde_json::from_str::<Record>(&text) else {
        panic!("{text}")
    };
    let mut h2 = Harness::new(Config::default(), 0);
    h2.engine = Engine::restore(Config::default(), back).unwrap_or_else(|e| panic!("{e}"));
    h2.nodes = h.nodes.clone();
    let views = h2.views(&[]);
    let resumed = h2.snapshot(views);
    let sent_again = process_sent(&resumed);
    assert_eq!(sent_again, [STOPPED_1]);
    let again = h2.event(nova("c1", ProcessState::GaveUp));
    assert!(process_sent(&again).is_empty(), "still the same episode");
}

/// A cluster-wide nova-compute outage is no reason to put every host in maintenance: the
/// guard counts a host whose service Pacemaker gave up on, holds, says so, and releases on
/// command.
#[test]
fn the_guard_holds_a_cluster_wide_service_outage() {
    let mut h = Harness::new(Config::default(), 4);
    let views = (1..=4)
        .map(|i| service(&format!("c{i}"), "nova-compute", ProcessState::GaveUp))
        .collect();
    let out = h.event(Event::Services(views));
    assert!(reported(&out, |r| matches!(
        r,
        Report::MassFailureHold {
            lost: 4,
            watched: 4
        }
    )));
    assert!(process_sent(&out).is_empty());
    let released = h.event(Event::Command(Command::ReleaseHold));
    assert_eq!(process_sent(&released).len(), 4);
}

#[test]
fn services_of_unwatched_or_unknown_hosts_are_ignored() {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(Event::Services(vec![
        service("ctl2", "nova-compute", ProcessState::GaveUp),
        service("nowhere", "nova-compute", ProcessState::GaveUp),
    ]));
    assert!(process_sent(&out).is_empty());
}

#[test]
fn services_on_one_host_are_independent() {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(Event::Services(vec![
        service("c1", "nova-compute", ProcessState::GaveUp),
        service("c1", "libvirtd", ProcessState::GaveUp),
    ]));
    let ids: Vec<String> = process_sent(&out);
    assert_eq!(ids.len(), 2, "one in flight per service: {ids:?}");
}

#[test]
fn the_payload_is_the_processmonitors() {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(nova("c1", ProcessState::GaveUp));
    let Some(n) = out.iter().find_map(|a| match a {
        Action::NotifyProcess(n) => Some(n),
        _ => None,
    }) else {
        panic!("nothing sent")
    };
    let body = serde_json::to_value(n.request()).unwrap_or_default();
    assert_eq!(body["notification"]["type"], "PROCESS");
    assert_eq!(body["notification"]["hostname"], "c1");
    let payload = serde_json::json!({"event": "STOPPED", "process_name": "nova-compute"});
    assert_eq!(body["notification"]["payload"], payload);
}

fn dismiss(h: &mut Harness, process: &str, episode: Option<u64>) -> Report {
    let command = Command::DismissProcess {
        host: "c1".into(),
        process: process.into(),
        episode,
    };
    let out = h.event(Event::Command(command));
    let reports = reports(&out);
    let Some(report) = reports.first() else {
        panic!("no answer: {out:?}")
    };
    (*report).clone()
}

/// A dismissed process episode: its pending STOPPED is dropped, nothing more is sent for it (not
/// its STARTED), the dismissal survives a restore, and the next episode is notified.
#[test]
fn a_dismissed_process_episode_sends_nothing_more() {
    let mut h = Harness::new(Config::default(), 4);
    let out = h.event(nova("c1", ProcessState::GaveUp));
    let id = NotificationId::new("c1/nova-compute", 1, "process-stopped");
    assert_eq!(process_sent(&out), [STOPPED_1]);
    h.fail_delivery(&id, "API down");
    let refused = dismiss(&mut h, "nova-compute", Some(2));
    let other = NotDismissed::OtherEpisode {
        asked: 2,
        current: 1,
    };
    assert!(
        matches!(refused, Report::NotDismissed { why, .. } if why == other),
        "{refused:?}"
    );
    let unknown = dismiss(&mut h, "sshd", None);
    assert!(matches!(
        unknown,
        Report::NotDismissed {
            why: NotDismissed::NoSuchProcess,
            ..
        }
    ));
    let report = dismiss(&mut h, "nova-compute", Some(1));
    let expected = Report::Dismissed {
        host: "c1".into(),
        process: Some("nova-compute".into()),
        episode: 1,
        dropped: vec![id.clone()],
        in_flight: None,
    };
    assert_eq!(report, expected);
    assert!(
        report
            .to_string()
            .contains("process episode 1 of nova-compute on host c1"),
        "{report}"
    );
    let again = dismiss(&mut h, "nova-compute", None);
    assert!(matches!(
        again,
        Report::NotDismissed {
            why: NotDismissed::NothingPending { episode: 1 },
            ..
        }
    ));
    let record = h.engine.record();
    h.engine = Engine::restore(Config::default(), record).unwrap_or_else(|e| panic!("{e}"));
    let views = h.views(&[]);
    assert!(
        process_sent(&h.snapshot(views)).is_empty(),
        "the dismissal is in the record"
    );
    let back = h.event(nova("c1", ProcessState::Running));
    assert!(
        process_sent(&back).is_empty(),
        "no STARTED for a dismissed episode"
    );
    let next = h.event(nova("c1", ProcessState::GaveUp));
    assert_eq!(
        process_sent(&next),
        ["c1/nova-compute/2/process-stopped Stopped"]
    );
}

/// One in flight when dismissed is dropped if that attempt fails, not retried.
#[test]
fn a_dismissed_process_notification_in_flight_is_dropped_when_it_fails() {
    let mut h = Harness::new(Config::default(), 4);
    h.event(nova("c1", ProcessState::GaveUp));
    let id = NotificationId::new("c1/nova-compute", 1, "process-stopped");
    let report = dismiss(&mut h, "nova-compute", None);
    assert!(
        matches!(&report, Report::Dismissed { in_flight: Some(i), dropped, .. } if *i == id && dropped.is_empty()),
        "{report:?}"
    );
    let failed = h.fail_delivery(&id, "API down");
    assert!(
        reported(&failed, |r| matches!(
            r,
            Report::Dropped {
                dismissed: true,
                ..
            }
        )),
        "{failed:?}"
    );
    assert_eq!(h.engine.poll_timeout(), None, "nothing left to retry");
}
