//! Whether Pacemaker can still run a resource on a node, or has given up on it there.
//!
//! Pacemaker (2.1.5) gives up on a resource on a node in three ways, and only these:
//!
//! - **Migration threshold** (`pcmk__threshold_reached`, `lib/pacemaker/pcmk_sched_resource.c`;
//!   Pacemaker Explained, "Failure Response"): the node's fail count for the resource reaches
//!   its `migration-threshold`. The fail count is the sum of every `fail-count-RSC#OP_MS`
//!   transient attribute (and the legacy `fail-count-RSC`) of the node, where `RSC` is the
//!   primitive's id or, for an anonymous clone, any instance `RSC:N` of it
//!   (`generate_fail_regex`, `lib/pengine/failcounts.c`). `migration-threshold` is the
//!   primitive's meta attribute, else its parents' (a clone's, a group's), else
//!   `rsc_defaults`, else INFINITY (1,000,000); `0` disables it, `default` is INFINITY, a
//!   negative value is read as 1 (`unpack_resource`, `lib/pengine/complex.c`). A failure whose
//!   response is `on-fail=ignore` disables the threshold (`pe_rsc_failure_ignored`). An
//!   anonymous clone instance that reaches it bans the whole clone from the node.
//!   A failed **start** needs no threshold of its own: with `start-failure-is-fatal` (the
//!   default) the controller writes the fail count as INFINITY (`failed_start_offset` in
//!   `controld_control.c`), so it reaches any threshold; with it false a failed start counts
//!   one, like any other failure.
//! - **Blocked**: a failure in force whose response is `on-fail=block` (the default for a
//!   failed stop when fencing is disabled). Pacemaker leaves the resource alone there; such a
//!   failure never expires (`block_failure` in `failcounts.c`).
//! - **Stopped on failure**: a failure in force whose response is `on-fail=stop`.
//!
//! A fail count older than the resource's `failure-timeout` (`now > last-failure +
//! failure-timeout`) no longer counts, and the failures it stood for no longer force anything
//! (`pe_get_failcount` with `pe_fc_effective`, `check_operation_expiry` in `unpack.c`); a
//! cleanup (`crm_resource --cleanup`) deletes the fail counts and the history, after which
//! Pacemaker starts the resource again. Without a time (`now` of `None`) nothing expires: the
//! cautious reading, as [`crate::Cib::node_statuses`].
//!
//! A failure below the threshold is [`ServiceState::NotRunning`] or
//! [`ServiceState::Running`]: Pacemaker is restarting it, and has not given up.

use super::online::{clone_base, on_fail_policy, score};
use crate::Cib;
use crate::history::{Context, Expiry, OnFail, Role, replay};
use crate::resources::Resource;
use crate::status::{LrmOp, LrmResource, NodeState};
use crate::value::duration_ms;

/// Pacemaker's INFINITY score.
const INFINITY: i64 = 1_000_000;

/// How Pacemaker stands with a resource on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    /// Active there with no failure in force.
    Running,
    /// Not active there, or failed and being recovered: Pacemaker has not given up.
    NotRunning,
    /// Pacemaker will not run or recover it there until a cleanup or the failures expire.
    GaveUp(GaveUp),
}

/// Why Pacemaker gave up on a resource on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The node's fail count reached the resource's `migration-threshold`.
    Threshold {
        /// The effective fail count (INFINITY is 1,000,000).
        fail_count: i64,
        /// The effective `migration-threshold`.
        threshold: i64,
    },
    /// A failure with `on-fail=block` is in force: Pacemaker leaves it alone.
    Blocked,
    /// A failure with `on-fail=stop` is in force: Pacemaker stopped it for good.
    StoppedOnFailure,
}

impl GaveUp {
    /// Says why, for logs and `status`.
    pub fn describe(&self) -> String {
        match self {
            Self::Threshold {
                fail_count,
                threshold,
            } => format!(
                "fail count {} reached migration-threshold {}",
                shown(*fail_count),
                shown(*threshold)
            ),
            Self::Blocked => "blocked after a failure (on-fail=block)".to_owned(),
            Self::StoppedOnFailure => "stopped after a failure (on-fail=stop)".to_owned(),
        }
    }
}

fn shown(score: i64) -> String {
    match score {
        INFINITY => "INFINITY".to_owned(),
        n => n.to_string(),
    }
}

/// A primitive under a watched resource, with the meta attributes its failures depend on.
struct Primitive<'c> {
    rsc: &'c Resource,
    /// `migration-threshold`, 0 when disabled.
    threshold: i64,
    /// `failure-timeout` in seconds, 0 when unset.
    failure_timeout: u64,
}

impl Cib {
    /// How Pacemaker stands with resource `id` (a primitive, or a clone or group: then the
    /// worst of its primitives) on every node with a `node_state`, judged at `now` (seconds
    /// since the epoch; `None`: nothing expires). `None` when no resource has that id.
    pub fn service_states(&self, id: &str, now: Option<u64>) -> Option<Vec<(&str, ServiceState)>> {
        let primitives = self.primitives_under(id)?;
        let stonith = self.options.stonith_enabled();
        Some(
            self.node_states
                .iter()
                .map(|node| {
                    let judge = |p: &Primitive<'_>| judge(p, node, now, stonith);
                    (node.uname.as_str(), worst(primitives.iter().map(judge)))
                })
                .collect(),
        )
    }

    /// How Pacemaker stands with resource `id` on node `node` (case-insensitive) at `now`;
    /// `None` when no resource has that id. A node without a `node_state` runs nothing.
    pub fn service_state(&self, id: &str, node: &str, now: Option<u64>) -> Option<ServiceState> {
        let states = self.service_states(id, now)?;
        Some(
            states
                .into_iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(node))
                .map_or(ServiceState::NotRunning, |(_, state)| state),
        )
    }

    /// The primitives at or under resource `id`, with their effective meta attributes.
    fn primitives_under(&self, id: &str) -> Option<Vec<Primitive<'_>>> {
        let mut lineage = lineage(&self.resources, id)?;
        let mut out = Vec::new();
        self.collect_primitives(&mut lineage, &mut out);
        Some(out)
    }

    fn collect_primitives<'c>(
        &'c self,
        lineage: &mut Vec<&'c Resource>,
        out: &mut Vec<Primitive<'c>>,
    ) {
        let Some(&rsc) = lineage.last() else {
            return;
        };
        if rsc.agent().is_some() {
            out.push(self.primitive(rsc, lineage));
        }
        for child in &rsc.children {
            lineage.push(child);
            self.collect_primitives(lineage, out);
            lineage.pop();
        }
    }

    /// A primitive's meta attribute: its own, else the nearest parent's, else
    /// `rsc_defaults` (`get_meta_attributes` in `lib/pengine/complex.c`).
    fn primitive<'c>(&'c self, rsc: &'c Resource, lineage: &[&'c Resource]) -> Primitive<'c> {
        let meta = |name: &str| {
            lineage
                .iter()
                .rev()
                .find_map(|r| r.meta.get(name))
                .or_else(|| self.rsc_defaults.get(name))
        };
        let threshold = match meta("migration-threshold") {
            None => INFINITY,
            Some(v) if v.trim().eq_ignore_ascii_case("default") => INFINITY,
            Some(v) if score(v) < 0 => 1,
            Some(v) => score(v),
        };
        Primitive {
            rsc,
            threshold,
            failure_timeout: meta("failure-timeout").and_then(duration_ms).unwrap_or(0) / 1000,
        }
    }
}

/// The chain of resources from a top-level one down to the one called `id`.
fn lineage<'c>(resources: &'c [Resource], id: &str) -> Option<Vec<&'c Resource>> {
    resources.iter().find_map(|r| {
        if r.id == id {
            return Some(vec![r]);
        }
        let mut chain = lineage(&r.children, id)?;
        chain.insert(0, r);
        Some(chain)
    })
}

/// The worst of several primitives' states: any gave up, else any not running.
fn worst(states: impl Iterator<Item = ServiceState>) -> ServiceState {
    let mut out = ServiceState::Running;
    let mut any = false;
    for state in states {
        any = true;
        match (out, state) {
            (ServiceState::GaveUp(_), _) => {}
            (_, ServiceState::GaveUp(_)) | (ServiceState::Running, ServiceState::NotRunning) => {
                out = state
            }
            _ => {}
        }
    }
    if any { out } else { ServiceState::NotRunning }
}

/// One primitive on one node.
fn judge(p: &Primitive<'_>, node: &NodeState, now: Option<u64>, stonith: bool) -> ServiceState {
    let histories: Vec<&LrmResource> = node
        .resources
        .iter()
        .filter(|h| clone_base(&h.id) == p.rsc.id || h.id == p.rsc.id)
        .collect();
    let policy = |op: &LrmOp| on_fail_policy(op, &p.rsc.ops, true, false, false, stonith);
    let blocked = histories
        .iter()
        .flat_map(|h| &h.ops)
        .any(|op| failed(op) && policy(op) == OnFail::Block);
    let ignored = histories
        .iter()
        .flat_map(|h| &h.ops)
        .any(|op| failed(op) && policy(op) == OnFail::Ignore);
    let (raw_count, last_failure) = fail_count(node, &p.rsc.id);
    let expired = |now: u64| {
        p.failure_timeout > 0 && !blocked && now > last_failure.saturating_add(p.failure_timeout)
    };
    let count = if now.is_some_and(expired) {
        0
    } else {
        raw_count
    };
    let expiry = now.map(|now| Expiry {
        now,
        failure_timeout: p.failure_timeout,
        keep_monitor_failures: false,
        fail_count: raw_count,
        // A blocked failure never expires: a fail count that looks unexpired keeps it.
        last_failure: if blocked { 0 } else { last_failure },
        node_clean_online: true,
    });
    let context = Context {
        managed: true,
        reconnect: false,
        expiry,
        policy: &policy,
    };
    let (mut role, mut on_fail) = (Role::Unknown, OnFail::Ignore);
    for history in &histories {
        let result = replay(&history.ops, &context);
        role = role.max(result.role);
        on_fail = on_fail.max(result.on_fail);
    }
    if p.threshold != 0 && !ignored && count > 0 && count >= p.threshold {
        return ServiceState::GaveUp(GaveUp::Threshold {
            fail_count: count,
            threshold: p.threshold,
        });
    }
    match on_fail {
        OnFail::Block => ServiceState::GaveUp(GaveUp::Blocked),
        OnFail::Stop => ServiceState::GaveUp(GaveUp::StoppedOnFailure),
        OnFail::Ignore if role >= Role::Started => ServiceState::Running,
        _ => ServiceState::NotRunning,
    }
}

/// Whether a recorded operation did not give its expected result.
fn failed(op: &LrmOp) -> bool {
    match op.op_status {
        // Pending or cancelled.
        -1 | 1 => false,
        // Done or error: judged against the expected result.
        0 | 4 => op.target_rc.is_some_and(|t| t != op.rc),
        // Timed out, not installed, hard or fatal errors.
        _ => true,
    }
}

/// The node's fail count for primitive `id` (its anonymous clone instances included) and its
/// latest failure time.
fn fail_count(node: &NodeState, id: &str) -> (i64, u64) {
    let about = |rest: &str| {
        let rsc = rest.split_once('#').map_or(rest, |(rsc, _)| rsc);
        rsc == id || clone_base(rsc) == id
    };
    let (mut count, mut last) = (0_i64, 0_u64);
    for (name, value) in node.transient.iter() {
        if name.strip_prefix("fail-count-").is_some_and(about) {
            count = count.saturating_add(score(value)).min(INFINITY);
        } else if name.strip_prefix("last-failure-").is_some_and(about) {
            last = last.max(value.trim().parse().unwrap_or(0));
        }
    }
    (count, last)
}

#[cfg(test)]
mod tests;
