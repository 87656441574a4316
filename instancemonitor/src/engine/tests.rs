use super::*;
use crate::rpc::domain::Domain;

const S: Duration = Duration::from_secs(1);
const A: Uuid = Uuid([0xa; 16]);
const B: Uuid = Uuid([0xb; 16]);

fn domain(uuid: Uuid) -> Domain {
    Domain {
        name: format!("guest-{:x}", uuid.0[0]),
        uuid,
        id: 1,
    }
}

fn status(uuid: Uuid, persistent: bool, state: i32, reason: i32) -> DomainStatus {
    DomainStatus {
        domain: domain(uuid),
        persistent,
        state,
        reason,
    }
}

fn running(uuid: Uuid) -> DomainStatus {
    status(uuid, true, 1, 1)
}

fn crashed(uuid: Uuid) -> DomainStatus {
    status(uuid, true, 5, 3)
}

fn lifecycle(uuid: Uuid, event: i32, detail: i32) -> Input {
    Input::Event(DomainEvent {
        callback_id: 1,
        domain: domain(uuid),
        kind: EventKind::Lifecycle { event, detail },
    })
}

fn details(actions: &[Action]) -> Vec<(String, &'static str, Cause)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some((
                n.payload.instance_uuid.clone(),
                n.payload.vir_domain_event,
                n.cause,
            )),
            Action::Connect | Action::Gone { .. } => None,
        })
        .collect()
}

fn failed(uuid: Uuid, cause: Cause) -> (String, &'static str, Cause) {
    (uuid.to_string(), "STOPPED_FAILED", cause)
}

/// An engine connected at t0 with these domains.
fn connected(domains: Vec<DomainStatus>) -> (Engine, Instant) {
    let t0 = Instant::now();
    let mut engine = Engine::new(EngineConfig::default(), t0);
    assert_eq!(engine.on_timeout(t0), vec![Action::Connect]);
    assert_eq!(engine.on_event(t0, Input::Connected(domains)), vec![]);
    (engine, t0)
}

fn reconnect(engine: &mut Engine, t: Instant, domains: Vec<DomainStatus>) -> Vec<Action> {
    engine.on_event(t, Input::Disconnected);
    let at = engine.poll_timeout().unwrap();
    assert_eq!(engine.on_timeout(at), vec![Action::Connect]);
    engine.on_event(at, Input::Connected(domains))
}

#[test]
fn the_first_connect_is_immediate_and_reports_nothing_already_down() {
    let (engine, _) = connected(vec![crashed(A), status(B, true, 5, 1)]);
    assert_eq!(engine.poll_timeout(), None);
}

#[test]
fn a_crash_event_is_reported_from_the_filter() {
    let (mut engine, t0) = connected(vec![running(A)]);
    let actions = engine.on_event(t0 + S, lifecycle(A, 5, 5));
    assert_eq!(details(&actions), vec![failed(A, Cause::Event)]);
    assert_eq!(
        engine.on_event(t0 + S, lifecycle(A, 2, 0)),
        vec![],
        "started is not notified"
    );
}

#[test]
fn a_crash_while_disconnected_is_reported_once_at_reconnect() {
    let (mut engine, t0) = connected(vec![running(A), running(B)]);
    let actions = reconnect(&mut engine, t0 + S, vec![crashed(A), running(B)]);
    assert_eq!(details(&actions), vec![failed(A, Cause::Reconcile)]);
    // libvirt's own event for that stop, delivered after the reconnect, is not repeated.
    assert_eq!(engine.on_event(t0 + 3 * S, lifecycle(A, 5, 5)), vec![]);
    // Nor is it found again by the next reconcile.
    assert_eq!(
        reconnect(&mut engine, t0 + 4 * S, vec![crashed(A), running(B)]),
        vec![]
    );
}

#[test]
fn the_event_before_the_list_wins_and_the_reconcile_stays_quiet() {
    let (mut engine, t0) = connected(vec![running(A)]);
    engine.on_event(t0 + S, Input::Disconnected);
    let at = engine.poll_timeout().unwrap();
    engine.on_timeout(at);
    // Registered first, so the event can arrive before the domain list completes.
    assert_eq!(
        details(&engine.on_event(at, lifecycle(A, 5, 5))),
        vec![failed(A, Cause::Event)]
    );
    assert_eq!(
        engine.on_event(at, Input::Connected(vec![crashed(A)])),
        vec![]
    );
}

#[test]
fn a_clean_stop_while_disconnected_is_not_a_failure() {
    let (mut engine, t0) = connected(vec![running(A)]);
    let shut_down = status(A, true, 5, 1);
    assert_eq!(reconnect(&mut engine, t0 + S, vec![shut_down]), vec![]);
}

#[test]
fn a_domain_gone_while_disconnected_is_not_reported_only_logged() {
    let (mut engine, t0) = connected(vec![running(A), status(B, false, 1, 1)]);
    let actions = reconnect(&mut engine, t0 + S, vec![running(A)]);
    let gone = Action::Gone {
        uuid: B,
        name: domain(B).name,
    };
    assert_eq!(actions, vec![gone]);
}

#[test]
fn a_domain_down_before_the_disconnect_is_not_reported() {
    let (mut engine, t0) = connected(vec![running(A)]);
    engine.on_event(t0 + S, lifecycle(A, 5, 1));
    assert_eq!(reconnect(&mut engine, t0 + 2 * S, vec![crashed(A)]), vec![]);
}

#[test]
fn a_restarted_domain_that_crashes_again_is_reported_again() {
    let (mut engine, t0) = connected(vec![running(A)]);
    assert_eq!(reconnect(&mut engine, t0 + S, vec![crashed(A)]).len(), 1);
    // Started and crashed again while connected: both stops are notified.
    engine.on_event(t0 + 2 * S, lifecycle(A, 2, 0));
    assert_eq!(
        details(&engine.on_event(t0 + 3 * S, lifecycle(A, 5, 5))),
        vec![failed(A, Cause::Event)]
    );
    // Restarted while disconnected, then crashed while disconnected again.
    assert_eq!(reconnect(&mut engine, t0 + 4 * S, vec![running(A)]), vec![]);
    assert_eq!(
        reconnect(&mut engine, t0 + 5 * S, vec![crashed(A)]).len(),
        1
    );
}

#[test]
fn a_restart_while_disconnected_clears_the_reported_stop() {
    let (mut engine, t0) = connected(vec![running(A)]);
    assert_eq!(reconnect(&mut engine, t0 + S, vec![crashed(A)]).len(), 1);
    assert_eq!(reconnect(&mut engine, t0 + 2 * S, vec![running(A)]), vec![]);
    assert_eq!(
        details(&engine.on_event(t0 + 3 * S, lifecycle(A, 5, 5))),
        vec![failed(A, Cause::Event)]
    );
}

#[test]
fn a_domain_started_while_connected_is_tracked_for_the_next_reconcile() {
    let (mut engine, t0) = connected(vec![]);
    engine.on_event(t0 + S, lifecycle(A, 0, 0));
    engine.on_event(t0 + S, lifecycle(A, 2, 0));
    let actions = reconnect(&mut engine, t0 + 2 * S, vec![crashed(A)]);
    assert_eq!(details(&actions), vec![failed(A, Cause::Reconcile)]);
}

#[test]
fn a_paused_domain_counts_as_active() {
    let (mut engine, t0) = connected(vec![status(A, true, 3, 1)]);
    assert_eq!(reconnect(&mut engine, t0 + S, vec![crashed(A)]).len(), 1);
}

#[test]
fn a_domain_left_crashed_is_reported() {
    let (mut engine, t0) = connected(vec![running(A)]);
    assert_eq!(
        reconnect(&mut engine, t0 + S, vec![status(A, true, 6, 1)]).len(),
        1
    );
}

#[test]
fn reconnects_back_off_doubling_to_the_cap_and_reset_once_connected() {
    let t0 = Instant::now();
    let config = EngineConfig {
        backoff_initial: S,
        backoff_max: 4 * S,
    };
    let mut engine = Engine::new(config, t0);
    let mut now = t0;
    let mut waits = Vec::new();
    for _ in 0..5 {
        assert_eq!(engine.on_timeout(now), vec![Action::Connect]);
        engine.on_event(now, Input::Disconnected);
        let at = engine.poll_timeout().unwrap();
        assert_eq!(engine.on_timeout(at - Duration::from_millis(1)), vec![]);
        waits.push((at - now).as_secs());
        now = at;
    }
    assert_eq!(waits, [1, 2, 4, 4, 4]);
    engine.on_timeout(now);
    engine.on_event(now, Input::Connected(vec![]));
    engine.on_event(now, Input::Disconnected);
    assert_eq!(engine.poll_timeout(), Some(now + S));
}

#[test]
fn a_second_disconnect_while_waiting_does_not_push_the_retry_out() {
    let (mut engine, t0) = connected(vec![]);
    engine.on_event(t0, Input::Disconnected);
    let at = engine.poll_timeout();
    engine.on_event(t0 + S / 2, Input::Disconnected);
    assert_eq!(engine.poll_timeout(), at);
}

#[test]
fn filtered_out_events_are_not_notified() {
    let (mut engine, t0) = connected(vec![running(A)]);
    assert_eq!(engine.on_event(t0, lifecycle(A, 4, 0)), vec![]);
    let watchdog = Input::Event(DomainEvent {
        callback_id: 3,
        domain: domain(A),
        kind: EventKind::Watchdog { action: 6 },
    });
    assert_eq!(engine.on_event(t0, watchdog), vec![]);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    Active,
    Inactive,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Running,
    Crashed,
    CleanlyOff,
    Gone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CrashEvent {
    None,
    BeforeTheList,
    AfterTheList,
}

fn reported_failures(before: Before, after: After, event: CrashEvent) -> usize {
    let t0 = Instant::now();
    let mut engine = Engine::new(EngineConfig::default(), t0);
    engine.on_timeout(t0);
    let first = match before {
        Before::Active => vec![running(A)],
        Before::Inactive => vec![status(A, true, 5, 1)],
        Before::Unknown => vec![],
    };
    engine.on_event(t0, Input::Connected(first));
    engine.on_event(t0 + S, Input::Disconnected);
    let at = engine.poll_timeout().unwrap();
    engine.on_timeout(at);
    let listed = match after {
        After::Running => vec![running(A)],
        After::Crashed => vec![crashed(A)],
        After::CleanlyOff => vec![status(A, true, 5, 1)],
        After::Gone => vec![],
    };
    let mut actions = Vec::new();
    if event == CrashEvent::BeforeTheList {
        actions.extend(engine.on_event(at, lifecycle(A, 5, 5)));
    }
    actions.extend(engine.on_event(at, Input::Connected(listed)));
    if event == CrashEvent::AfterTheList {
        actions.extend(engine.on_event(at, lifecycle(A, 5, 5)));
    }
    // A later reconnect with nothing new must stay quiet.
    let again = match after {
        After::Running => vec![running(A)],
        After::Crashed => vec![crashed(A)],
        After::CleanlyOff => vec![status(A, true, 5, 1)],
        After::Gone => vec![],
    };
    actions.extend(reconnect(&mut engine, at + S, again));
    details(&actions)
        .iter()
        .filter(|d| d.1 == "STOPPED_FAILED")
        .count()
}

#[test]
fn every_crash_around_a_reconnect_is_reported_exactly_once_and_nothing_else_is() {
    use {After::*, Before::*, CrashEvent::*};
    for before in [Active, Inactive, Unknown] {
        for after in [Running, Crashed, CleanlyOff, Gone] {
            for event in [None, BeforeTheList, AfterTheList] {
                // libvirt only sends the crash event when the domain did stop.
                if event != None && !matches!(after, Crashed | Gone) {
                    continue;
                }
                // A domain gone at the reconnect is reported only from libvirt's own event.
                let expected = usize::from(match after {
                    Crashed => before == Active || event != None,
                    Gone => event != None,
                    Running | CleanlyOff => false,
                });
                let got = reported_failures(before, after, event);
                assert_eq!(got, expected, "{before:?} -> {after:?}, event {event:?}");
            }
        }
    }
}
