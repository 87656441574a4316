//! The agent's PID file (in `HA_RSCTMP`): the daemon's PID and the control socket it serves, so
//! `monitor` and `stop` find the daemon whatever the attributes say now. The parser is pure so it
//! can be fuzzed.

use std::path::{Path, PathBuf};

use super::process::io_failure;
use crate::ocf::Failure;

/// What the agent remembers of a daemon it started: its PID and the control socket it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PidFile {
    /// The daemon's PID.
    pub pid: i32,
    /// Its control socket, as configured when it started.
    pub control_socket: PathBuf,
}

impl PidFile {
    /// Reads `path`; `None` when it is missing or not one of ours (nothing was started).
    pub fn read(path: &Path) -> Option<Self> {
        Self::parse(&std::fs::read(path).ok()?)
    }

    /// The PID file's content: the PID on the first line, the control socket on the second.
    /// `None` for anything else (a file we did not write, or one cut short).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.lines();
        let pid = lines.next()?.trim().parse().ok().filter(|p| *p > 0)?;
        let control_socket = PathBuf::from(lines.next()?);
        Some(Self {
            pid,
            control_socket,
        })
    }

    /// The file's text, as [`PidFile::parse`] reads it.
    pub fn contents(&self) -> String {
        format!("{}\n{}\n", self.pid, self.control_socket.display())
    }

    /// Writes `path` atomically (a temporary file renamed over it).
    pub fn write(&self, path: &Path) -> Result<(), Failure> {
        let tmp = path.with_extension("pid.new");
        std::fs::write(&tmp, self.contents())
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| io_failure(path, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_file_round_trip_and_garbage() {
        let dir = std::env::temp_dir().join(format!("ocf-pid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.pid");
        let pf = PidFile {
            pid: 42,
            control_socket: "/run/x/control.sock".into(),
        };
        pf.write(&path).unwrap();
        assert_eq!(PidFile::read(&path), Some(pf));
        for garbage in [
            "",
            "abc\n/x\n",
            "0\n/x\n",
            "-5\n/x\n",
            "12\n",
            "99999999999\n/x\n",
        ] {
            std::fs::write(&path, garbage).unwrap();
            assert_eq!(PidFile::read(&path), None, "{garbage:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(PidFile::read(&path), None);
        assert_eq!(PidFile::parse(b"7\n/x\xff\n"), None);
        assert_eq!(
            PidFile::parse(b" 7 \r\n/r/c.sock\r\n").map(|p| p.pid),
            Some(7)
        );
    }
}
