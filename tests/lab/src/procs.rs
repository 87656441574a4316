//! Finding and killing a namespace's processes by PID (never by name).
//!
//! A process belongs to a lab host when `/proc/PID/ns/net` is the host's network namespace: that also
//! finds orphans such as pacemaker-execd left behind by a killed pacemakerd.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use crate::error::{LabError, Result};
use crate::wait::poll_until;

/// A process found in a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// Its PID.
    pub pid: i32,
    /// Its command name (`/proc/PID/comm`, at most 15 characters).
    pub comm: String,
}

/// The processes in the named network namespace (none when it does not exist).
pub fn in_netns(netns: &str) -> Vec<Process> {
    let Some(inode) = netns_inode(netns) else {
        return Vec::new();
    };
    let wanted = format!("net:[{inode}]");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/ns/net"))
                .is_ok_and(|link| link.as_os_str() == wanted.as_str())
        })
        .filter_map(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            Some(Process {
                pid,
                comm: comm.trim_end().to_owned(),
            })
        })
        .collect()
}

/// Kills (SIGKILL) every process in the namespace and waits until none is left. Those that were
/// this process's own children are reaped, so no zombie outlives the lab.
pub fn kill_netns(netns: &str) -> Result<()> {
    let mut killed = Vec::new();
    let result = poll_until(
        &format!("every process in {netns} to exit"),
        Duration::from_secs(10),
        || {
            let left = in_netns(netns);
            for p in &left {
                signal(p.pid, Signal::SIGKILL);
                killed.push(p.pid);
            }
            Ok(left.is_empty().then_some(()))
        },
    );
    for pid in killed {
        // Not our child (ECHILD) is the common case; nothing to do then.
        let _ = waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG));
    }
    result
}

/// Kills the namespace's processes whose command name is `comm`; how many there were.
pub fn kill_named(netns: &str, comm: &str) -> usize {
    let victims: Vec<Process> = in_netns(netns)
        .into_iter()
        .filter(|p| p.comm == comm)
        .collect();
    for p in &victims {
        signal(p.pid, Signal::SIGKILL);
    }
    victims.len()
}

/// Sends a signal to every process of the namespace whose command name is `comm`.
pub fn signal_named(netns: &str, comm: &str, sig: Signal) -> Result<()> {
    let found: Vec<Process> = in_netns(netns)
        .into_iter()
        .filter(|p| p.comm == comm)
        .collect();
    if found.is_empty() {
        return Err(LabError::Usage(format!("no {comm} runs in {netns}")));
    }
    for p in found {
        signal(p.pid, sig);
    }
    Ok(())
}

/// Sends a signal to every process in the namespace (by PID); how many there were.
pub fn signal_netns(netns: &str, sig: Signal) -> usize {
    let found = in_netns(netns);
    for p in &found {
        signal(p.pid, sig);
    }
    found.len()
}

fn signal(pid: i32, sig: Signal) {
    // The process may have exited since it was listed; that is what we wanted anyway.
    let _ = kill(Pid::from_raw(pid), sig);
}

fn netns_inode(netns: &str) -> Option<u64> {
    std::fs::metadata(Path::new("/run/netns").join(netns))
        .ok()
        .map(|m| m.ino())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_namespace_has_no_processes() {
        assert!(in_netns("mlab-does-not-exist").is_empty());
        kill_netns("mlab-does-not-exist").unwrap();
    }
}
