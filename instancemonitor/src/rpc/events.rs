//! The domain event messages (`remote_domain_event_callback_*_msg`).
//!
//! Each is an asynchronous message whose procedure says which event it is: the callback id
//! the registration returned, the domain (name, 16-byte UUID, id), then the event's fields.

use super::domain::{Domain, STRING_MAX};
use super::procedure::Procedure;
use super::xdr::{Reader, Xdr, XdrError};

/// `virDomainEventID`; unknown values survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub i32);

impl EventId {
    /// `VIR_DOMAIN_EVENT_ID_LIFECYCLE`.
    pub const LIFECYCLE: Self = Self(0);
    /// `VIR_DOMAIN_EVENT_ID_REBOOT`.
    pub const REBOOT: Self = Self(1);
    /// `VIR_DOMAIN_EVENT_ID_RTC_CHANGE`.
    pub const RTC_CHANGE: Self = Self(2);
    /// `VIR_DOMAIN_EVENT_ID_WATCHDOG`.
    pub const WATCHDOG: Self = Self(3);
    /// `VIR_DOMAIN_EVENT_ID_IO_ERROR`.
    pub const IO_ERROR: Self = Self(4);
    /// `VIR_DOMAIN_EVENT_ID_GRAPHICS`.
    pub const GRAPHICS: Self = Self(5);
    /// `VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON`.
    pub const IO_ERROR_REASON: Self = Self(6);
    /// `VIR_DOMAIN_EVENT_ID_CONTROL_ERROR`.
    pub const CONTROL_ERROR: Self = Self(7);
    /// `VIR_DOMAIN_EVENT_ID_DISK_CHANGE`.
    pub const DISK_CHANGE: Self = Self(9);

    /// The events this monitor registers for: every one masakari-monitors' filter can pass.
    pub const REGISTERED: [Self; 6] = [
        Self::LIFECYCLE,
        Self::REBOOT,
        Self::WATCHDOG,
        Self::IO_ERROR,
        Self::IO_ERROR_REASON,
        Self::CONTROL_ERROR,
    ];

    /// The message procedure that carries this event.
    pub fn procedure(self) -> Option<Procedure> {
        match self {
            Self::LIFECYCLE => Some(Procedure::DOMAIN_EVENT_CALLBACK_LIFECYCLE),
            Self::REBOOT => Some(Procedure::DOMAIN_EVENT_CALLBACK_REBOOT),
            Self::WATCHDOG => Some(Procedure::DOMAIN_EVENT_CALLBACK_WATCHDOG),
            Self::IO_ERROR => Some(Procedure::DOMAIN_EVENT_CALLBACK_IO_ERROR),
            Self::IO_ERROR_REASON => Some(Procedure::DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON),
            Self::CONTROL_ERROR => Some(Procedure::DOMAIN_EVENT_CALLBACK_CONTROL_ERROR),
            _ => None,
        }
    }
}

/// An event's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `virDomainEventType` and its detail.
    Lifecycle {
        /// `virDomainEventType` (5 = stopped).
        event: i32,
        /// The type's detail (for stopped: 5 = failed).
        detail: i32,
    },
    /// The guest rebooted.
    Reboot,
    /// The watchdog fired (`virDomainEventWatchdogAction`).
    Watchdog {
        /// What the watchdog did.
        action: i32,
    },
    /// A disk I/O error (`virDomainEventIOErrorAction`).
    IoError {
        /// The disk's source path.
        src_path: String,
        /// The device alias.
        dev_alias: String,
        /// What was done about it.
        action: i32,
    },
    /// A disk I/O error with the reason given by qemu.
    IoErrorReason {
        /// The disk's source path.
        src_path: String,
        /// The device alias.
        dev_alias: String,
        /// What was done about it.
        action: i32,
        /// qemu's reason (`enospc`, ...).
        reason: String,
    },
    /// libvirt lost control of the domain (monitor errors).
    ControlError,
}

impl EventKind {
    /// Which event this is.
    pub fn id(&self) -> EventId {
        match self {
            Self::Lifecycle { .. } => EventId::LIFECYCLE,
            Self::Reboot => EventId::REBOOT,
            Self::Watchdog { .. } => EventId::WATCHDOG,
            Self::IoError { .. } => EventId::IO_ERROR,
            Self::IoErrorReason { .. } => EventId::IO_ERROR_REASON,
            Self::ControlError => EventId::CONTROL_ERROR,
        }
    }
}

/// One domain event as the daemon sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEvent {
    /// The id our registration returned.
    pub callback_id: i32,
    /// The domain it is about.
    pub domain: Domain,
    /// The event.
    pub kind: EventKind,
}

impl DomainEvent {
    /// Decodes the payload of a message with `procedure`; `Ok(None)` for procedures that
    /// are not one of our events. Trailing bytes are an error.
    pub fn decode(procedure: Procedure, payload: &[u8]) -> Result<Option<Self>, XdrError> {
        let Some(id) = EventId::REGISTERED
            .into_iter()
            .find(|id| id.procedure() == Some(procedure))
        else {
            return Ok(None);
        };
        let mut reader = Reader::new(payload);
        let callback_id = reader.i32()?;
        let domain = Domain::decode(&mut reader)?;
        let kind = decode_kind(id, &mut reader)?;
        reader.finish()?;
        Ok(Some(Self {
            callback_id,
            domain,
            kind,
        }))
    }
}

fn decode_kind(id: EventId, reader: &mut Reader<'_>) -> Result<EventKind, XdrError> {
    let string = |r: &mut Reader<'_>, what| r.string(what, STRING_MAX);
    Ok(match id {
        EventId::LIFECYCLE => EventKind::Lifecycle {
            event: reader.i32()?,
            detail: reader.i32()?,
        },
        EventId::REBOOT => EventKind::Reboot,
        EventId::WATCHDOG => EventKind::Watchdog {
            action: reader.i32()?,
        },
        EventId::IO_ERROR => EventKind::IoError {
            src_path: string(reader, "source path")?,
            dev_alias: string(reader, "device alias")?,
            action: reader.i32()?,
        },
        EventId::IO_ERROR_REASON => EventKind::IoErrorReason {
            src_path: string(reader, "source path")?,
            dev_alias: string(reader, "device alias")?,
            action: reader.i32()?,
            reason: string(reader, "reason")?,
        },
        _ => EventKind::ControlError,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::domain::Uuid;
    use crate::rpc::xdr::{put_i32, put_opaque};

    fn payload(fields: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        put_i32(&mut out, 4);
        Domain {
            name: "guest".into(),
            uuid: Uuid([9; 16]),
            id: 2,
        }
        .encode(&mut out);
        fields(&mut out);
        out
    }

    fn decode(procedure: i32, bytes: &[u8]) -> EventKind {
        let event = DomainEvent::decode(Procedure(procedure), bytes)
            .unwrap()
            .unwrap();
        assert_eq!(event.callback_id, 4);
        assert_eq!(event.domain.name, "guest");
        event.kind
    }

    #[test]
    fn each_registered_event_decodes_with_its_fields() {
        let lifecycle = payload(|o| {
            put_i32(o, 5);
            put_i32(o, 5);
        });
        assert_eq!(
            decode(318, &lifecycle),
            EventKind::Lifecycle {
                event: 5,
                detail: 5
            }
        );
        assert_eq!(decode(319, &payload(|_| {})), EventKind::Reboot);
        assert_eq!(
            decode(321, &payload(|o| put_i32(o, 3))),
            EventKind::Watchdog { action: 3 }
        );
        let io = |o: &mut Vec<u8>| {
            put_opaque(o, b"/dev/sda");
            put_opaque(o, b"virtio-disk0");
            put_i32(o, 1);
        };
        assert!(matches!(
            decode(322, &payload(io)),
            EventKind::IoError { action: 1, .. }
        ));
        let reason = payload(|o| {
            io(o);
            put_opaque(o, b"enospc");
        });
        assert!(
            matches!(decode(324, &reason), EventKind::IoErrorReason { reason, .. } if reason == "enospc")
        );
        assert_eq!(decode(325, &payload(|_| {})), EventKind::ControlError);
    }

    #[test]
    fn events_we_did_not_register_are_not_decoded() {
        assert_eq!(DomainEvent::decode(Procedure(320), &[1, 2, 3]), Ok(None));
    }

    #[test]
    fn a_short_or_long_event_is_an_error() {
        let mut lifecycle = payload(|o| put_i32(o, 5));
        assert!(DomainEvent::decode(Procedure(318), &lifecycle).is_err());
        lifecycle.extend_from_slice(&[0, 0, 0, 5, 0, 0, 0, 0]);
        assert!(DomainEvent::decode(Procedure(318), &lifecycle).is_err());
    }
}
