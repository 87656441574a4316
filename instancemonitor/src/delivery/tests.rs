use std::time::Duration;

use masakari_client::{DeliveryOutcome, NotificationId, Retry, Timestamp};

use super::*;
use crate::engine::{Cause, VmNotification};
use crate::filter::VmPayload as Filtered;

const T0: Timestamp = Timestamp::from_unix(1_700_000_000, 0);

fn crash(uuid: &str) -> VmNotification {
    VmNotification {
        domain_name: "guest".into(),
        payload: Filtered {
            event: "LIFECYCLE",
            instance_uuid: uuid.into(),
            vir_domain_event: "STOPPED_FAILED",
        },
        cause: Cause::Event,
    }
}

fn delivery() -> Delivery {
    Delivery::new("compute-1", Retry::default(), Record::default())
}

fn sent(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Send(n) => Some(n.id.to_string()),
            _ => None,
        })
        .collect()
}

fn persisted(steps: &[Step]) -> Option<Record> {
    steps.iter().rev().find_map(|s| match s {
        Step::Persist(r) => Some(r.clone()),
        _ => None,
    })
}

fn id(n: u64) -> NotificationId {
    NotificationId::new("compute-1", n, "vm")
}

fn later(t: Timestamp, secs: u64) -> Timestamp {
    t.saturating_add(Duration::from_secs(secs))
}

#[test]
fn a_notification_is_persisted_before_it_is_sent() {
    let mut d = delivery();
    let steps = d.notify(T0, &crash("a"));
    let persist = steps.iter().position(|s| matches!(s, Step::Persist(_)));
    let send = steps.iter().position(|s| matches!(s, Step::Send(_)));
    assert!(persist.unwrap() < send.unwrap(), "{steps:?}");
    let record = persisted(&steps).unwrap();
    assert_eq!(record.next, 2);
    let entry = record.outbox.iter().next().unwrap();
    assert_eq!(entry.notification.id, id(1));
    assert_eq!(entry.notification.hostname, "compute-1");
    assert_eq!(entry.notification.generated_time, T0);
    assert_eq!(entry.notification.payload.instance_uuid, "a");
    assert_eq!(
        entry.notification.payload.vir_domain_event,
        "STOPPED_FAILED"
    );
}

#[test]
fn one_in_flight_at_a_time_oldest_first() {
    let mut d = delivery();
    assert_eq!(sent(&d.notify(T0, &crash("a"))), ["compute-1/1/vm"]);
    assert!(
        sent(&d.notify(T0, &crash("b"))).is_empty(),
        "waits for the first"
    );
    let steps = d.outcome(later(T0, 1), &id(1), DeliveryOutcome::Accepted);
    assert_eq!(sent(&steps), ["compute-1/2/vm"]);
    let delivered = steps.iter().find_map(|s| match s {
        Step::Report(Report::Delivered { latency, .. }) => Some(*latency),
        _ => None,
    });
    assert_eq!(delivered, Some(Duration::from_secs(1)));
    assert_eq!(persisted(&steps).unwrap().outbox.len(), 1);
    assert_eq!(d.api().delivered, 1);
    assert_eq!(d.api().last_ok, Some(true));
}

#[test]
fn an_api_down_is_retried_for_ever_on_the_virtual_clock_and_delivered_once() {
    let retry = Retry {
        alert_after: 3,
        ..Retry::default()
    };
    let mut d = Delivery::new("compute-1", retry, Record::default());
    d.notify(T0, &crash("a"));
    let mut now = T0;
    for attempt in 1..=20u32 {
        let down = DeliveryOutcome::Transient {
            reason: "connection refused".into(),
        };
        let steps = d.outcome(now, &id(1), down);
        assert!(sent(&steps).is_empty(), "no retry before it is due");
        let due = d.poll_timeout().unwrap();
        assert_eq!(due, now.saturating_add(retry.delay(attempt)));
        let just_before = due.saturating_sub(Duration::from_micros(1));
        assert!(d.on_timeout(just_before).is_empty(), "not before it is due");
        let pending = &d.pending()[0];
        assert_eq!(pending.attempts, attempt);
        assert_eq!(pending.overdue, attempt > 3, "attempt {attempt}");
        assert_eq!(d.api().last_ok, Some(false));
        now = due;
        assert_eq!(
            sent(&d.on_timeout(now)),
            ["compute-1/1/vm"],
            "attempt {attempt}"
        );
    }
    let steps = d.outcome(now, &id(1), DeliveryOutcome::Accepted);
    assert!(persisted(&steps).unwrap().outbox.is_empty());
    assert_eq!(d.api().delivered, 1);
    assert!(d.pending().is_empty());
    assert_eq!(d.poll_timeout(), None);
}

#[test]
fn a_restart_sends_what_the_record_holds_under_its_first_id_and_time() {
    let mut before = delivery();
    let steps = before.notify(T0, &crash("a"));
    let record = persisted(&steps).unwrap();
    let mut after = Delivery::new("compute-1", Retry::default(), record);
    let steps = after.start(later(T0, 30));
    let Some(Step::Send(n)) = steps.first() else {
        panic!("{steps:?}")
    };
    assert_eq!((n.id.clone(), n.generated_time), (id(1), T0));
    let steps = after.notify(later(T0, 31), &crash("b"));
    assert_eq!(persisted(&steps).unwrap().next, 3, "numbers are not reused");
    let conflict = DeliveryOutcome::Duplicate {
        message: "already".into(),
    };
    let steps = after.outcome(later(T0, 32), &id(1), conflict);
    assert!(matches!(
        steps.get(1),
        Some(Step::Report(Report::Delivered {
            duplicate: true,
            ..
        }))
    ));
    assert_eq!(sent(&steps), ["compute-1/2/vm"]);
}

#[test]
fn a_refusal_drops_the_notification_and_moves_on() {
    let mut d = delivery();
    d.notify(T0, &crash("a"));
    d.notify(T0, &crash("b"));
    let refused = DeliveryOutcome::Rejected {
        status: 400,
        message: "host compute-1 not found".into(),
    };
    let steps = d.outcome(T0, &id(1), refused);
    assert!(matches!(
        steps.get(1),
        Some(Step::Report(Report::Rejected { status: 400, .. }))
    ));
    assert_eq!(sent(&steps), ["compute-1/2/vm"]);
    assert_eq!(d.pending().len(), 1);
    assert_eq!(d.api().last_ok, Some(true), "a refusal is an answer");
}

#[test]
fn an_outcome_for_nothing_in_flight_is_ignored() {
    let mut d = delivery();
    assert!(d.outcome(T0, &id(1), DeliveryOutcome::Accepted).is_empty());
    d.notify(T0, &crash("a"));
    assert!(d.outcome(T0, &id(7), DeliveryOutcome::Accepted).is_empty());
    assert_eq!(d.pending().len(), 1);
    assert_eq!(d.api().last_ok, None, "no contact yet");
}

#[test]
fn the_record_round_trips_as_the_state_file_holds_it() {
    let mut d = delivery();
    let record = persisted(&d.notify(T0, &crash("a"))).unwrap();
    let text = serde_json::to_string(&record).unwrap();
    assert!(
        text.starts_with(r#"{"version":1,"next":2,"outbox":[{"#),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), record);
}

/// Runs `events` notifications through an API that fails as `fails` says (by attempt number),
/// restarting from the persisted record where `restart` says; returns the ids the API took, in
/// order.
fn delivered_ids(
    events: u64,
    fails: impl Fn(u64) -> bool,
    restart: impl Fn(u64) -> bool,
) -> Vec<String> {
    let mut d = delivery();
    let mut record = Record::default();
    let mut now = T0;
    let mut in_flight: Vec<NotificationId> = Vec::new();
    let mut taken = Vec::new();
    let carry = |steps: Vec<Step>, record: &mut Record, in_flight: &mut Vec<NotificationId>| {
        for step in steps {
            match step {
                Step::Persist(r) => *record = r,
                Step::Send(n) => in_flight.push(n.id),
                Step::Report(_) => {}
            }
        }
    };
    for e in 0..events {
        let steps = d.notify(now, &crash(&format!("uuid-{e}")));
        carry(steps, &mut record, &mut in_flight);
    }
    for attempt in 0..10_000u64 {
        if restart(attempt) {
            d = Delivery::new("compute-1", Retry::default(), record.clone());
            in_flight.clear();
            let steps = d.start(now);
            carry(steps, &mut record, &mut in_flight);
        }
        let Some(id) = in_flight.pop() else {
            let Some(due) = d.poll_timeout() else { break };
            now = due;
            let steps = d.on_timeout(now);
            carry(steps, &mut record, &mut in_flight);
            continue;
        };
        let outcome = if fails(attempt) {
            DeliveryOutcome::Transient {
                reason: "down".into(),
            }
        } else {
            taken.push(id.to_string());
            DeliveryOutcome::Accepted
        };
        now = later(now, 1);
        let steps = d.outcome(now, &id, outcome);
        carry(steps, &mut record, &mut in_flight);
    }
    assert!(record.outbox.is_empty(), "everything delivered in the end");
    taken
}

#[test]
fn every_notification_is_taken_once_in_order_whatever_fails_and_restarts() {
    let mut state = 0x9e37_79b9_u32;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    for round in 0..50 {
        let seed = u64::from(random());
        let fails = move |attempt: u64| (attempt.wrapping_mul(seed) >> 7) % 3 == 0 && attempt < 200;
        let restart = move |attempt: u64| round % 2 == 0 && (attempt ^ seed).is_multiple_of(11);
        let taken = delivered_ids(5, fails, restart);
        let expected: Vec<String> = (1..=5).map(|n| format!("compute-1/{n}/vm")).collect();
        assert_eq!(taken, expected, "round {round}");
    }
}
