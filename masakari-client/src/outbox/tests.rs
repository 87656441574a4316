use super::*;
use crate::notification::HostPayload;

const T0: Timestamp = Timestamp::from_unix(1_000, 0);

use super::HostKind as Host;

type Outbox = super::Outbox<Host>;

fn ids(outbox: &Outbox) -> Vec<String> {
    outbox
        .iter()
        .map(|e| e.notification.id.to_string())
        .collect()
}

#[test]
fn sync_adds_the_wanted_entry_once() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    assert_eq!(ids(&outbox), ["c1/1/stopped-normal"]);
    assert_eq!(
        outbox.iter().next().unwrap().notification.payload,
        HostPayload::STOPPED_FENCED
    );
}

#[test]
fn sync_drops_unsent_entries_that_are_no_longer_wanted() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedUnknown), T0);
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    assert_eq!(ids(&outbox), ["c1/1/stopped-normal"]);
    outbox.sync("c1", "c1", 1, None, T0);
    assert_eq!(outbox.len(), 0);
}

#[test]
fn sync_keeps_entries_already_handed_out() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    assert!(outbox.take_ready(T0).is_some());
    outbox.sync("c1", "c1", 1, Some(Host::Started), T0);
    assert_eq!(ids(&outbox), ["c1/1/stopped-normal", "c1/1/started"]);
}

#[test]
fn only_the_oldest_is_in_flight_and_only_once() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    assert!(outbox.take_ready(T0).is_some());
    outbox.sync("c1", "c1", 1, Some(Host::Started), T0);
    assert!(outbox.take_ready(T0).is_none());
    let id = NotificationId::new("c1", 1, "stopped-normal");
    assert!(outbox.is_in_flight(&id));
    assert!(!outbox.is_in_flight(&NotificationId::new("c1", 1, "started")));
    outbox.pop();
    assert_eq!(
        outbox.take_ready(T0).unwrap().notification.id.as_str(),
        "c1/1/started"
    );
}

#[test]
fn a_retry_waits_until_due() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    outbox.take_ready(T0);
    let id = NotificationId::new("c1", 1, "stopped-normal");
    let later = Timestamp::from_unix(1_010, 0);
    let retry = Retry::default();
    let scheduled = outbox.failed(&id, "503".into(), &retry, T0).unwrap();
    assert_eq!(scheduled.delay, retry.interval);
    assert_eq!(outbox.retry_due(), Some(later));
    assert_eq!(
        outbox.iter().next().unwrap().last_error.as_deref(),
        Some("503")
    );
    assert!(outbox.take_ready(T0).is_none());
    assert_eq!(outbox.take_ready(later).unwrap().attempts, 2);
    assert_eq!(outbox.retry_due(), None);
}

#[test]
fn the_record_has_nothing_in_flight() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    outbox.take_ready(T0);
    assert!(
        outbox
            .for_record()
            .iter()
            .all(|e| !e.in_flight && e.attempts == 1)
    );
    assert_eq!(outbox.len(), 1);
}

#[test]
fn a_failed_entry_never_expires_and_turns_overdue() {
    let mut outbox = Outbox::default();
    let retry = Retry {
        alert_after: 2,
        ..Retry::default()
    };
    let id = NotificationId::new("c1", 1, "stopped-normal");
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    let mut now = T0;
    let overdue: Vec<bool> = (0..50)
        .map(|_| {
            assert!(outbox.take_ready(now).is_some(), "still retried");
            let scheduled = outbox.failed(&id, "down".into(), &retry, now).unwrap();
            now = now.saturating_add(scheduled.delay);
            scheduled.overdue
        })
        .collect();
    assert_eq!(overdue[..3], [false, false, true]);
    assert!(overdue[3..].iter().all(|o| *o));
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox.iter().next().unwrap().attempts, 50);
}

#[test]
fn drop_ended_drops_only_handed_out_entries_of_facts_that_are_over() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    let id = NotificationId::new("c1", 1, "stopped-normal");
    outbox.take_ready(T0);
    assert!(outbox.drop_ended(|_, _| false).is_empty(), "in flight");
    outbox.failed(&id, "down".into(), &Retry::default(), T0);
    assert!(outbox.drop_ended(|_, _| true).is_empty(), "still true");
    outbox.sync("c1", "c1", 1, Some(Host::Started), T0);
    let ended = outbox.drop_ended(|kind, _| kind == Host::Started);
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].notification.id, id);
    assert_eq!(ids(&outbox), ["c1/1/started"]);
}

fn vm(number: u64, uuid: &str) -> Notification<crate::VmPayload> {
    Notification {
        id: NotificationId::new("c1", number, "vm"),
        hostname: "c1".into(),
        generated_time: T0,
        payload: crate::VmPayload {
            event: "LIFECYCLE".into(),
            instance_uuid: uuid.into(),
            vir_domain_event: "STOPPED_FAILED".into(),
        },
    }
}

#[test]
fn pushed_facts_queue_in_order_once_each_and_never_end() {
    use super::VmKind;
    let mut outbox = super::Outbox::<VmKind>::default();
    outbox.push(VmKind::Vm, 1, vm(1, "a"));
    outbox.push(VmKind::Vm, 2, vm(2, "b"));
    outbox.push(VmKind::Vm, 1, vm(1, "a"));
    let uuids: Vec<_> = outbox
        .iter()
        .map(|e| e.notification.payload.instance_uuid.as_str())
        .collect();
    assert_eq!(uuids, ["a", "b"]);
    assert_eq!(
        outbox.take_ready(T0).unwrap().notification.id.as_str(),
        "c1/1/vm"
    );
    let text = serde_json::to_string(&outbox.for_record()).unwrap();
    assert!(text.contains(r#""kind":"vm""#), "{text}");
    let back: super::Outbox<VmKind> = serde_json::from_str(&text).unwrap();
    assert_eq!(back.iter().next().unwrap().attempts, 1);
    assert!(
        !back.iter().next().unwrap().in_flight,
        "nothing is in flight after a restart"
    );
}

#[test]
fn remove_where_takes_what_it_picks_sent_or_not_but_never_one_in_flight() {
    let mut outbox = Outbox::default();
    outbox.sync("c1", "c1", 1, Some(Host::StoppedNormal), T0);
    outbox.take_ready(T0);
    outbox.sync("c1", "c1", 1, Some(Host::Started), T0);
    assert!(
        outbox
            .remove_where(|e| e.kind == Host::StoppedNormal)
            .is_empty(),
        "in flight"
    );
    let removed = outbox.remove_where(|e| e.episode == 1);
    assert_eq!(removed.len(), 1, "the one never sent");
    assert_eq!(removed[0].notification.id.as_str(), "c1/1/started");
    let id = NotificationId::new("c1", 1, "stopped-normal");
    outbox.failed(&id, "down".into(), &Retry::default(), T0);
    assert_eq!(outbox.remove_where(|e| e.episode == 1).len(), 1);
    assert!(outbox.is_empty());
}
