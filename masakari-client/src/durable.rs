//! The one durable file replace both monitors keep their record with: the new contents go to a
//! temporary file beside the old (`NAME.tmp`, mode 0600), which is fsynced, renamed over the old
//! and followed by an fsync of the directory, so that after a crash or a power loss the file holds
//! either the old contents or the new, whole, and a replace that returned is on disk.
//!
//! Blocking `std::fs` only, no dependency: the instance monitor's outbox file and the host
//! monitor's local copy of its record both go through it, and the OCF agent, which links this
//! crate without its `http` feature, still gets no runtime.

use std::ffi::OsString;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// Replaces `path` with `bytes` atomically and durably (its directory is made when missing).
/// The error is the system's; the caller names the file.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let tmp = temporary(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

/// `NAME.tmp` beside `path`.
fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(OsString::from).unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("durable-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_file_is_replaced_whole_in_a_directory_made_for_it_mode_0600() {
        let path = dir("new").join("sub/record.json");
        replace(&path, b"old").unwrap();
        replace(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(!temporary(&path).exists(), "renamed into place");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_replace_that_fails_leaves_the_old_file() {
        let dir = dir("fail");
        let path = dir.join("record.json");
        replace(&path, b"old").unwrap();
        std::fs::create_dir_all(temporary(&path)).unwrap();
        assert!(
            replace(&path, b"new").is_err(),
            "the temporary is a directory"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
    }

    #[test]
    fn the_temporary_sits_beside_the_file_under_its_whole_name() {
        assert_eq!(
            temporary(Path::new("/var/lib/m/state.json")),
            Path::new("/var/lib/m/state.json.tmp")
        );
        assert_eq!(temporary(Path::new("state")), Path::new("state.tmp"));
    }
}
