use super::*;

const UUID: Uuid = Uuid([0xab; 16]);

fn payload(kind: EventKind) -> Option<(&'static str, &'static str)> {
    filter(UUID, &kind).map(|p| (p.event, p.vir_domain_event))
}

fn lifecycle(event: i32, detail: i32) -> EventKind {
    EventKind::Lifecycle { event, detail }
}

fn io_error(action: i32) -> EventKind {
    EventKind::IoError {
        src_path: "/dev/sda".into(),
        dev_alias: "virtio-disk0".into(),
        action,
    }
}

#[test]
fn lifecycle_rows() {
    assert_eq!(
        payload(lifecycle(3, 2)),
        Some(("LIFECYCLE", "SUSPENDED_IOERROR"))
    );
    assert_eq!(
        payload(lifecycle(3, 3)),
        Some(("LIFECYCLE", "SUSPENDED_WATCHDOG"))
    );
    assert_eq!(
        payload(lifecycle(3, 6)),
        Some(("LIFECYCLE", "SUSPENDED_API_ERROR"))
    );
    assert_eq!(
        payload(lifecycle(5, 0)),
        Some(("LIFECYCLE", "STOPPED_SHUTDOWN"))
    );
    assert_eq!(
        payload(lifecycle(5, 1)),
        Some(("LIFECYCLE", "STOPPED_DESTROYED"))
    );
    assert_eq!(
        payload(lifecycle(5, 5)),
        Some(("LIFECYCLE", "STOPPED_FAILED"))
    );
    assert_eq!(
        payload(lifecycle(6, 0)),
        Some(("LIFECYCLE", "SHUTDOWN_FINISHED"))
    );
}

#[test]
fn lifecycle_events_theirs_drops() {
    // defined, undefined, started, resumed, pmsuspended, crashed: no key in their table.
    for event in [0, 1, 2, 4, 7, 8, 99, -1] {
        for detail in -1..10 {
            assert_eq!(payload(lifecycle(event, detail)), None, "{event}/{detail}");
        }
    }
    // Suspended paused/migrated/restored/snapshot/postcopy; stopped crashed/migrated/saved/
    // snapshot; shutdown by guest/host.
    for (event, detail) in [
        (3, 0),
        (3, 1),
        (3, 4),
        (3, 5),
        (3, 7),
        (3, 8),
        (5, 2),
        (5, 3),
        (5, 4),
        (5, 6),
        (6, 1),
        (6, 2),
    ] {
        assert_eq!(payload(lifecycle(event, detail)), None, "{event}/{detail}");
    }
}

#[test]
fn reboot_row() {
    assert_eq!(payload(EventKind::Reboot), Some(("REBOOT", "UNKNOWN")));
}

#[test]
fn watchdog_rows_pass_the_action_as_event_type() {
    let names = [
        "WATCHDOG_NONE",
        "WATCHDOG_PAUSE",
        "WATCHDOG_RESET",
        "WATCHDOG_POWEROFF",
        "WATCHDOG_SHUTDOWN",
        "WATCHDOG_DEBUG",
    ];
    for (action, name) in (0..).zip(names) {
        assert_eq!(
            payload(EventKind::Watchdog { action }),
            Some(("WATCHDOG", name))
        );
    }
    // inject-nmi (6) is not in their table, nor are unknown actions.
    for action in [6, 7, -1] {
        assert_eq!(payload(EventKind::Watchdog { action }), None, "{action}");
    }
}

#[test]
fn io_error_rows_pass_the_action_as_event_type() {
    assert_eq!(payload(io_error(0)), Some(("IO_ERROR", "IO_ERROR_NONE")));
    assert_eq!(payload(io_error(1)), Some(("IO_ERROR", "IO_ERROR_PAUSE")));
    assert_eq!(payload(io_error(2)), Some(("IO_ERROR", "IO_ERROR_REPORT")));
    assert_eq!(payload(io_error(3)), None);
}

#[test]
fn io_error_reason_and_control_error_rows_ignore_the_fields() {
    for action in [0, 1, 2, 9] {
        let kind = EventKind::IoErrorReason {
            src_path: String::new(),
            dev_alias: String::new(),
            action,
            reason: "enospc".into(),
        };
        assert_eq!(payload(kind), Some(("IO_ERROR_REASON", "UNKNOWN")));
    }
    assert_eq!(
        payload(EventKind::ControlError),
        Some(("CONTROL_ERROR", "UNKNOWN"))
    );
}

#[test]
fn events_their_callbacks_register_but_their_table_drops() {
    // rtc_change and disk_change callbacks pass (-1, -1), graphics (-1, phase).
    assert_eq!(lookup(EventId::RTC_CHANGE, DUMMY, DUMMY), None);
    assert_eq!(lookup(EventId::DISK_CHANGE, DUMMY, DUMMY), None);
    for phase in 0..3 {
        assert_eq!(lookup(EventId::GRAPHICS, DUMMY, phase), None);
    }
    assert_eq!(lookup(EventId(42), DUMMY, DUMMY), None);
}

#[test]
fn the_payload_carries_the_uuid_as_libvirt_prints_it() {
    let sent = filter(UUID, &lifecycle(5, 5)).unwrap();
    assert_eq!(
        serde_json::to_value(&sent).unwrap(),
        serde_json::json!({
            "event": "LIFECYCLE",
            "instance_uuid": "abababab-abab-abab-abab-abababababab",
            "vir_domain_event": "STOPPED_FAILED",
        })
    );
}

#[test]
fn every_row_is_reachable_from_some_event_and_unique() {
    for (i, row) in TABLE.iter().enumerate() {
        assert_eq!(
            lookup(row.event_id, row.event_type, row.detail),
            Some(row),
            "row {i}"
        );
    }
}
