//! The daemon process: spawning it detached, its control socket accepting, signals, waiting.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::instance::Instance;
use super::proc::is_daemon;
use crate::ocf::{Failure, OcfStatus};

/// How often waiting loops look again.
pub const POLL: Duration = Duration::from_millis(50);

/// Whether the control socket accepts a connection (the daemon has bound it: it is up).
pub fn socket_accepts(path: &Path) -> std::io::Result<()> {
    UnixStream::connect(path).map(drop)
}

/// Starts the daemon's `run` in its own process group, output appended to the log file.
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
        "{} (pid {pid}) survived SIGTERM and SIGKILL",
        binary.display()
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
