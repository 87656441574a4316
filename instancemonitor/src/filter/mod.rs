//! masakari-monitors' event filter, as one declarative table.
//!
//! masakari-monitors (`instancemonitor/instance.py`) turns each libvirt callback into a
//! triple `(eventID, eventType, detail)` and sends a notification only when
//! `detail in event_filter_dic[eventID][eventType]` (`eventfilter.py`); any `KeyError`
//! drops the event. Its callbacks do not all pass what the names suggest: watchdog and
//! I/O error pass the *action* as `eventType` and -1 as `detail`; reboot, I/O error
//! reason and control error pass -1, -1. [`arguments`] reproduces those triples and
//! [`TABLE`] is `eventfilter_table.py`, one row per triple it passes; [`filter`] looks a
//! triple up and yields the payload masakari-monitors sends (`callback.py`).
//! The README holds the same table side by side with theirs.

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::rpc::domain::Uuid;
use crate::rpc::events::{EventId, EventKind};

/// masakari-monitors' `DUMMY`: the value their callbacks pass for "no such argument".
pub const DUMMY: i32 = -1;

/// One triple the filter passes, and the names it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// `eventID`.
    pub event_id: EventId,
    /// `eventType` as the callback passes it.
    pub event_type: i32,
    /// `detail` as the callback passes it.
    pub detail: i32,
    /// The payload's `event` (`eventID_dic`).
    pub event: &'static str,
    /// The payload's `vir_domain_event` (`detail_dic`).
    pub vir_domain_event: &'static str,
}

const fn row(
    event_id: EventId,
    event_type: i32,
    detail: i32,
    event: &'static str,
    name: &'static str,
) -> Row {
    Row {
        event_id,
        event_type,
        detail,
        event,
        vir_domain_event: name,
    }
}

const LIFECYCLE: EventId = EventId::LIFECYCLE;
const WATCHDOG: EventId = EventId::WATCHDOG;
const IO_ERROR: EventId = EventId::IO_ERROR;
// virDomainEventType values in the lifecycle rows.
const SUSPENDED: i32 = 3;
const STOPPED: i32 = 5;
const SHUTDOWN: i32 = 6;

/// `eventfilter_table.py`: every `(eventID, eventType, detail)` that is notified.
pub const TABLE: [Row; 19] = [
    row(LIFECYCLE, SUSPENDED, 2, "LIFECYCLE", "SUSPENDED_IOERROR"),
    row(LIFECYCLE, SUSPENDED, 3, "LIFECYCLE", "SUSPENDED_WATCHDOG"),
    row(LIFECYCLE, SUSPENDED, 6, "LIFECYCLE", "SUSPENDED_API_ERROR"),
    row(LIFECYCLE, STOPPED, 0, "LIFECYCLE", "STOPPED_SHUTDOWN"),
    row(LIFECYCLE, STOPPED, 1, "LIFECYCLE", "STOPPED_DESTROYED"),
    row(LIFECYCLE, STOPPED, 5, "LIFECYCLE", "STOPPED_FAILED"),
    row(LIFECYCLE, SHUTDOWN, 0, "LIFECYCLE", "SHUTDOWN_FINISHED"),
    row(EventId::REBOOT, DUMMY, DUMMY, "REBOOT", "UNKNOWN"),
    row(WATCHDOG, 0, DUMMY, "WATCHDOG", "WATCHDOG_NONE"),
    row(WATCHDOG, 1, DUMMY, "WATCHDOG", "WATCHDOG_PAUSE"),
    row(WATCHDOG, 2, DUMMY, "WATCHDOG", "WATCHDOG_RESET"),
    row(WATCHDOG, 3, DUMMY, "WATCHDOG", "WATCHDOG_POWEROFF"),
    row(WATCHDOG, 4, DUMMY, "WATCHDOG", "WATCHDOG_SHUTDOWN"),
    row(WATCHDOG, 5, DUMMY, "WATCHDOG", "WATCHDOG_DEBUG"),
    row(IO_ERROR, 0, DUMMY, "IO_ERROR", "IO_ERROR_NONE"),
    row(IO_ERROR, 1, DUMMY, "IO_ERROR", "IO_ERROR_PAUSE"),
    row(IO_ERROR, 2, DUMMY, "IO_ERROR", "IO_ERROR_REPORT"),
    row(
        EventId::IO_ERROR_REASON,
        DUMMY,
        DUMMY,
        "IO_ERROR_REASON",
        "UNKNOWN",
    ),
    row(
        EventId::CONTROL_ERROR,
        DUMMY,
        DUMMY,
        "CONTROL_ERROR",
        "UNKNOWN",
    ),
];

/// The triple masakari-monitors' callback for this event passes to its filter.
pub fn arguments(kind: &EventKind) -> (EventId, i32, i32) {
    match kind {
        EventKind::Lifecycle { event, detail } => (EventId::LIFECYCLE, *event, *detail),
        EventKind::Reboot => (EventId::REBOOT, DUMMY, DUMMY),
        EventKind::Watchdog { action } => (EventId::WATCHDOG, *action, DUMMY),
        EventKind::IoError { action, .. } => (EventId::IO_ERROR, *action, DUMMY),
        EventKind::IoErrorReason { .. } => (EventId::IO_ERROR_REASON, DUMMY, DUMMY),
        EventKind::ControlError => (EventId::CONTROL_ERROR, DUMMY, DUMMY),
    }
}

/// The table row for a triple, if the filter passes it.
pub fn lookup(event_id: EventId, event_type: i32, detail: i32) -> Option<&'static Row> {
    TABLE
        .iter()
        .find(|r| r.event_id == event_id && r.event_type == event_type && r.detail == detail)
}

/// A `VM` notification's payload, exactly as masakari-monitors builds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VmPayload {
    /// `LIFECYCLE`, `REBOOT`, `WATCHDOG`, `IO_ERROR`, `IO_ERROR_REASON`, `CONTROL_ERROR`.
    pub event: &'static str,
    /// The domain's UUID (Nova's instance UUID).
    pub instance_uuid: String,
    /// The detail name (`STOPPED_FAILED`, ...).
    pub vir_domain_event: &'static str,
}

/// The payload for an event about `uuid`, or `None` when masakari-monitors drops it.
pub fn filter(uuid: Uuid, kind: &EventKind) -> Option<VmPayload> {
    let (event_id, event_type, detail) = arguments(kind);
    lookup(event_id, event_type, detail).map(|row| VmPayload {
        event: row.event,
        instance_uuid: uuid.to_string(),
        vir_domain_event: row.vir_domain_event,
    })
}
