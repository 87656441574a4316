//! Which copy of the record a starting monitor resumes from, and why.

pub use crate::control::Source;
use crate::daemon::outputs::cluster_store::{ClusterError, Stored};

/// What a start resumes from.
#[derive(Debug)]
pub struct Choice {
    /// The record and its generation, if any copy exists.
    pub stored: Option<Stored>,
    /// Which copy.
    pub source: Source,
    /// Why, in words for the log and `status`.
    pub reason: String,
    /// The cluster copy's generation (`None`: it holds none), or why it could not be read.
    pub cluster: Result<Option<u64>, ClusterError>,
}

/// The newer of the two copies; the cluster's when they are as new.
pub fn choose(local: Option<Stored>, cluster: Result<Option<Stored>, ClusterError>) -> Choice {
    let generation = cluster
        .as_ref()
        .map(|c| c.as_ref().map(|s| s.generation))
        .map_err(Clone::clone);
    let (stored, source, reason) = match (local, cluster) {
        (Some(l), Ok(Some(c))) if l.generation > c.generation => {
            let reason = format!(
                "the local file (generation {}) is newer than the cluster record ({}): its last \
                 writes had not reached the cluster",
                l.generation, c.generation
            );
            (Some(l), Source::LocalFile, reason)
        }
        (local, Ok(Some(c))) => {
            let reason = match local {
                Some(l) => format!(
                    "the cluster record (generation {}) is current; the local file ({}) is not newer",
                    c.generation, l.generation
                ),
                None => format!(
                    "the cluster record (generation {}) is current",
                    c.generation
                ),
            };
            (Some(c), Source::Cluster, reason)
        }
        (Some(l), Ok(None)) => {
            let reason = format!(
                "the cluster holds no record (a full cluster restart clears it): resuming from the \
                 local file (generation {})",
                l.generation
            );
            (Some(l), Source::LocalFile, reason)
        }
        (Some(l), Err(e)) => {
            let reason = format!(
                "the cluster record cannot be read ({e}): resuming from the local file \
                 (generation {}) until it can be compared",
                l.generation
            );
            (Some(l), Source::LocalFile, reason)
        }
        (None, Ok(None)) => (
            None,
            Source::None,
            "no record anywhere: a fresh start".into(),
        ),
        (None, Err(e)) => {
            let reason = format!("no local file, and the cluster record cannot be read ({e})");
            (None, Source::None, reason)
        }
    };
    Choice {
        stored,
        source,
        reason,
        cluster: generation,
    }
}
