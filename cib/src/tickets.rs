//! Tickets: `rsc_ticket` constraints (configuration) and `ticket_state` entries (status),
//! and what Pacemaker does to a resource whose ticket is not granted, or is in standby, as
//! `constraints_for_ticket` and `rsc_ticket_new` in Pacemaker 2.1.5's
//! `lib/pacemaker/pcmk_sched_tickets.c` decide.
//!
//! `crm_mon` unpacks constraints after the status (to list tickets and bans), so a ticket
//! lost under `loss-policy=fence` shows the nodes running the resource unclean at once. Only
//! that consequence changes node state; the others (stop, demote, freeze) change where and
//! how resources run and are modelled here for a caller that asks.

use crate::history::Role;
use crate::value::is_true;
use crate::xml::Element;

/// One ticket's state (`status/tickets/ticket_state`). A ticket a constraint names and the
/// status does not list is not granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The ticket's id.
    pub id: String,
    /// `granted`.
    pub granted: bool,
    /// `standby`: granted, yet its resources are to stop.
    pub standby: bool,
}

impl Ticket {
    /// Reads one `ticket_state`; None without an id.
    pub(crate) fn parse(element: Element<'_>) -> Option<Self> {
        let flag = |name: &str| element.attr(name).is_some_and(is_true);
        Some(Self {
            id: element.attr("id")?.to_owned(),
            granted: flag("granted"),
            standby: flag("standby"),
        })
    }

    /// Whether its resources may run: granted and not in standby.
    pub fn in_force(&self) -> bool {
        self.granted && !self.standby
    }
}

/// `loss-policy`: what happens to a resource that is active when its ticket is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossPolicy {
    /// Stop it.
    Stop,
    /// Demote it (promotable clones); any other role stops.
    Demote,
    /// Fence every node it runs on.
    Fence,
    /// Leave it as it is, unmanaged.
    Freeze,
}

impl LossPolicy {
    /// Reads a `loss-policy` value (case-insensitive); None when absent or unrecognized (the
    /// default by role then applies).
    fn parse(value: &str) -> Option<Self> {
        Some(match value.to_ascii_lowercase().as_str() {
            "stop" => Self::Stop,
            "demote" => Self::Demote,
            "fence" => Self::Fence,
            "freeze" => Self::Freeze,
            _ => return None,
        })
    }
}

/// What a resource's lost ticket does to it (`constraints_for_ticket`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketLoss {
    /// Kept off every node: stopped where it runs, started nowhere.
    Banned,
    /// Kept from the promoted role; it may still run unpromoted.
    NotPromoted,
    /// Left where it runs, unmanaged and blocked.
    Frozen,
    /// Every node it runs on is fenced, and it is kept off every node.
    NodesFenced,
}

/// One resource's dependency on a ticket: an `rsc_ticket`, or one `resource_ref` of its
/// `resource_set`s, with tags expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketConstraint {
    /// The constraint's id (the set's, for a resource of a set).
    pub id: String,
    /// The ticket it depends on.
    pub ticket: String,
    /// The resource (any kind: a group or clone applies to what it holds).
    pub resource: String,
    /// `rsc-role` (a set's `role`): only this role depends on the ticket; None for any
    /// (`Started` or absent).
    pub role: Option<Role>,
    /// `loss-policy` as written; None when absent or unrecognized.
    pub loss_policy: Option<LossPolicy>,
}

impl TicketConstraint {
    /// Every `rsc_ticket` in `constraints`, with each reference to a tag (`tags`) expanded to
    /// the tag's objects. A constraint without id, ticket or resource is skipped with a
    /// warning, as Pacemaker ignores it.
    pub(crate) fn parse_all(
        constraints: Option<Element<'_>>,
        tags: Option<Element<'_>>,
        warnings: &mut Vec<String>,
    ) -> Vec<Self> {
        let Some(constraints) = constraints else {
            return Vec::new();
        };
        let mut all = Vec::new();
        for rsc_ticket in constraints.children_named("rsc_ticket") {
            let before = all.len();
            Self::parse(rsc_ticket, tags, &mut all);
            if all.len() == before {
                warnings.push(format!("ignoring {}: no resource", rsc_ticket.describe()));
            }
        }
        all
    }

    fn parse(rsc_ticket: Element<'_>, tags: Option<Element<'_>>, into: &mut Vec<Self>) {
        let (Some(id), Some(ticket)) = (rsc_ticket.attr("id"), rsc_ticket.attr("ticket")) else {
            return;
        };
        let loss_policy = rsc_ticket.attr("loss-policy").and_then(LossPolicy::parse);
        let mut add = |id: &str, resource: &str, role: Option<&str>| {
            for resource in expand(resource, tags) {
                into.push(Self {
                    id: id.to_owned(),
                    ticket: ticket.to_owned(),
                    resource: resource.to_owned(),
                    role: role.and_then(parse_role),
                    loss_policy,
                });
            }
        };
        let mut sets = rsc_ticket.children_named("resource_set").peekable();
        if sets.peek().is_none() {
            if let Some(resource) = rsc_ticket.attr("rsc") {
                add(id, resource, rsc_ticket.attr("rsc-role"));
            }
            return;
        }
        for set in sets {
            let set_id = set.attr("id").unwrap_or(id);
            for reference in set.children_named("resource_ref") {
                if let Some(resource) = reference.attr("id") {
                    add(set_id, resource, set.attr("role"));
                }
            }
        }
    }

    /// The policy Pacemaker applies: `fence` only with fencing enabled (else `stop`), and
    /// without one, `demote` for the promoted role and `stop` for any other.
    pub fn effective_policy(&self, stonith_enabled: bool) -> LossPolicy {
        match self.loss_policy {
            Some(LossPolicy::Fence) if !stonith_enabled => LossPolicy::Stop,
            Some(policy) => policy,
            None if self.role == Some(Role::Promoted) => LossPolicy::Demote,
            None => LossPolicy::Stop,
        }
    }

    /// What happens to one primitive (an instance, for a clone) this constraint covers, in
    /// `role` and active or not, under `ticket`; None while the ticket is in force, or when
    /// the policy applies only to another role.
    pub fn loss(
        &self,
        ticket: &Ticket,
        stonith_enabled: bool,
        active: bool,
        role: Role,
    ) -> Option<TicketLoss> {
        if ticket.in_force() {
            return None;
        }
        let policy = self.effective_policy(stonith_enabled);
        let role_matches = self.role.is_none_or(|r| r == role);
        let promoted_only = self.role == Some(Role::Promoted);
        if !ticket.granted && active {
            return match policy {
                LossPolicy::Stop => Some(TicketLoss::Banned),
                LossPolicy::Demote if promoted_only => Some(TicketLoss::NotPromoted),
                LossPolicy::Demote => Some(TicketLoss::Banned),
                LossPolicy::Fence => role_matches.then_some(TicketLoss::NodesFenced),
                LossPolicy::Freeze => role_matches.then_some(TicketLoss::Frozen),
            };
        }
        if !promoted_only || policy == LossPolicy::Stop {
            Some(TicketLoss::Banned)
        } else {
            Some(TicketLoss::NotPromoted)
        }
    }
}

/// `text2role` of `rsc-role`; `Started` (and anything unknown) means any role.
fn parse_role(value: &str) -> Option<Role> {
    match value.to_ascii_lowercase().as_str() {
        "stopped" => Some(Role::Stopped),
        "unpromoted" | "slave" => Some(Role::Unpromoted),
        "promoted" | "master" => Some(Role::Promoted),
        _ => None,
    }
}

/// The resources `reference` names: itself, or a tag's objects.
fn expand<'a>(reference: &'a str, tags: Option<Element<'a>>) -> Vec<&'a str> {
    let tag = tags
        .into_iter()
        .flat_map(|t| t.children_named("tag"))
        .find(|t| t.attr("id") == Some(reference));
    match tag {
        Some(tag) => tag
            .children_named("obj_ref")
            .filter_map(|o| o.attr("id"))
            .collect(),
        None => vec![reference],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constraints(xml: &str) -> Vec<TicketConstraint> {
        let doc =
            crate::xml::parse(xml, &crate::Limits::default(), |_| crate::xml::Keep::All).unwrap();
        let root = doc.root();
        let mut warnings = Vec::new();
        let all = TicketConstraint::parse_all(
            root.child("constraints"),
            root.child("tags"),
            &mut warnings,
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        all
    }

    fn ticket(granted: bool, standby: bool) -> Ticket {
        Ticket {
            id: "t".into(),
            granted,
            standby,
        }
    }

    fn one(policy: &str, role: &str) -> TicketConstraint {
        let xml = format!(
            "<c><constraints><rsc_ticket id=\"c\" rsc=\"r\" ticket=\"t\" rsc-role=\"{role}\" \
             loss-policy=\"{policy}\"/></constraints></c>"
        );
        constraints(&xml).remove(0)
    }

    #[test]
    fn a_revoked_ticket_fences_where_a_fence_policy_resource_runs_in_the_role_it_names() {
        let revoked = ticket(false, false);
        let any = one("fence", "Started");
        assert_eq!(any.role, None);
        assert_eq!(
            any.loss(&revoked, true, true, Role::Started),
            Some(TicketLoss::NodesFenced)
        );
        let promoted = one("fence", "Promoted");
        assert_eq!(promoted.loss(&revoked, true, true, Role::Unpromoted), None);
        assert_eq!(
            promoted.loss(&revoked, true, true, Role::Promoted),
            Some(TicketLoss::NodesFenced)
        );
        // Without fencing the policy is stop; in standby, or while stopped, nothing is fenced.
        assert_eq!(
            any.loss(&revoked, false, true, Role::Started),
            Some(TicketLoss::Banned)
        );
        let standby = ticket(true, true);
        assert_eq!(
            any.loss(&standby, true, true, Role::Started),
            Some(TicketLoss::Banned)
        );
        assert_eq!(
            any.loss(&revoked, true, false, Role::Stopped),
            Some(TicketLoss::Banned)
        );
        assert_eq!(
            any.loss(&ticket(true, false), true, true, Role::Started),
            None
        );
    }

    #[test]
    fn stop_demote_and_freeze_ban_demote_or_freeze_what_runs() {
        let revoked = ticket(false, false);
        let loss = |policy: &str, role: &str, running: Role| {
            one(policy, role).loss(&revoked, true, true, running)
        };
        assert_eq!(
            loss("stop", "Started", Role::Started),
            Some(TicketLoss::Banned)
        );
        assert_eq!(
            loss("demote", "Promoted", Role::Promoted),
            Some(TicketLoss::NotPromoted)
        );
        assert_eq!(
            loss("demote", "Started", Role::Started),
            Some(TicketLoss::Banned)
        );
        assert_eq!(
            loss("freeze", "Started", Role::Started),
            Some(TicketLoss::Frozen)
        );
        assert_eq!(loss("freeze", "Promoted", Role::Unpromoted), None);
        // No policy: demote for the promoted role, stop for any other.
        assert_eq!(
            one("", "Promoted").effective_policy(true),
            LossPolicy::Demote
        );
        assert_eq!(one("", "Started").effective_policy(true), LossPolicy::Stop);
        // A ticket in standby keeps the promoted role from a demote-policy resource only.
        let standby = ticket(true, true);
        assert_eq!(
            one("demote", "Promoted").loss(&standby, true, true, Role::Promoted),
            Some(TicketLoss::NotPromoted)
        );
    }

    #[test]
    fn sets_give_each_resource_the_sets_role_and_tags_expand() {
        let all = constraints(
            "<c><tags><tag id=\"both\"><obj_ref id=\"a\"/><obj_ref id=\"b\"/></tag></tags>\
             <constraints>\
             <rsc_ticket id=\"s\" ticket=\"t\" loss-policy=\"fence\">\
             <resource_set id=\"s1\" role=\"Promoted\"><resource_ref id=\"ms\"/></resource_set>\
             <resource_set id=\"s2\"><resource_ref id=\"p\"/><resource_ref id=\"q\"/></resource_set>\
             </rsc_ticket>\
             <rsc_ticket id=\"g\" ticket=\"u\" rsc=\"both\"/></constraints></c>",
        );
        let seen: Vec<(&str, &str, Option<Role>)> = all
            .iter()
            .map(|c| (c.id.as_str(), c.resource.as_str(), c.role))
            .collect();
        assert_eq!(
            seen,
            [
                ("s1", "ms", Some(Role::Promoted)),
                ("s2", "p", None),
                ("s2", "q", None),
                ("g", "a", None),
                ("g", "b", None),
            ]
        );
        assert!(
            all.iter()
                .take(3)
                .all(|c| c.loss_policy == Some(LossPolicy::Fence))
        );
    }
}
