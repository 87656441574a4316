//! The durable record: the engine's memory of what it saw and sent, written before any notification
//! it covers goes out, so a restarted (or failed-over) monitor neither loses nor repeats one.
//!
//! It is kept twice: in the cluster ([`super::cluster_store`], what a monitor on another controller
//! resumes from) and in a local file (what a monitor resumes from when the CIB cannot be read). A
//! write counts as durable when either copy took it; a failing copy is logged.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use crate::engine::{Record, RecordUpdate};

use super::cluster_store;

use crate::daemon::error::{DaemonError, io_error};

/// The state file, the cluster copy, and the record they hold.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
    record: Record,
    cluster: bool,
}

impl Store {
    /// The store at `path` (its directory is created, mode 0700, when missing).
    pub fn open(path: &Path) -> Result<Self, DaemonError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        Ok(Self {
            path: path.to_owned(),
            record: Record::default(),
            cluster: false,
        })
    }

    /// Lays the engine's updates over the record, in order, and stores the whole durably once. On
    /// failure the updates stay applied in memory, so the next successful save carries them.
    pub async fn apply(&mut self, updates: &[RecordUpdate]) -> Result<(), DaemonError> {
        for update in updates {
            self.record.apply(update);
        }
        let record = self.record.clone();
        let local = self.save(&record);
        if let Err(error) = &local {
            tracing::warn!(%error, "local state file not written");
        }
        if !self.cluster {
            return local;
        }
        match (cluster_store::save(&record).await, local) {
            (Ok(()), _) => Ok(()),
            (Err(error), Ok(())) => {
                tracing::warn!(%error, "state not written to the CIB; only the local copy is current");
                Ok(())
            }
            (Err(error), Err(local)) => {
                tracing::error!(%error, "state not written to the CIB either");
                Err(local)
            }
        }
    }

    /// Reads the record stored last (`None` when there is none yet) and keeps it as the base of
    /// updates: the cluster's copy when the CIB can be read, else the local file.
    pub async fn load(&mut self) -> Result<Option<Record>, DaemonError> {
        self.cluster = cluster_store::reachable().await;
        let loaded = if self.cluster {
            match cluster_store::load().await {
                Ok(Some(record)) => Some(record),
                Ok(None) => self.read()?,
                Err(reason) => {
                    return Err(DaemonError::State {
                        path: cluster_path(),
                        reason,
                    });
                }
            }
        } else {
            tracing::warn!("the CIB cannot be read: state is kept in the local file only");
            self.read()?
        };
        if let Some(record) = &loaded {
            self.record = record.clone();
        }
        Ok(loaded)
    }

    fn read(&self) -> Result<Option<Record>, DaemonError> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&self.path)(e)),
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| DaemonError::State {
                path: self.path.clone(),
                reason: e.to_string(),
            })
    }

    /// Replaces the file atomically and durably (temporary file, fsync, rename, fsync of the directory).
    fn save(&self, record: &Record) -> Result<(), DaemonError> {
        let tmp = self.path.with_extension("tmp");
        let json = serde_json::to_vec(record).map_err(|e| DaemonError::State {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            if let Some(dir) = self.path.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(io_error(&self.path))
    }
}

fn cluster_path() -> PathBuf {
    PathBuf::from(format!(
        "CIB crm_config {}/{}",
        cluster_store::SET,
        cluster_store::NAME
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Config, Engine};

    #[test]
    fn a_saved_record_loads_back_and_a_corrupt_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("hm-store-{}", std::process::id()));
        let store = Store::open(&dir.join("sub/state.json")).unwrap();
        assert_eq!(store.read().unwrap(), None);
        let record = Engine::new(Config::default()).record();
        store.save(&record).unwrap();
        assert_eq!(store.read().unwrap(), Some(record));
        std::fs::write(dir.join("sub/state.json"), b"{ truncated").unwrap();
        let err = store.read().unwrap_err().to_string();
        assert!(err.contains("move it away"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
