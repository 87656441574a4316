//! The durable record kept in the cluster: private attributes in pacemaker-attrd ([`super::attrd`]),
//! one per part, so a write changes nothing in the CIB (no epoch bump, no scheduler run) and touches
//! only the parts that changed:
//!
//! ```text
//!  masakari-hostmonitor-host-NODE   {"g":GEN,"part":<HostRecord>}   one per watched host
//!  masakari-hostmonitor-guard       {"g":GEN,"part":<GuardRecord>}
//!  masakari-hostmonitor-commit      {"g":GEN,"hosts":[NODE,...]}     written last
//! ```
//!
//! Each is set for every node of the partition: attrd forgets a node's values when that node leaves,
//! so the copy survives the loss of any controller but the last. The commit says which generation a
//! node holds whole; a load takes the highest commit and, per part, the highest generation. A full
//! cluster restart clears attrd: the local file is then what the monitor resumes from.

use std::collections::BTreeSet;

use futures_util::{StreamExt as _, TryStreamExt as _};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::attrd::{Attrd, NodeValue};
use crate::daemon::net::process::ProcessError;
use crate::engine::{GuardRecord, HostRecord, Record, RecordUpdate};

/// The commit attribute's name.
pub const COMMIT: &str = "masakari-hostmonitor-commit";
const GUARD: &str = "masakari-hostmonitor-guard";
const HOST_PREFIX: &str = "masakari-hostmonitor-host-";

/// A record with the generation it was written at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// When it was written, in microseconds since the epoch (or one more than the generation before
    /// when the clock went back): comparable between copies written on different controllers.
    pub generation: u64,
    /// The record.
    pub record: Record,
}

/// The parts of the record the cluster copy lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    /// Every part.
    pub whole: bool,
    /// Hosts whose part changed.
    pub hosts: BTreeSet<String>,
    /// Whether the guard changed.
    pub guard: bool,
}

impl Changed {
    /// Adds what `update` carries.
    pub fn add(&mut self, update: &RecordUpdate) {
        self.hosts
            .extend(update.hosts.iter().map(|(name, _)| name.clone()));
        self.guard |= update.guard.is_some();
    }

    /// Whether the cluster copy is complete.
    pub fn is_empty(&self) -> bool {
        !self.whole && self.hosts.is_empty() && !self.guard
    }
}

/// Why the cluster copy could not be read or written.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// `attrd_updater` or `crm_node` failed (Pacemaker not running here, or not answering).
    #[error(transparent)]
    Tool(#[from] ProcessError),
    /// An attribute holds something that is not a record part.
    #[error(
        "attribute {attribute} of node {node} is unreadable ({reason}); clear it with \
         attrd_updater --private --name {attribute} --node {node} --delete"
    )]
    Unreadable {
        /// The attribute.
        attribute: String,
        /// The node it is set for.
        node: String,
        /// The parse error.
        reason: String,
    },
    /// A part could not be encoded.
    #[error("cannot encode a record part: {0}")]
    Encode(String),
    /// The commit names a part that no node holds.
    #[error("the cluster record of generation {generation} lacks its part {attribute}")]
    Missing {
        /// The commit's generation.
        generation: u64,
        /// The missing attribute.
        attribute: String,
    },
}

#[derive(Serialize, Deserialize)]
struct Part<T> {
    g: u64,
    part: T,
}

#[derive(Serialize, Deserialize)]
struct Commit {
    g: u64,
    hosts: Vec<String>,
}

fn host_attribute(host: &str) -> String {
    format!("{HOST_PREFIX}{host}")
}

/// The record the cluster holds, `None` when it holds none (never written, or a full restart).
pub async fn load(attrd: &impl Attrd) -> Result<Option<Stored>, ClusterError> {
    let Some(commit) = newest::<Commit>(attrd, COMMIT, |c| c.g).await? else {
        return Ok(None);
    };
    let mut record = Record::default();
    for host in commit.hosts {
        let attribute = host_attribute(&host);
        let part = newest::<Part<HostRecord>>(attrd, &attribute, |p| p.g).await?;
        let part = part.ok_or(ClusterError::Missing {
            generation: commit.g,
            attribute,
        })?;
        record.hosts.insert(host, part.part);
    }
    let guard = newest::<Part<GuardRecord>>(attrd, GUARD, |p| p.g).await?;
    record.guard = guard
        .ok_or(ClusterError::Missing {
            generation: commit.g,
            attribute: GUARD.to_owned(),
        })?
        .part;
    Ok(Some(Stored {
        generation: commit.g,
        record,
    }))
}

/// The value of `attribute` with the highest generation over all nodes.
async fn newest<T: DeserializeOwned>(
    attrd: &impl Attrd,
    attribute: &str,
    generation: impl Fn(&T) -> u64,
) -> Result<Option<T>, ClusterError> {
    let values = attrd
        .query_all(attribute)
        .await
        .map_err(ClusterError::Tool)?;
    let mut best: Option<T> = None;
    for value in values {
        let parsed = parse::<T>(attribute, &value)?;
        if best
            .as_ref()
            .is_none_or(|b| generation(&parsed) > generation(b))
        {
            best = Some(parsed);
        }
    }
    Ok(best)
}

fn parse<T: DeserializeOwned>(attribute: &str, value: &NodeValue) -> Result<T, ClusterError> {
    serde_json::from_str(&value.value).map_err(|e| ClusterError::Unreadable {
        attribute: attribute.to_owned(),
        node: value.node.clone(),
        reason: e.to_string(),
    })
}

/// Writes `changed` parts of `stored` for every node of the partition (every part for a node whose
/// commit is not `committed`, the generation the cluster held whole before), then the commit, and
/// returns the nodes written: each now holds `stored` whole. Returns once attrd took every value.
///
/// Each `attrd_updater` run costs about 10 ms here, so the runs go in two rounds instead of one
/// after another: first the changed parts for `holders` (the nodes the last write left holding
/// `committed` whole) together with the reads of the partition and of every node's commit; then
/// the rest of the parts where those reads say a node lacks them (it joined, or lost its values);
/// then every member's commit, only once all its parts are in. A write to a holder that has left
/// since is harmless: attrd drops it when that node comes back, and its generation is ours.
pub async fn save(
    attrd: &impl Attrd,
    stored: &Stored,
    committed: Option<u64>,
    holders: &[String],
    changed: &Changed,
) -> Result<Vec<String>, ClusterError> {
    let early = parts(stored, changed, changed.whole)?;
    let (members, commits, ()) = tokio::try_join!(
        async { attrd.partition().await.map_err(ClusterError::Tool) },
        async { attrd.query_all(COMMIT).await.map_err(ClusterError::Tool) },
        set_all(attrd, holders.iter().map(|node| (node, &early))),
    )?;
    let holds = |node: &String| {
        commits
            .iter()
            .find(|c| &c.node == node)
            .and_then(|c| serde_json::from_str::<Commit>(&c.value).ok())
            .is_some_and(|c| Some(c.g) == committed)
    };
    let whole = parts(stored, changed, true)?;
    let rest = members.iter().filter_map(|node| match holds(node) {
        false => Some((node, &whole)),
        true if !holders.contains(node) => Some((node, &early)),
        true => None,
    });
    set_all(attrd, rest).await?;
    let hosts = stored.record.hosts.keys().cloned().collect();
    let commit = vec![(
        COMMIT.to_owned(),
        json(&Commit {
            g: stored.generation,
            hosts,
        })?,
    )];
    set_all(attrd, members.iter().map(|node| (node, &commit))).await?;
    Ok(members)
}

/// How many `attrd_updater` runs [`save`] has going at once.
const AT_ONCE: usize = 8;

/// Sets each node's attributes, [`AT_ONCE`] at a time; fails with the first failure.
async fn set_all<'a>(
    attrd: &impl Attrd,
    writes: impl Iterator<Item = (&'a String, &'a Vec<(String, String)>)>,
) -> Result<(), ClusterError> {
    let mut each = Vec::new();
    for (node, values) in writes {
        for (attribute, value) in values {
            each.push(set(attrd, attribute, node, value));
        }
    }
    futures_util::stream::iter(each)
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await
}

/// The attributes to write: every part when `whole`, else the changed ones.
fn parts(
    stored: &Stored,
    changed: &Changed,
    whole: bool,
) -> Result<Vec<(String, String)>, ClusterError> {
    let g = stored.generation;
    let record = &stored.record;
    let hosts = record
        .hosts
        .iter()
        .filter(|(name, _)| whole || changed.hosts.contains(*name));
    let mut out = hosts
        .map(|(name, part)| Ok((host_attribute(name), json(&Part { g, part })?)))
        .collect::<Result<Vec<_>, ClusterError>>()?;
    if whole || changed.guard {
        let part = record.guard;
        out.push((GUARD.to_owned(), json(&Part { g, part })?));
    }
    Ok(out)
}

fn json<T: Serialize>(value: &T) -> Result<String, ClusterError> {
    serde_json::to_string(value).map_err(|e| ClusterError::Encode(e.to_string()))
}

async fn set(
    attrd: &impl Attrd,
    attribute: &str,
    node: &str,
    value: &str,
) -> Result<(), ClusterError> {
    attrd
        .update(attribute, node, value)
        .await
        .map_err(ClusterError::Tool)
}
