//! The state x event matrix: every host state against every event, checking what is sent
//! for c0 and where c0 ends up.

use std::time::Duration;

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unobserved,
    Online,
    Lost,
    LostUnknownSent,
    LostNormalInFlight,
    LostNormalSent,
    BackAfterStop,
    LostNoQuorum,
    ConfirmedNoQuorum,
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
    SnapshotOnlineStale,
    SnapshotOfflineFenced,
    QuorumLost,
    QuorumRegained,
    DeliveryAccepted,
    DeliveryDuplicate,
    DeliveryRejected,
    DeliveryTransient,
    Timeout,
    ReleaseHold,
}

const STATES: [State; 9] = [
    State::Unobserved,
    State::Online,
    State::Lost,
    State::LostUnknownSent,
    State::LostNormalInFlight,
    State::LostNormalSent,
    State::BackAfterStop,
    State::LostNoQuorum,
    State::ConfirmedNoQuorum,
];

const INPUTS: [Input; 18] = [
    Input::NodeLost,
    Input::NodeMember,
    Input::FenceOkNew,
    Input::FenceOkOld,
    Input::FenceFailedNew,
    Input::PowerOff,
    Input::SnapshotOnline,
    Input::SnapshotOffline,
    Input::SnapshotOnlineStale,
    Input::SnapshotOfflineFenced,
    Input::QuorumLost,
    Input::QuorumRegained,
    Input::DeliveryAccepted,
    Input::DeliveryDuplicate,
    Input::DeliveryRejected,
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
    if matches!(state, State::LostNoQuorum | State::ConfirmedNoQuorum) {
        h.event(Event::Quorum { quorate: false });
    }
    h.lost("c0");
    match state {
        State::LostUnknownSent => {
            h.fenced("c0", FenceOutcome::Failed);
        }
        State::LostNormalInFlight
        | State::LostNormalSent
        | State::BackAfterStop
        | State::ConfirmedNoQuorum => {
            h.fenced("c0", FenceOutcome::Succeeded);
        }
        _ => {}
    }
    if matches!(
        state,
        State::LostUnknownSent | State::LostNormalSent | State::BackAfterStop
    ) {
        let id = h.in_flight("c0").unwrap();
        h.deliver(&id, DeliveryOutcome::Accepted);
    }
    if state == State::BackAfterStop {
        h.member("c0");
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
        Input::SnapshotOnlineStale => h.snapshot_from("ctl1", secs(1), true, h.views(&[])),
        Input::SnapshotOfflineFenced => {
            let mut views = h.views(&["c0"]);
            if let Some(c0) = views.last_mut() {
                c0.fencing.last_success = Some(h.now);
            }
            h.snapshot(views)
        }
        Input::QuorumLost => h.event(Event::Quorum { quorate: false }),
        Input::QuorumRegained => h.event(Event::Quorum { quorate: true }),
        Input::DeliveryAccepted => h.deliver(&in_flight, DeliveryOutcome::Accepted),
        Input::DeliveryDuplicate => {
            let message = "duplicate".into();
            h.deliver(&in_flight, DeliveryOutcome::Duplicate { message })
        }
        Input::DeliveryRejected => {
            let message = "unknown host".into();
            h.deliver(
                &in_flight,
                DeliveryOutcome::Rejected {
                    status: 400,
                    message,
                },
            )
        }
        Input::DeliveryTransient => h.fail_delivery(&in_flight, "503"),
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

/// Where c0 is in each state before the input.
fn resting(state: State) -> &'static str {
    match state {
        State::Unobserved => "unobserved",
        State::Online | State::BackAfterStop => "online",
        State::Lost | State::LostUnknownSent | State::LostNoQuorum => "lost",
        State::LostNormalInFlight | State::LostNormalSent | State::ConfirmedNoQuorum => {
            "lost+confirmed"
        }
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
    let input = match input {
        I::DeliveryDuplicate | I::DeliveryRejected => I::DeliveryAccepted,
        other => other,
    };
    match (state, input) {
        (_, I::SnapshotOnlineStale) => (NONE, resting(state)),
        (S::Unobserved, I::SnapshotOfflineFenced) => (NONE, "unobserved"),
        (S::LostNormalInFlight | S::LostNormalSent, I::SnapshotOfflineFenced) => {
            (NONE, "lost+confirmed")
        }
        (_, I::SnapshotOfflineFenced) => (NORMAL, "lost+confirmed"),
        (S::ConfirmedNoQuorum, I::QuorumRegained) => (NORMAL, "lost+confirmed"),
        (_, I::QuorumRegained) => (NONE, resting(state)),
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
        (S::BackAfterStop, I::NodeLost | I::SnapshotOffline) => (NONE, "lost"),
        (S::BackAfterStop, _) => (NONE, "online"),
        // A reconcile brings quorum back.
        (S::LostNoQuorum | S::ConfirmedNoQuorum, I::NodeMember | I::SnapshotOnline) => {
            (NONE, "online")
        }
        (S::LostNoQuorum, I::FenceOkNew) => (NONE, "lost+confirmed"),
        (S::LostNoQuorum, _) => (NONE, "lost"),
        (S::ConfirmedNoQuorum, I::SnapshotOffline) => (NORMAL, "lost+confirmed"),
        (S::ConfirmedNoQuorum, _) => (NONE, "lost+confirmed"),
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
