//! The durable outbox: one JSON file ([`Record`]), replaced atomically and durably through
//! [`masakari_client::durable`] (the host monitor's local record uses the same), so that after a
//! crash or a power loss it holds either the old record or the new one, whole.

use std::path::{Path, PathBuf};

use masakari_client::durable;

use crate::delivery::{RECORD_VERSION, Record};

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing it failed.
    #[error("state file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It holds something this version cannot read (it is left as it is).
    #[error("state file {} is not an outbox this version reads: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: serde_json::Error,
    },
    /// It was written by a newer version.
    #[error("state file {} has version {found}; this version reads {RECORD_VERSION}", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
    },
}

/// The record in the file; an empty one when there is no file yet.
pub fn read(path: &Path) -> Result<Record, StateError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
        Err(source) => return Err(io(path, source)),
    };
    let record: Record =
        serde_json::from_slice(&text).map_err(|source| StateError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
    if record.version != RECORD_VERSION {
        return Err(StateError::Version {
            path: path.to_owned(),
            found: record.version,
        });
    }
    Ok(record)
}

/// Replaces the file with `record` ([`masakari_client::durable::replace`]: mode 0600, the
/// directory made when missing).
pub fn write(path: &Path, record: &Record) -> Result<(), StateError> {
    let json = serde_json::to_vec(record).map_err(|e| io(path, e.into()))?;
    durable::replace(path, &json).map_err(|source| io(path, source))
}

fn io(path: &Path, source: std::io::Error) -> StateError {
    StateError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("im-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn no_file_is_an_empty_outbox_and_a_written_one_reads_back() {
        let path = dir("rw").join("sub/instancemonitor.json");
        assert_eq!(read(&path).unwrap(), Record::default());
        let record = Record {
            next: 7,
            ..Record::default()
        };
        write(&path, &record).unwrap();
        assert_eq!(read(&path).unwrap(), record);
    }

    #[test]
    fn a_file_of_another_shape_or_version_is_refused_and_left_alone() {
        let dir = dir("bad");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("instancemonitor.json");
        std::fs::write(&path, "{\"outbox\":").unwrap();
        let e = read(&path).unwrap_err();
        assert!(
            e.to_string()
                .contains("is not an outbox this version reads"),
            "{e}"
        );
        std::fs::write(&path, r#"{"version":9,"next":1,"outbox":[]}"#).unwrap();
        let e = read(&path).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("has version 9; this version reads 1"),
            "{e}"
        );
        assert!(path.exists());
    }
}
