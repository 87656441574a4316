//! An operator dismissing a host's episode: what is dropped, what is never sent again, what a
//! restart keeps, what a new episode clears, and what is refused.

use std::time::Duration;

use super::*;

fn dismiss(h: &mut Harness, host: &str, episode: Option<u64>) -> Vec<Action> {
    let host = host.to_owned();
    h.event(Event::Command(Command::Dismiss { host, episode }))
}

/// The answer to a dismissal among `actions`.
fn answer(actions: &[Action]) -> &Report {
    reports(actions)
        .into_iter()
        .find(|r| matches!(r, Report::Dismissed { .. } | Report::NotDismissed { .. }))
        .expect("a dismissal is answered")
}

fn host_view(h: &Harness, name: &str) -> HostView {
    let hosts = h.engine.status().hosts;
    hosts.into_iter().find(|v| v.name == name).unwrap()
}

fn persisted(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::Persist(_)))
}

/// c1 lost and fenced, its `STOPPED` failed once and waiting for a retry.
fn retrying() -> (Harness, NotificationId) {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    h.fail_delivery(&n.id, "connection refused");
    (h, n.id)
}

/// Runs every retry and fence deadline due in the next `secs` seconds; what they send.
fn run_for(h: &mut Harness, secs: u64) -> Vec<String> {
    let end = h.now.saturating_add(Duration::from_secs(secs));
    let mut out = Vec::new();
    while let Some(due) = h.engine.poll_timeout().filter(|due| *due <= end) {
        out.extend(sent(&h.timeout(due)));
    }
    out
}

#[test]
fn a_retrying_stopped_is_dropped_loudly_and_never_sent_again() {
    let (mut h, id) = retrying();
    let actions = dismiss(&mut h, "c1", Some(1));
    let report = answer(&actions);
    assert_eq!(
        *report,
        Report::Dismissed {
            host: "c1".into(),
            process: None,
            episode: 1,
            dropped: vec![id.clone()],
            in_flight: None,
        }
    );
    assert_eq!(report.level(), Level::Error);
    assert!(
        report
            .to_string()
            .starts_with("OPERATOR DISMISSED episode 1 of host c1")
    );
    assert!(report.to_string().contains(id.as_str()));
    assert!(persisted(&actions), "the dismissal is durable");
    assert!(sent(&actions).is_empty());
    let view = host_view(&h, "c1");
    assert!(view.dismissed && view.pending.is_empty(), "{view:?}");
    assert_eq!(h.engine.poll_timeout(), None, "no retry left");
    let still_lost = h.views(&["c1"]);
    assert!(
        sent(&h.snapshot(still_lost)).is_empty(),
        "a reconcile does not re-add it"
    );
    assert!(h.sent_on_fence("c1").is_empty(), "nor a later fence");
    assert!(run_for(&mut h, 3600).is_empty());
}

#[test]
fn the_dismissed_episode_gets_no_started_and_the_next_loss_is_notified() {
    let (mut h, _) = retrying();
    dismiss(&mut h, "c1", None);
    let back = h.member("c1");
    assert!(
        sent(&back).is_empty(),
        "no STARTED for a dismissed episode: {back:?}"
    );
    assert!(host_view(&h, "c1").dismissed, "still the dismissed episode");
    assert_eq!(sent(&h.lost("c1")), Vec::<String>::new());
    let view = host_view(&h, "c1");
    assert_eq!((view.episode, view.dismissed), (2, false), "a new episode");
    assert_eq!(h.sent_on_fence("c1"), ["c1:STOPPED/NORMAL"]);
}

#[test]
fn a_restored_engine_keeps_the_dismissal() {
    let (mut h, _) = retrying();
    let actions = dismiss(&mut h, "c1", Some(1));
    let Some(Action::Persist(update)) = actions.iter().find(|a| matches!(a, Action::Persist(_)))
    else {
        panic!("{actions:?}")
    };
    let text = serde_json::to_string(&update.hosts[0].1).unwrap();
    assert!(text.contains("\"dismissed\":1"), "{text}");
    let record: Record =
        serde_json::from_str(&serde_json::to_string(&h.engine.record()).unwrap()).unwrap();
    h.engine = Engine::restore(Config::default(), record).unwrap();
    assert!(sent(&h.event(Event::Quorum { quorate: true })).is_empty());
    assert!(sent(&h.snapshot(h.views(&["c1"]))).is_empty());
    assert!(h.sent_on_fence("c1").is_empty());
    assert!(run_for(&mut h, 3600).is_empty());
    assert!(
        sent(&h.member("c1")).is_empty(),
        "no STARTED after a restart either"
    );
    h.lost("c1");
    assert_eq!(h.sent_on_fence("c1"), ["c1:STOPPED/NORMAL"]);
}

#[test]
fn a_held_notification_never_sent_is_dropped_too() {
    let mut h = Harness::new(Config::default(), 4);
    h.event(Event::Quorum { quorate: false });
    h.lost("c1");
    assert!(h.sent_on_fence("c1").is_empty(), "held without quorum");
    let actions = dismiss(&mut h, "c1", Some(1));
    assert!(matches!(
        answer(&actions),
        Report::Dismissed { dropped, in_flight: None, .. }
            if dropped.iter().map(NotificationId::as_str).eq(["c1/1/stopped-normal"])
    ));
    assert!(sent(&h.event(Event::Quorum { quorate: true })).is_empty());
    assert!(host_view(&h, "c1").pending.is_empty());
}

#[test]
fn one_in_flight_is_dropped_when_its_attempt_fails() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    let actions = dismiss(&mut h, "c1", Some(1));
    assert!(matches!(
        answer(&actions),
        Report::Dismissed { dropped, in_flight: Some(id), .. } if dropped.is_empty() && *id == n.id
    ));
    assert!(answer(&actions).to_string().contains("was being sent"));
    let failed = h.fail_delivery(&n.id, "503");
    assert!(
        reported(&failed, |r| matches!(
            r,
            Report::Dropped { dismissed: true, attempts: 1, reason, .. } if reason == "503"
        )),
        "{failed:?}"
    );
    assert!(!reported(&failed, |r| matches!(
        r,
        Report::RetryScheduled { .. }
    )));
    let dropped = reports(&failed)
        .into_iter()
        .find(|r| matches!(r, Report::Dropped { .. }))
        .unwrap();
    assert!(
        dropped.to_string().contains("an operator dismissed it"),
        "{dropped}"
    );
    assert!(host_view(&h, "c1").pending.is_empty());
    assert!(run_for(&mut h, 3600).is_empty());
}

#[test]
fn one_in_flight_that_the_api_takes_is_reported_delivered() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    dismiss(&mut h, "c1", None);
    let taken = h.deliver(&n.id, DeliveryOutcome::Accepted);
    assert!(reported(&taken, |r| matches!(r, Report::Delivered { .. })));
    assert!(sent(&h.member("c1")).is_empty(), "still no STARTED");
}

#[test]
fn a_pending_started_can_be_dismissed() {
    let mut h = Harness::new(Config::default(), 4);
    let n = h.stopped("c1");
    h.deliver(&n.id, DeliveryOutcome::Accepted);
    let back = h.member("c1");
    let started = notifications(&back)[0].id.clone();
    h.fail_delivery(&started, "timeout");
    let actions = dismiss(&mut h, "c1", Some(1));
    assert!(matches!(
        answer(&actions),
        Report::Dismissed { dropped, .. } if *dropped == [started.clone()]
    ));
    assert!(run_for(&mut h, 3600).is_empty());
}

#[test]
fn a_dismissed_unknown_is_not_followed_by_a_normal() {
    let mut h = Harness::new(Config::default(), 4);
    h.lost("c1");
    let failed = h.fenced("c1", FenceOutcome::Failed);
    let unknown = notifications(&failed)[0].id.clone();
    assert!(unknown.as_str().ends_with("/stopped-unknown"));
    h.fail_delivery(&unknown, "503");
    dismiss(&mut h, "c1", Some(1));
    assert!(
        h.sent_on_fence("c1").is_empty(),
        "the episode is dismissed, not one notification"
    );
}

#[test]
fn refusals_change_nothing() {
    let (mut h, id) = retrying();
    let cases = [
        (
            "c1",
            Some(2),
            NotDismissed::OtherEpisode {
                asked: 2,
                current: 1,
            },
        ),
        ("c2", None, NotDismissed::NothingPending { episode: 0 }),
        ("c9", None, NotDismissed::NotWatched),
        ("ctl1", None, NotDismissed::NotWatched),
    ];
    for (host, episode, why) in cases {
        let actions = dismiss(&mut h, host, episode);
        let report = answer(&actions);
        assert_eq!(
            *report,
            Report::NotDismissed {
                host: host.into(),
                why
            }
        );
        assert_eq!(report.level(), Level::Info);
        assert!(!persisted(&actions), "{host}: {actions:?}");
    }
    let refused = dismiss(&mut h, "c1", Some(2));
    assert_eq!(
        answer(&refused).to_string(),
        "dismissal of host c1 refused: it is in episode 1, not 2 (see `masakari-hostmonitor status`)"
    );
    let view = host_view(&h, "c1");
    assert!(!view.dismissed && view.pending[0].id == id, "{view:?}");
    assert_eq!(run_for(&mut h, 60), ["c1:STOPPED/NORMAL"], "still retried");
}

#[test]
fn a_second_dismissal_finds_nothing_pending() {
    let (mut h, _) = retrying();
    dismiss(&mut h, "c1", None);
    let again = dismiss(&mut h, "c1", None);
    assert_eq!(
        *answer(&again),
        Report::NotDismissed {
            host: "c1".into(),
            why: NotDismissed::NothingPending { episode: 1 }
        }
    );
}
