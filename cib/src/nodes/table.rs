//! One table for everything the replay tracks per resource id: configuration, connection
//! and aggregate state sit in one slot, found by one hash lookup per history entry and by
//! index afterwards.

use std::borrow::Cow;

use crate::hash::{FastMap, fast_map};
use crate::history::Role;
use crate::resources::{OpConfig, Resource};

/// Facts about a configured resource that its history replay needs.
pub(super) struct RscInfo<'a> {
    pub(super) managed: bool,
    /// `failure-timeout` in seconds (0 when unset).
    pub(super) failure_timeout: u64,
    pub(super) has_container: bool,
    pub(super) ops: &'a [OpConfig],
}

/// Everything known about one resource id.
#[derive(Default)]
pub(super) struct Slot<'a> {
    /// The configured resource with this id (the last of duplicates).
    pub(super) config: Option<&'a Resource>,
    /// Replay facts: configured resources and generated bundle containers.
    pub(super) info: Option<RscInfo<'a>>,
    /// The connection this id is the resource of.
    pub(super) conn: Option<usize>,
    /// The strongest role found on any node.
    pub(super) role: Option<Role>,
    pub(super) failed: bool,
    /// The first node it was found active on, and on how many it was.
    pub(super) first_host: Option<usize>,
    pub(super) hosts: usize,
}

/// Slots by resource id. Ids borrow from the CIB; only generated bundle names are owned.
pub(super) struct Table<'a> {
    ids: FastMap<Cow<'a, str>, usize>,
    slots: Vec<Slot<'a>>,
}

impl<'a> Table<'a> {
    /// An empty table with room for `capacity` ids.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            ids: fast_map(capacity),
            slots: Vec::with_capacity(capacity),
        }
    }

    /// The slot of `id`, created empty on first use.
    pub(super) fn slot(&mut self, id: Cow<'a, str>) -> usize {
        let slots = &mut self.slots;
        *self.ids.entry(id).or_insert_with(|| {
            slots.push(Slot::default());
            slots.len() - 1
        })
    }

    pub(super) fn get(&self, slot: usize) -> Option<&Slot<'a>> {
        self.slots.get(slot)
    }

    pub(super) fn get_mut(&mut self, slot: usize) -> Option<&mut Slot<'a>> {
        self.slots.get_mut(slot)
    }

    /// The resource's strongest role so far (`Unknown` before any history).
    pub(super) fn role(&self, slot: usize) -> Role {
        self.get(slot).and_then(|s| s.role).unwrap_or(Role::Unknown)
    }

    pub(super) fn failed(&self, slot: usize) -> bool {
        self.get(slot).is_some_and(|s| s.failed)
    }

    pub(super) fn mark_failed(&mut self, slot: usize) {
        if let Some(s) = self.get_mut(slot) {
            s.failed = true;
        }
    }
}
