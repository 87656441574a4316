//! The daemon process: spawning it detached, recognising it by PID, its control socket, signals.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::instance::Instance;
use super::proc::is_daemon;
use crate::ocf::{Failure, OcfStatus};

/// How often waiting loops look again.
pub const POLL: Duration = Duration::from_millis(50);

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

/// Whether the control socket accepts a connection (the daemon has bound it: it is up).
pub fn socket_accepts(path: &Path) -> std::io::Result<()> {
    UnixStream::connect(path).map(drop)
}

/// Starts `masakari-hostmonitor run` in its own process group, output appended to the log file.
/// Returns the child and the log's length before it started (its own output follows).
pub fn spawn(instance: &Instance) -> Result<(Child, u64), Failure> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&instance.log_file)
        .map_err(|e| io_failure(&instance.log_file, &e))?;
    let offset = log.metadata().map_or(0, |m| m.len());
    let err = log
        .try_clone()
        .map_err(|e| io_failure(&instance.log_file, &e))?;
    let mut cmd = Command::new(&instance.binary);
    cmd.args(instance.daemon_args("run"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .process_group(0);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OCF_") {
            cmd.env_remove(&key);
        }
    }
    let child = cmd.spawn().map_err(|e| {
        Failure::installed(format!("cannot run {}: {e}", instance.binary.display()))
    })?;
    Ok((child, offset))
}

/// The last non-empty line the daemon wrote to its log after `offset` (for exit reasons).
pub fn last_words(log: &Path, offset: u64) -> Option<String> {
    let mut f = std::fs::File::open(log).ok()?;
    f.seek(SeekFrom::Start(offset)).ok()?;
    let mut text = String::new();
    f.take(64 * 1024).read_to_string(&mut text).ok()?;
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    Some(line.chars().take(400).collect())
}

/// Sends SIGTERM, waits up to `grace` for the daemon to exit, then SIGKILL and a short wait.
pub fn terminate(pid: i32, binary: &Path, grace: Duration) -> Result<(), Failure> {
    let target = Pid::from_raw(pid);
    for (signal, wait) in [
        (Signal::SIGTERM, grace),
        (Signal::SIGKILL, Duration::from_secs(5)),
    ] {
        if !is_daemon(pid, binary) {
            return Ok(());
        }
        let _ = kill(target, signal);
        if wait_until(wait, || !is_daemon(pid, binary)) {
            return Ok(());
        }
    }
    Err(Failure::generic(format!(
        "masakari-hostmonitor (pid {pid}) survived SIGTERM and SIGKILL"
    )))
}

/// Polls `done` until it holds or `limit` has passed; whether it held.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// A failure for an I/O error on `path`: permission problems are `OCF_ERR_PERM`.
pub fn io_failure(path: &Path, e: &std::io::Error) -> Failure {
    let status = match e.kind() {
        ErrorKind::PermissionDenied => OcfStatus::ErrPerm,
        _ => OcfStatus::ErrGeneric,
    };
    Failure::new(status, format!("{}: {e}", path.display()))
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
