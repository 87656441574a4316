//! Reading a CIB document: which attributes the tree keeps, which elements are streamed out
//! of it as they are read, and whether one thread reads the text or two.
//!
//! ```text
//!  text ──► xml::Parser ──► tree of <cib> and its configuration ──► configuration(root)
//!            │  (wanted: the attributes kept)                          (the caller's model)
//!            └─ STATUS_PATHS: each <lrm_resource>, then each <node_state>,
//!               and each <ticket_state>                                 ──► StatusReader
//! ```
//!
//! [`document`] reads a large CIB on two threads (`two_threads`, with `fragment` for the
//! second thread's part) when the process may use two processors, and any other on one
//! ([`on_one_thread`]); the result is the same, errors included. The model is the caller's:
//! it hands over the function that makes the model of everything but the status section
//! from the tree (`Cib::from_root`), which the two-thread reading calls while the second
//! thread still reads, and gets that model back with the status section's ([`StatusReader`]).
//! So reading knows the tree and the status section's types, and `Cib` only calls it.

mod fragment;
mod two_threads;

use crate::name_set::NameSet;
use crate::status::{LrmResource, NodeState};
use crate::tickets::Ticket;
use crate::xml::{Element, Keep, Parser, Stream};
use crate::{Error, Limits};

#[cfg(fuzzing)]
pub(crate) use two_threads::split_at;

/// Reads `text`: the model `configuration` makes of the tree, with the status section's.
/// A CIB of 256 KiB or more whose status section reaches past two fifths of it is read on
/// two threads when the process may use two processors; the result is the one
/// [`on_one_thread`] gives, errors included.
pub(crate) fn document<M>(
    text: &str,
    limits: &Limits,
    configuration: impl Fn(Element<'_>) -> Result<M, Error> + Copy,
) -> Result<(M, StatusReader), Error> {
    let split = (text.len() <= limits.max_input_bytes)
        .then(|| two_threads::split_point(text))
        .flatten();
    match split {
        Some(split) => two_threads::parse(text, limits, split, configuration),
        None => on_one_thread(text, limits, configuration),
    }
}

/// Reads `text` on the calling thread only, as [`document`] does with one processor or a
/// small CIB.
pub(crate) fn on_one_thread<M>(
    text: &str,
    limits: &Limits,
    configuration: impl Fn(Element<'_>) -> Result<M, Error>,
) -> Result<(M, StatusReader), Error> {
    let parser = Parser::new(text, limits, wanted, &STATUS_PATHS, StatusReader::default())?;
    let (doc, status) = parser.finish()?;
    Ok((configuration(doc.root())?, status))
}

/// Where the parser finds each resource history, then each `node_state`, and each ticket's
/// state: the status section is most of a CIB, so each becomes its model as soon as it is
/// read and the tree never holds more than one.
const STATUS_PATHS: [&[&str]; 3] = [
    &[
        "cib",
        "status",
        "node_state",
        "lrm",
        "lrm_resources",
        "lrm_resource",
    ],
    &["cib", "status", "node_state"],
    &["cib", "status", "tickets", "ticket_state"],
];

/// The status section's model, as the parser streams it.
#[derive(Debug, Default)]
pub(crate) struct StatusReader {
    /// Resource histories read since the last `node_state`, which holds them.
    resources: Vec<LrmResource>,
    /// Every `node_state`, in document order.
    pub(crate) node_states: Vec<NodeState>,
    /// Every `ticket_state`, in document order.
    pub(crate) tickets: Vec<Ticket>,
    /// Oddities tolerated while reading them.
    pub(crate) warnings: Vec<String>,
}

impl StatusReader {
    /// Adds what `later` read after what this one read.
    fn append(&mut self, mut later: Self) {
        self.resources.append(&mut later.resources);
        self.node_states.append(&mut later.node_states);
        self.tickets.append(&mut later.tickets);
        self.warnings.append(&mut later.warnings);
    }
}

impl Stream for StatusReader {
    // Called once per resource history or `node_state`, from the tree builder's code run at
    // every end tag: inlined there, it made that code nine times larger (and the parse
    // 0.1-0.2 ms slower) when this moved out of `cib.rs`.
    #[inline(never)]
    fn element(&mut self, path: usize, element: Element<'_>) {
        match path {
            0 => self.resources.extend(LrmResource::parse(element)),
            2 => self.tickets.extend(Ticket::parse(element)),
            _ => self.node_states.extend(NodeState::parse(
                element,
                std::mem::take(&mut self.resources),
                &mut self.warnings,
            )),
        }
    }
}

/// The attributes this crate reads of each element; everything else is skipped while
/// parsing. Operation history is most of a CIB, so its entries keep only what the replay
/// needs.
fn wanted(element: &str) -> Keep {
    match element {
        "lrm_rsc_op" => Keep::Only(&OPERATION_ATTRIBUTES),
        _ => Keep::Only(&ATTRIBUTES),
    }
}

static OPERATION_ATTRIBUTES: NameSet = NameSet::new(&[
    "operation",
    "call-id",
    "rc-code",
    "op-status",
    "interval",
    "transition-key",
    "last-rc-change",
]);

static ATTRIBUTES: NameSet = NameSet::new(&[
    "id",
    "uname",
    "type",
    "class",
    "provider",
    "name",
    "value",
    "in_ccm",
    "crmd",
    "join",
    "expected",
    "remote_node",
    "node_fenced",
    "node_in_maintenance",
    "container",
    "index",
    "target",
    "target-pattern",
    "target-attribute",
    "target-value",
    "devices",
    "path",
    "epoch",
    "num_updates",
    "admin_epoch",
    "have-quorum",
    "dc-uuid",
    "validate-with",
    "crm_feature_set",
    "no-quorum-panic",
    "template",
    "replicas",
    "promoted-max",
    "masters",
    "ip-range-start",
    "control-port",
    "interval",
    "on-fail",
    "timeout",
    "granted",
    "standby",
    "ticket",
    "rsc",
    "rsc-role",
    "role",
    "loss-policy",
]);
