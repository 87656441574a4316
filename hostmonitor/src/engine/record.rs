//! The durable record: what must survive a restart or a failover to another controller
//! so that no notification is lost or sent twice.
//!
//! It holds, per watched host, the phase and failure episode, the facts the safety rule
//! compares (when it was last seen online, its latest fences), which notifications of the
//! episode were handed out, and the outbox with each entry's `generated_time` and attempt
//! count; plus the mass-failure guard. The daemon stores it as it is (for example as JSON
//! in a CIB attribute) whenever the engine emits [`Action::Persist`](super::Action::Persist).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::guard::Guard;
use super::host::Host;

/// The record format this engine writes and reads.
const VERSION: u32 = 1;

/// The engine's durable state; opaque apart from its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    version: u32,
    pub(crate) hosts: BTreeMap<String, Host>,
    pub(crate) guard: Guard,
}

impl Record {
    /// A record of these hosts and guard.
    pub(crate) fn new(hosts: BTreeMap<String, Host>, guard: Guard) -> Self {
        Self {
            version: VERSION,
            hosts,
            guard,
        }
    }

    /// Checks the record can be resumed from.
    pub(crate) fn check(&self) -> Result<(), RecordError> {
        if self.version != VERSION {
            return Err(RecordError::UnsupportedVersion {
                found: self.version,
                supported: VERSION,
            });
        }
        Ok(())
    }
}

/// Why a record cannot be resumed from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Written by a different version of the engine.
    #[error(
        "the persisted host monitor record has format version {found}; this version reads only {supported}"
    )]
    UnsupportedVersion {
        /// The record's version.
        found: u32,
        /// The version this engine reads.
        supported: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_record_round_trips() {
        let record = Record::new(BTreeMap::new(), Guard::default());
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(
            text,
            r#"{"version":1,"hosts":{},"guard":{"tripped":false,"disarmed":false}}"#
        );
        let back: Record = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.check(), Ok(()));
    }

    #[test]
    fn another_version_is_refused() {
        let text = r#"{"version":7,"hosts":{},"guard":{"tripped":false,"disarmed":false}}"#;
        let record: Record = serde_json::from_str(text).unwrap();
        let err = record.check().unwrap_err();
        assert_eq!(
            err,
            RecordError::UnsupportedVersion {
                found: 7,
                supported: 1
            }
        );
        assert!(err.to_string().contains("version 7"));
    }
}
