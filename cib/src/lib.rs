//! Pacemaker's CIB and `crm_mon --output-as=xml` as a typed model.
//!
//! Pure: text in, model out. No processes, files or sockets; callers fetch the XML
//! (`cibadmin --query`, `crm_mon --output-as=xml`) and hand it over.
//!
//! ```text
//!  CIB XML ──► read ──► xml (bounded tree, over the scan tokenizer) ──► Cib::from_root
//!               │         └─ each <lrm_resource>, then each <node_state>,    (configuration)
//!               │            streamed into the status model as read ──┐        │
//!               └─ a large CIB on two threads                         ▼        ▼
//!                  (the status section apart)       Cib { options, nodes, resources,
//!                                                         topology, alerts, node_states }
//!                                                                     │
//!              Cib::node_statuses() ◄── history replay ───────────────┘  (Pacemaker's unpack logic)
//!              Cib::fence_devices_for(host)                              (the fencer's device choice)
//!  crm_mon XML ──► xml ──► CrmMon { dc, nodes, fence_history }
//! ```
//!
//! The modules, each using only those in the lines above it (and the leaves `error` and
//! `limits`):
//!
//! - the tokenizer and the tree: `scan/` (tags and attributes; `scan/classify.rs` finds
//!   where names and values end), `escape`, `name_set`, and `xml`, which builds the bounded
//!   tree, streams the elements on given paths out of it as they are read, and reads a piece
//!   of a document apart from the rest;
//! - the model of each section, made from the tree: `status`, `config`, `resources`,
//!   `topology`, `alerts`, `value`; and `crm_mon`, which reads its own documents;
//! - reading a CIB: `read/` decides which attributes the tree keeps and which elements are
//!   streamed into the status section's model, and reads on one thread or two
//!   (`read/two_threads.rs` splits the text, `read/fragment.rs` reads the second thread's
//!   part). It never names `Cib`: [`Cib::parse`] hands it the function that makes the
//!   model of the configuration;
//! - the document: `cib` ([`Cib`] and its parse entry points);
//! - the questions asked of it: `nodes/` (each node's state: `table`, `replay`, `online`,
//!   `failures`, `tickets`; `service/`, whether Pacemaker gave up on a resource on a node) over
//!   `history`, `tickets` and `hash`, `fencing` over `pattern`, and `detection/` (how soon a
//!   hung remote node is found, from its connection's monitor op, and, in `response`, whether
//!   and how soon that fences it).
//!
//! Pacemaker is the judge of what the XML means: the test suite runs `crm_mon` on every
//! CIB in `tests/data/` (generated with Pacemaker's own tools by `tests/data/generate.sh`,
//! plus CIBs captured from the lab) and requires the same per-node state as
//! [`Cib::node_statuses_at`]. Against Pacemaker 2.1.5's own scheduler regression corpus
//! (`cts/scheduler/xml`, 799 CIBs; run with `CIB_ORACLE_DIR=...`) every CIB the installed
//! `crm_mon` reads agrees, including those where tickets decide: `tickets` models
//! `rsc_ticket` constraints and ticket states (what a lost ticket does under each
//! `loss-policy`), and `nodes/tickets` fences the nodes a revoked `loss-policy=fence`
//! ticket names, after the status, as `crm_mon` unpacks constraints.
//!
//! [`Cib::node_statuses`] counts every recorded failure; [`Cib::node_statuses_at`] applies
//! `failure-timeout`/`reconnect_interval` expiry at a given time, as `crm_mon` does with
//! the clock. The crate never reads the clock itself.
//!
//! Hostile input: a `<!DOCTYPE>` is refused, entities other than the XML built-ins are
//! errors (never expanded), and nesting depth, element count and sizes are bounded by
//! [`Limits`]. Errors carry the byte offset. Unknown elements and attributes are ignored;
//! tolerated oddities are collected in [`Cib::warnings`].
//!
//! Speed: the tokenizer is our own (`scan`), since most of a CIB is attribute values the
//! model never reads and a general reader spends most of its time on them; it finds the
//! end of names and values sixteen bytes at a time (SSE2 on x86-64) and is tested against
//! quick-xml on every corpus CIB. The attributes the model reads are chosen once per
//! element from compile-time name sets. A CIB of 256 KiB or more is read on two threads
//! when the process may use two processors (`read`): a second thread reads the status
//! section from its first `node_state` or `lrm_resource` two fifths of the way in, and the
//! result is the one [`Cib::parse_on_one_thread`] gives, errors included. See
//! `cib/BENCHMARKS.md` for the figures.

mod alerts;
mod cib;
mod config;
mod crm_mon;
mod detection;
mod error;
mod escape;
mod fencing;
mod hash;
mod history;
mod limits;
mod name_set;
mod nodes;
mod pattern;
mod read;
mod resources;
mod scan;
mod status;
mod tickets;
mod topology;
mod value;
mod xml;

pub use alerts::Alert;
pub use cib::Cib;
#[cfg(fuzzing)]
#[doc(hidden)]
pub use cib::split_and_whole;
pub use config::{ClusterOptions, NodeConfig, NodeType};
pub use crm_mon::{CrmMon, FenceEvent, FenceStatus, MonNode, MonResource};
pub use detection::{DEFAULT_OP_TIMEOUT_MS, Monitor, NotFenced, RemoteWatch, Response};
pub use error::Error;
pub use fencing::{Eligibility, FenceDevice, FenceIndex, HostCheck};
pub use history::{OnFail, Role};
pub use limits::Limits;
pub use nodes::{GaveUp, NodeKind, NodeStatus, ServiceState};
pub use resources::{Agent, BundleSpec, OpConfig, Resource, ResourceKind};
pub use status::{JoinState, LrmOp, LrmResource, NodeState};
pub use tickets::{LossPolicy, Ticket, TicketConstraint, TicketLoss};
pub use topology::{FencingLevel, LevelTarget};
pub use value::{Membership, NvPairs, is_secret_name, is_true};
