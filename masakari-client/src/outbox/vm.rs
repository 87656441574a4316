//! The instance monitor's kind of entry: one `VM` notification of a libvirt event, its payload
//! (the event and the instance) carried by the entry.

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::notification::VmPayload;

/// A `VM` notification (the only kind the instance monitor sends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VmKind {
    /// A libvirt event (or one found at a reconnect) about one instance.
    Vm,
}

impl Kind for VmKind {
    type Payload = VmPayload;

    fn slug(self) -> &'static str {
        "vm"
    }
}
