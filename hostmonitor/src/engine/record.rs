//! The durable record: what must survive a restart or a failover to another controller
//! so that no notification is lost or sent twice.
//!
//! It is made of one [`HostRecord`] per watched host (its phase and failure episode, the
//! facts the safety rule compares: when it was last seen online and its latest fences;
//! which notifications of the episode were handed out; and its outbox, each entry with
//! its `generated_time` and attempt count) plus one [`GuardRecord`] for the mass-failure
//! guard. The parts are small and self-describing (each carries its format version), so
//! the daemon can keep them where they belong, for example one CIB node attribute per
//! host, and write only what an [`Action::Persist`](super::Action::Persist) says changed.
//! A daemon that prefers one document keeps a [`Record`] and applies each update to it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::guard::Guard;
use super::host::Host;

/// The record format this engine writes and reads.
const VERSION: u32 = 1;

/// One host's durable state; opaque apart from its serde form. Store it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRecord {
    #[serde(rename = "v")]
    version: u32,
    #[serde(flatten)]
    pub(crate) host: Host,
}

impl HostRecord {
    pub(crate) fn new(host: Host) -> Self {
        Self {
            version: VERSION,
            host,
        }
    }
}

/// The mass-failure guard's durable state; opaque apart from its serde form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardRecord {
    #[serde(rename = "v")]
    version: u32,
    #[serde(flatten)]
    pub(crate) guard: Guard,
}

impl GuardRecord {
    pub(crate) fn new(guard: Guard) -> Self {
        Self {
            version: VERSION,
            guard,
        }
    }
}

impl Default for GuardRecord {
    fn default() -> Self {
        Self::new(Guard::default())
    }
}

/// What changed in the durable record. Store every part it carries, replacing the stored
/// one of the same name; parts it does not carry are unchanged. Hosts are never deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordUpdate {
    /// Hosts whose durable state changed, by node name.
    pub hosts: Vec<(String, HostRecord)>,
    /// The guard, if it changed.
    pub guard: Option<GuardRecord>,
}

/// The whole durable state as one document: what [`Engine::restore`](super::Engine::restore)
/// resumes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Every host's record, by node name.
    pub hosts: BTreeMap<String, HostRecord>,
    /// The guard's record.
    pub guard: GuardRecord,
}

impl Record {
    /// Lays an update over the record.
    pub fn apply(&mut self, update: &RecordUpdate) {
        for (name, host) in &update.hosts {
            self.hosts.insert(name.clone(), host.clone());
        }
        if let Some(guard) = update.guard {
            self.guard = guard;
        }
    }

    /// Checks every part can be resumed from.
    pub(crate) fn check(&self) -> Result<(), RecordError> {
        let versions = self.hosts.iter().map(|(name, h)| (Some(name), h.version));
        for (host, found) in versions.chain([(None, self.guard.version)]) {
            if found != VERSION {
                let part = host.map_or_else(|| "the guard".to_owned(), |h| format!("host {h}"));
                return Err(RecordError::UnsupportedVersion {
                    part,
                    found,
                    supported: VERSION,
                });
            }
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
        "the persisted host monitor record of {part} has format version {found}; this version reads only {supported}"
    )]
    UnsupportedVersion {
        /// Which part of the record.
        part: String,
        /// The part's version.
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
        let record = Record::default();
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(
            text,
            r#"{"hosts":{},"guard":{"v":1,"tripped":false,"disarmed":false}}"#
        );
        let back: Record = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.check(), Ok(()));
    }

    #[test]
    fn another_version_is_refused() {
        let text = r#"{"hosts":{},"guard":{"v":7,"tripped":false,"disarmed":false}}"#;
        let record: Record = serde_json::from_str(text).unwrap();
        let err = record.check().unwrap_err();
        assert!(matches!(
            err,
            RecordError::UnsupportedVersion {
                found: 7,
                supported: 1,
                ..
            }
        ));
        assert!(
            err.to_string()
                .contains("of the guard has format version 7")
        );
    }

    #[test]
    fn an_update_replaces_what_it_carries() {
        let mut record = Record::default();
        let guard = GuardRecord::new(Guard::default());
        record.apply(&RecordUpdate {
            hosts: Vec::new(),
            guard: Some(guard),
        });
        assert_eq!(record.guard, guard);
        assert!(record.hosts.is_empty());
    }
}
