//! Nodes fenced for a lost ticket: after the status, as `crm_mon` unpacks constraints, every
//! node running (in the role named) a resource whose ticket was revoked under
//! `loss-policy=fence` is fenced (`constraints_for_ticket`, `pe_fence_node`).

use std::borrow::Cow;

use super::Work;
use crate::history::Role;
use crate::resources::{Resource, ResourceKind};
use crate::tickets::TicketLoss;

/// Where one primitive is active: its table slot, node and role there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Active {
    slot: usize,
    node: usize,
    role: Role,
}

impl<'a> Work<'a> {
    /// Whether some ticket constraint could fence: its ticket revoked and fencing on. Only
    /// then are active resources recorded.
    pub(super) fn tickets_may_fence(&self) -> bool {
        let cib = self.cib;
        self.options.stonith
            && cib
                .ticket_constraints
                .iter()
                .any(|c| !cib.ticket(&c.ticket).granted)
    }

    /// Records that the resource in `slot` is active on `node` in `role`.
    pub(super) fn note_active(&mut self, slot: usize, node: usize, role: Role) {
        if let Some(active) = self.active.as_mut() {
            active.push(Active { slot, node, role });
        }
    }

    /// Fences the nodes every lost ticket's fence policy names.
    pub(super) fn fence_for_lost_tickets(&mut self) {
        let Some(active) = self.active.take() else {
            return;
        };
        let cib = self.cib;
        let stonith = self.options.stonith;
        for constraint in &cib.ticket_constraints {
            let Some(top) = cib.resource(&constraint.resource) else {
                continue;
            };
            let ticket = cib.ticket(&constraint.ticket);
            for (leaf, cloned) in primitives(top, false) {
                let slot = self.table.slot(Cow::Borrowed(leaf.id.as_str()));
                let entries = active.iter().filter(|a| a.slot == slot);
                // A clone's instances are one per node, each in its own role; any other
                // primitive has one role wherever it runs.
                let groups: Vec<(Role, Vec<usize>)> = match cloned {
                    true => entries.map(|a| (a.role, vec![a.node])).collect(),
                    false => {
                        let nodes: Vec<usize> = entries.clone().map(|a| a.node).collect();
                        let role = entries.map(|a| a.role).max().unwrap_or(Role::Stopped);
                        vec![(role, nodes)]
                    }
                };
                for (role, nodes) in groups {
                    let loss = constraint.loss(&ticket, stonith, !nodes.is_empty(), role);
                    if loss == Some(TicketLoss::NodesFenced) {
                        nodes.into_iter().for_each(|n| self.fence(n));
                    }
                }
            }
        }
    }
}

/// The primitives `rsc` holds (itself, for a primitive), each with whether a clone holds it.
fn primitives(rsc: &Resource, in_clone: bool) -> Vec<(&Resource, bool)> {
    let in_clone = in_clone
        || matches!(
            rsc.kind,
            ResourceKind::Clone | ResourceKind::Promotable | ResourceKind::Bundle(_)
        );
    match rsc.kind {
        ResourceKind::Primitive(_) => vec![(rsc, in_clone)],
        _ => rsc
            .children
            .iter()
            .flat_map(|c| primitives(c, in_clone))
            .collect(),
    }
}
