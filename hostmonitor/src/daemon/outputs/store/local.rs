//! The local copy of the record: one JSON file, replaced atomically and durably through
//! [`masakari_client::durable`] (the instance monitor's outbox file uses the same).

use std::path::Path;

use masakari_client::durable;

use crate::daemon::error::{DaemonError, StateError, io_error};
use crate::daemon::outputs::cluster_store::Stored;
use crate::engine::Record;

/// The record in the file (`None` when there is no file); a file of the format before generations
/// reads as generation 0, older than any cluster record.
pub fn read(path: &Path) -> Result<Option<Stored>, DaemonError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path)(e)),
    };
    let older = |e| {
        let record = serde_json::from_slice::<Record>(&text).map_err(|_| e)?;
        Ok(Stored {
            generation: 0,
            record,
        })
    };
    serde_json::from_slice(&text)
        .or_else(older)
        .map(Some)
        .map_err(|e: serde_json::Error| DaemonError::State {
            path: path.to_owned(),
            source: StateError::Unreadable(e),
        })
}

/// Replaces the file ([`masakari_client::durable::replace`]: temporary file, fsync, rename,
/// fsync of the directory).
pub fn write(path: &Path, stored: &Stored) -> Result<(), DaemonError> {
    let json = serde_json::to_vec(stored).map_err(|e| DaemonError::State {
        path: path.to_owned(),
        source: StateError::Unwritable(e),
    })?;
    durable::replace(path, &json).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_record_loads_back_and_a_corrupt_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("hm-local-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert_eq!(read(&path).unwrap(), None);
        let stored = Stored {
            generation: 7,
            record: Record::default(),
        };
        write(&path, &stored).unwrap();
        assert_eq!(read(&path).unwrap(), Some(stored));
        std::fs::write(&path, b"{ truncated").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("move it away"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
