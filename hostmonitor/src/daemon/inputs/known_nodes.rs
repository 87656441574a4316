//! The nodes the last reconcile listed and the watched compute services' resources it found,
//! shared by the reconcile task (which writes them) and the alert socket (which asks whether a
//! resource alert concerns one of them).

use std::collections::BTreeSet;
use std::sync::RwLock;

/// The node names (and watched resource ids) of the last reconcile.
#[derive(Debug, Default)]
pub struct KnownNodes(RwLock<BTreeSet<String>>);

impl KnownNodes {
    /// Replaces the names.
    pub fn set(&self, names: impl IntoIterator<Item = String>) {
        if let Ok(mut known) = self.0.write() {
            *known = names.into_iter().collect();
        }
    }

    /// Whether `name` is one of them.
    pub fn contains(&self, name: &str) -> bool {
        self.0.read().is_ok_and(|known| known.contains(name))
    }
}
