//! The `status` section: one `node_state` per node, with its attributes and resource history.

use std::borrow::Cow;

use crate::value::{Membership, NvPairs};
use crate::xml::Element;
use crate::{Error, Limits};

/// The controller's view of a node's join progress (`join`, `expected`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinState {
    /// `member`
    Member,
    /// `down`
    Down,
    /// `pending`
    Pending,
    /// `banned` (nack)
    Banned,
    /// Anything else, kept as written.
    Other(String),
}

impl JoinState {
    fn parse(value: &str) -> Self {
        match value.to_ascii_lowercase().as_str() {
            "member" => Self::Member,
            "down" => Self::Down,
            "pending" => Self::Pending,
            "banned" => Self::Banned,
            _ => Self::Other(value.to_owned()),
        }
    }
}

/// One `node_state` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeState {
    /// Node id (matches `<node id>`).
    pub id: String,
    /// Node name.
    pub uname: String,
    /// Corosync membership (`in_ccm`); `None` when absent.
    pub in_ccm: Option<Membership>,
    /// Controller process membership (`crmd`); `None` when absent.
    pub crmd: Option<Membership>,
    /// Join state (`join`).
    pub join: Option<JoinState>,
    /// Expected state (`expected`).
    pub expected: Option<JoinState>,
    /// Whether this entry is for a Pacemaker Remote or guest node (`remote_node`).
    pub remote_node: bool,
    /// A remote node's `node_fenced` stamp (non-zero once fenced and not yet back).
    pub node_fenced: u64,
    /// A remote node's `node_in_maintenance` flag.
    pub in_maintenance: bool,
    /// Transient attributes (`transient_attributes`), e.g. `shutdown`, `standby`, `terminate`.
    pub transient: NvPairs,
    /// Resource history on this node.
    pub resources: Vec<LrmResource>,
}

impl NodeState {
    /// Reads the `node_state` entries of a `cibadmin --query --xpath` answer: one bare
    /// `node_state`, or several inside `xpath-query` (e.g. every remote node's, with
    /// `--no-children`). Entries lacking `id` or `uname` are skipped.
    pub fn parse_query(text: &str) -> Result<Vec<Self>, Error> {
        let doc = crate::xml::parse(text, &Limits::default(), |_| crate::xml::Keep::All)?;
        let root = doc.root();
        let mut warnings = Vec::new();
        let states: Vec<Element<'_>> = match root.name() {
            "node_state" => vec![root],
            "xpath-query" => root.children_named("node_state").collect(),
            other => {
                return Err(Error::UnexpectedRoot {
                    found: other.to_owned(),
                    expected: "xpath-query",
                    position: root.position(),
                });
            }
        };
        Ok(states
            .into_iter()
            .filter_map(|state| Self::parse(state, LrmResource::parse_all(state), &mut warnings))
            .collect())
    }

    /// Reads one `node_state` whose resource histories are `resources` (read from its
    /// `lrm` section, by [`LrmResource::parse_all`] or one by one as the parser streams
    /// them). Entries lacking `id` or `uname` are skipped with a warning, as Pacemaker does.
    pub(crate) fn parse(
        state: Element<'_>,
        resources: Vec<LrmResource>,
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
        let (Some(id), Some(uname)) = (state.attr("id"), state.attr("uname")) else {
            warnings.push(format!(
                "ignoring <node_state> at byte {} without id or uname",
                state.position()
            ));
            return None;
        };
        let mut transient = NvPairs::default();
        for attrs in state.children_named("transient_attributes") {
            transient.extend_from_sets(attrs, "instance_attributes", warnings);
        }
        Some(Self {
            id: id.to_owned(),
            uname: uname.to_owned(),
            in_ccm: state.attr("in_ccm").map(Membership::from_in_ccm),
            crmd: state.attr("crmd").map(Membership::from_crmd),
            join: state.attr("join").map(JoinState::parse),
            expected: state.attr("expected").map(JoinState::parse),
            remote_node: state.attr("remote_node").is_some_and(crate::value::is_true),
            node_fenced: leading_int(state.attr("node_fenced")).max(0).unsigned_abs(),
            in_maintenance: leading_int(state.attr("node_in_maintenance")) > 0,
            transient,
            resources,
        })
    }
}

/// The recorded history of one resource on one node (`lrm_resource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LrmResource {
    /// Resource id (for clones, possibly with an instance suffix).
    pub id: String,
    /// Whether the history is of a Pacemaker Remote connection (`ocf:pacemaker:remote`).
    pub remote_connection: bool,
    /// The container recorded for a guest's resources (`container`).
    pub container: Option<String>,
    /// Recorded operations, in document order.
    pub ops: Vec<LrmOp>,
}

impl LrmResource {
    /// The histories in a `node_state`'s `lrm` section.
    pub(crate) fn parse_all(state: Element<'_>) -> Vec<Self> {
        state
            .children_named("lrm")
            .flat_map(|lrm| lrm.children_named("lrm_resources"))
            .flat_map(|list| list.children_named("lrm_resource"))
            .filter_map(Self::parse)
            .collect()
    }

    /// Reads one `lrm_resource`; `None` without an id.
    pub(crate) fn parse(rsc: Element<'_>) -> Option<Self> {
        // One pass over the attributes: there is one of these per resource and node.
        let (mut id, mut class, mut provider, mut kind, mut container) =
            (None, None, None, None, None);
        for (name, value) in rsc.attributes() {
            let slot = match name {
                b"id" => &mut id,
                b"class" => &mut class,
                b"provider" => &mut provider,
                b"type" => &mut kind,
                b"container" => &mut container,
                _ => continue,
            };
            *slot = Some(value);
        }
        // Sized first: most histories hold one or two entries, and collecting would
        // leave room for four.
        let entries = rsc.children_named("lrm_rsc_op");
        let mut ops = Vec::with_capacity(entries.clone().count());
        ops.extend(entries.filter_map(LrmOp::parse));
        Some(Self {
            id: id?.to_owned(),
            remote_connection: class == Some("ocf")
                && provider == Some("pacemaker")
                && kind == Some("remote"),
            container: container.map(str::to_owned),
            ops,
        })
    }
}

/// One recorded operation result (`lrm_rsc_op`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LrmOp {
    /// The action (`start`, `monitor`, ...).
    pub operation: Cow<'static, str>,
    /// Executor call id; `-1` while pending.
    pub call_id: i64,
    /// The agent's exit code (`rc-code`).
    pub rc: i32,
    /// Execution status (`op-status`): 0 done, -1 pending, 1 cancelled, 2 timeout, ...
    pub op_status: i32,
    /// Interval in milliseconds (0 for one-shot actions and probes).
    pub interval_ms: u64,
    /// Expected exit code, from the transition key; `None` when unreadable.
    pub target_rc: Option<i32>,
    /// When the result last changed (`last-rc-change`, seconds since the epoch).
    pub last_rc_change: Option<u64>,
}

impl LrmOp {
    fn parse(op: Element<'_>) -> Option<Self> {
        // One pass over the attributes: operation history is most of a CIB.
        let (mut operation, mut call_id, mut rc, mut op_status) = (None, None, None, None);
        let (mut interval, mut key, mut changed) = (None, None, None);
        for (name, value) in op.attributes() {
            let slot = match name {
                b"operation" => &mut operation,
                b"call-id" => &mut call_id,
                b"rc-code" => &mut rc,
                b"op-status" => &mut op_status,
                b"interval" => &mut interval,
                b"transition-key" => &mut key,
                b"last-rc-change" => &mut changed,
                _ => continue,
            };
            *slot = Some(value);
        }
        Some(Self {
            operation: operation_name(operation?),
            call_id: leading_int(call_id),
            rc: i32::try_from(leading_int(rc)).unwrap_or(i32::MAX),
            op_status: i32::try_from(leading_int(op_status)).unwrap_or(i32::MAX),
            interval_ms: leading_int(interval).max(0).unsigned_abs(),
            target_rc: key.and_then(target_rc),
            last_rc_change: changed.and_then(|t| t.trim_ascii().parse().ok()),
        })
    }

    /// Whether this is a probe (a one-shot monitor).
    pub fn is_probe(&self) -> bool {
        self.operation == "monitor" && self.interval_ms == 0
    }
}

/// Operation names, shared rather than allocated per history entry.
fn operation_name(name: &str) -> Cow<'static, str> {
    const KNOWN: [&str; 9] = [
        "monitor",
        "start",
        "stop",
        "promote",
        "demote",
        "notify",
        "migrate_to",
        "migrate_from",
        "meta-data",
    ];
    match KNOWN.iter().find(|k| **k == name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(name.to_owned()),
    }
}

/// The expected exit code in a transition key (`action:transition:target-rc:uuid`): the
/// third field.
fn target_rc(key: &str) -> Option<i32> {
    let mut colons = key.bytes().enumerate().filter(|(_, b)| *b == b':');
    let start = colons.nth(1)?.0 + 1;
    let end = colons.next().map_or(key.len(), |(at, _)| at);
    key.get(start..end)?.parse().ok()
}

/// C's `atoi`-like reading Pacemaker uses for numeric attributes: leading digits after
/// ASCII whitespace (C's `isspace`), else 0.
fn leading_int(value: Option<&str>) -> i64 {
    let Some(value) = value else {
        return 0;
    };
    let value = value.as_bytes().trim_ascii_start();
    let (negative, digits) = match value {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, value),
    };
    let mut n: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        let Some(next) = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(b - b'0')))
        else {
            return 0;
        };
        n = next;
    }
    if negative { -n } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_rc_is_the_third_field_of_a_transition_key() {
        assert_eq!(
            target_rc("3:0:7:2668bbeb-4fe3-4c5e-a6a4-0d7d5b1a3f1e"),
            Some(7)
        );
        assert_eq!(target_rc("3:0:0"), Some(0));
        assert_eq!(target_rc("3:0"), None);
        assert_eq!(target_rc("3:0:x:u"), None);
    }

    #[test]
    fn leading_int_is_lenient() {
        assert_eq!(leading_int(Some("42")), 42);
        assert_eq!(leading_int(Some("-1")), -1);
        assert_eq!(leading_int(Some("7abc")), 7);
        assert_eq!(leading_int(Some(" \t+12")), 12);
        assert_eq!(leading_int(Some("\u{a0}12")), 0);
        assert_eq!(leading_int(Some("x")), 0);
        assert_eq!(leading_int(None), 0);
        assert_eq!(leading_int(Some("99999999999999999999999")), 0);
    }
}
