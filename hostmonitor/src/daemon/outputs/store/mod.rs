//! The durable record: the engine's memory of what it saw and sent, written before any notification
//! it covers goes out, so a restarted (or failed-over) monitor neither loses nor repeats one.
//!
//! The record that counts is the cluster's ([`super::cluster_store`], what a monitor on another
//! controller resumes from): a write is durable once the cluster copy took it, and until then the
//! notifications it covers are held and the cluster write is retried with backoff. The local file
//! is a second copy for a full cluster restart, which clears the cluster's. Each write carries a
//! generation (its time in microseconds), so at start the newer copy wins ([`choice::choose`]), and a
//! stale local file never wins over a newer cluster record; the choice and why is logged and shown
//! in `status`. When the cluster copy cannot be read at start the monitor resumes from the local
//! file but counts nothing durable until it can compare the two.

mod choice;
mod local;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use super::attrd::Attrd;
use super::cluster_store::{self, Changed, ClusterError, Stored};
use crate::engine::{Record, RecordUpdate};

pub use crate::control::StoreView;
pub use choice::Source;
use choice::{Choice, choose};

use crate::daemon::error::{DaemonError, io_error};

/// The longest wait between two tries of the cluster write.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The record, its two copies and what the cluster copy lacks.
#[derive(Debug)]
pub struct Store<A> {
    path: PathBuf,
    attrd: A,
    stored: Stored,
    /// The generation the cluster held whole after the last write that worked.
    committed: Option<u64>,
    /// The nodes that write left holding it (empty until a write of ours worked).
    holders: Vec<String>,
    /// Set while the cluster copy has not been compared with the one resumed from: the
    /// generation resumed from.
    unverified: Option<u64>,
    changed: Changed,
    backoff: Duration,
    retry_at: Option<Instant>,
    view: StoreView,
}

/// Why a write is not durable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The cluster copy did not take it (retried with backoff).
    #[error("the cluster record did not take the write: {0}")]
    Cluster(#[from] ClusterError),
    /// The cluster copy turned out newer than the local file the monitor resumed from.
    #[error(
        "the cluster record (generation {cluster}) is newer than the local file this monitor \
         resumed from (generation {local}): restart to resume from it"
    )]
    Superseded {
        /// The cluster copy's generation.
        cluster: u64,
        /// The generation resumed from.
        local: u64,
    },
}

impl<A: Attrd> Store<A> {
    /// The store with its local file at `path` (its directory is created when missing).
    pub fn open(path: &Path, attrd: A) -> Result<Self, DaemonError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        Ok(Self {
            path: path.to_owned(),
            attrd,
            stored: Stored {
                generation: 0,
                record: Record::default(),
            },
            committed: None,
            holders: Vec::new(),
            unverified: None,
            changed: Changed::default(),
            backoff: Duration::ZERO,
            retry_at: None,
            view: StoreView::default(),
        })
    }

    /// Reads both copies and keeps the newer as the base of updates (`None` when neither exists).
    pub async fn load(&mut self) -> Result<Option<Record>, DaemonError> {
        let local = local::read(&self.path)?;
        let cluster = cluster_store::load(&self.attrd).await;
        let choice = choose(local, cluster);
        self.adopt(&choice);
        Ok(choice.stored.map(|s| s.record))
    }

    fn adopt(&mut self, choice: &Choice) {
        let Choice {
            stored,
            source,
            reason,
            cluster,
        } = choice;
        match source {
            Source::None => tracing::info!(%reason, "no record to resume from"),
            _ => tracing::info!(source = ?source, %reason, "record resumed"),
        }
        if let Some(stored) = stored {
            self.stored = stored.clone();
        }
        match cluster {
            Ok(committed) => {
                self.committed = *committed;
                self.changed.whole = *committed != stored.as_ref().map(|s| s.generation);
            }
            Err(error) => {
                tracing::warn!(%error, "the cluster record cannot be read: nothing counts as durable until it can");
                self.unverified = Some(self.stored.generation);
                self.view.cluster_error = Some(error.to_string());
            }
        }
        self.view.source = *source;
        self.view.reason.clone_from(reason);
        self.refresh_view();
    }

    /// Lays the engine's updates over the record, writes the local file, then the cluster copy.
    /// `Ok` means durable (the cluster took it); on failure the updates stay applied and are
    /// written by [`Store::retry`] or the next call.
    pub async fn apply(&mut self, updates: &[RecordUpdate]) -> Result<(), StoreError> {
        for update in updates {
            self.stored.record.apply(update);
            self.changed.add(update);
        }
        self.stored.generation = next_generation(self.stored.generation);
        self.view.local_error = local::write(&self.path, &self.stored).err().map(|error| {
            tracing::warn!(%error, "local state file not written");
            error.to_string()
        });
        self.flush().await
    }

    /// When the cluster write should be tried again (`None` while the cluster copy is current).
    pub fn retry_at(&self) -> Option<Instant> {
        self.retry_at
    }

    /// Tries the cluster write again.
    pub async fn retry(&mut self) -> Result<(), StoreError> {
        self.flush().await
    }

    /// What `status` shows.
    pub fn view(&self) -> StoreView {
        self.view.clone()
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.changed.is_empty() && self.unverified.is_none() {
            return Ok(());
        }
        let result = self.write_cluster().await;
        match &result {
            Ok(()) => {
                self.backoff = Duration::ZERO;
                self.retry_at = None;
                self.view.cluster_error = None;
            }
            Err(error) => {
                self.backoff = (self.backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
                self.retry_at = Some(Instant::now() + self.backoff);
                self.view.cluster_error = Some(error.to_string());
            }
        }
        self.refresh_view();
        result
    }

    async fn write_cluster(&mut self) -> Result<(), StoreError> {
        if let Some(local) = self.unverified {
            self.verify(local).await?;
        }
        let holders = std::mem::take(&mut self.holders);
        let (stored, committed, changed) = (&self.stored, self.committed, &self.changed);
        self.holders =
            cluster_store::save(&self.attrd, stored, committed, &holders, changed).await?;
        self.committed = Some(self.stored.generation);
        self.changed = Changed::default();
        Ok(())
    }

    /// Compares the cluster copy, readable at last, with the one resumed from.
    async fn verify(&mut self, local: u64) -> Result<(), StoreError> {
        let cluster = cluster_store::load(&self.attrd).await?;
        if let Some(cluster) = cluster.filter(|c| c.generation > local) {
            return Err(StoreError::Superseded {
                cluster: cluster.generation,
                local,
            });
        }
        tracing::info!(
            "the cluster record is readable and not newer: writing the whole record to it"
        );
        self.unverified = None;
        self.changed.whole = true;
        Ok(())
    }

    fn refresh_view(&mut self) {
        self.view.generation = self.stored.generation;
        self.view.cluster_current = self.unverified.is_none() && self.changed.is_empty();
    }
}

/// The generation of a write after `previous`: now in microseconds, or one more when the clock
/// went back.
fn next_generation(previous: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    now.max(previous.saturating_add(1))
}

#[cfg(test)]
mod tests;
