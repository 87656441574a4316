//! Compute services that Pacemaker runs on the remotes (`--services`), the way an operator runs
//! nova-compute there: an anonymous clone of one `ocf:heartbeat:anything` primitive, kept on the
//! pacemaker-remote nodes by a `#kind ne remote` location rule, restarted by Pacemaker when it dies
//! and given up on a compute after [`MIGRATION_THRESHOLD`] failures.
//!
//! The process is a real long-lived one whose command name stands for the service: `nova-compute`
//! is a symbolic link to `sleep` in the compute's own /var/lib/pacemaker, run as `nova-compute
//! infinity`, so /proc shows `nova-compute` and a kill by name finds only it. Its health check (the
//! agent's `monitor_hook`) fails while a marker file exists on that compute: the marker stands for a
//! service that starts but never becomes healthy, which makes Pacemaker's start fail on purpose
//! (`start-failure-is-fatal`, the cluster default, then bans it there at once).
//!
//! The settings are those README gives operators:
//! - `monitor interval=5s timeout=20s`: a dead nova-compute is found within 5 s, well before Nova's
//!   own `service_down_time` (60 s); the agent's check is a `kill -0`, so 5 s costs nothing.
//! - `migration-threshold=3`: one crash is a restart and nothing more; the third within
//!   `failure-timeout` means the service does not stay up there, so Pacemaker stops trying and
//!   Masakari is told (PROCESS STOPPED) before Nova schedules guests onto the host.
//! - `failure-timeout=10min`: occasional crashes (fewer than three in ten minutes) never add up to
//!   a ban; after a ban Pacemaker tries again by itself ten minutes later (at the next
//!   cluster-recheck), and a service that then stays up is reported STARTED.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{LabError, Result, file_error};
use crate::files::{self, Owner};
use crate::lab::Lab;
use crate::layout::{Host, Layout, Machine};
use crate::procs;
use crate::wait::poll_until;

/// The primitive's id (and the service it stands for).
pub const RESOURCE: &str = "nova-compute";
/// The clone's id, as `pcs resource create ... clone` names it.
pub const CLONE: &str = "nova-compute-clone";
/// The process's command name as /proc shows it.
pub const COMM: &str = "nova-compute";
/// Failures on one compute before Pacemaker gives up there.
pub const MIGRATION_THRESHOLD: u32 = 3;
/// How long a failure counts.
pub const FAILURE_TIMEOUT: &str = "10min";
/// The monitor op's interval.
pub const MONITOR_INTERVAL: &str = "5s";
/// The timeout of the monitor, start and stop ops.
pub const OP_TIMEOUT: &str = "20s";

/// Where the service's files live inside a compute (its own /var/lib/pacemaker).
const NODE_DIR: &str = "/var/lib/pacemaker/lab-services";
/// The same directory as the lab host sees it, below the compute's host directory.
const HOST_SUBDIR: &str = "var-lib-pacemaker/lab-services";
/// The program the service runs as.
const PROGRAM: &str = "/usr/bin/sleep";
/// The agent's PID file, in the compute's private /run.
const PID_FILE: &str = "/run/nova-compute.pid";
/// While this file exists on a compute, the service's health check fails there.
const BROKEN: &str = "nova-compute.broken";

/// Lays the service's program into a compute's state directory before it boots.
pub fn prepare(layout: &Layout, machine: Machine) -> Result<()> {
    let dir = host_dir(layout, machine);
    files::dir(&dir, Owner::Root, 0o755)?;
    let link = dir.join(COMM);
    match std::fs::remove_file(&link) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(file_error(&link)(e)),
        _ => {}
    }
    std::os::unix::fs::symlink(PROGRAM, &link).map_err(file_error(&link))
}

/// The clone and its primitive, for the CIB's `<resources>`.
pub fn resources(s: &mut String) {
    let r = RESOURCE;
    let _ = write!(
        s,
        "<clone id=\"{CLONE}\">\n\
         <primitive id=\"{r}\" class=\"ocf\" provider=\"heartbeat\" type=\"anything\">\n\
         <instance_attributes id=\"{r}-ia\">\n\
         <nvpair id=\"{r}-binfile\" name=\"binfile\" value=\"{NODE_DIR}/{COMM}\"/>\n\
         <nvpair id=\"{r}-cmdline\" name=\"cmdline_options\" value=\"infinity\"/>\n\
         <nvpair id=\"{r}-pidfile\" name=\"pidfile\" value=\"{PID_FILE}\"/>\n\
         <nvpair id=\"{r}-hook\" name=\"monitor_hook\" value=\"test ! -e {NODE_DIR}/{BROKEN}\"/>\n\
         </instance_attributes>\n\
         <meta_attributes id=\"{r}-meta\">\n\
         <nvpair id=\"{r}-threshold\" name=\"migration-threshold\" value=\"{MIGRATION_THRESHOLD}\"/>\n\
         <nvpair id=\"{r}-failure-timeout\" name=\"failure-timeout\" value=\"{FAILURE_TIMEOUT}\"/>\n\
         </meta_attributes>\n\
         <operations>\n\
         <op id=\"{r}-monitor\" name=\"monitor\" interval=\"{MONITOR_INTERVAL}\" timeout=\"{OP_TIMEOUT}\"/>\n\
         <op id=\"{r}-start\" name=\"start\" interval=\"0s\" timeout=\"{OP_TIMEOUT}\"/>\n\
         <op id=\"{r}-stop\" name=\"stop\" interval=\"0s\" timeout=\"{OP_TIMEOUT}\"/>\n\
         </operations>\n\
         </primitive>\n\
         <meta_attributes id=\"{CLONE}-meta\">\n\
         <nvpair id=\"{CLONE}-interleave\" name=\"interleave\" value=\"true\"/>\n\
         </meta_attributes>\n\
         </clone>\n"
    );
}

/// The location rule that keeps the clone off the full cluster members.
pub fn constraints(s: &mut String) {
    let _ = write!(
        s,
        "<rsc_location id=\"{CLONE}-on-remotes\" rsc=\"{CLONE}\">\n\
         <rule id=\"{CLONE}-on-remotes-rule\" score=\"-INFINITY\">\n\
         <expression id=\"{CLONE}-on-remotes-expr\" attribute=\"#kind\" operation=\"ne\" value=\"remote\"/>\n\
         </rule>\n\
         </rsc_location>\n"
    );
}

/// The host monitor's `[processes]` table for a lab with services: the clone, standing for
/// `nova-compute` (the lab's agent is not one the monitor watches by default).
pub fn monitor_toml() -> String {
    format!("[processes]\nresources = {{ \"{CLONE}\" = \"{COMM}\" }}\n")
}

/// What the lab does to a compute's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// SIGKILL the running process (by PID): Pacemaker's next monitor finds it gone.
    Kill,
    /// Make its health check fail from now on: a running service fails its next monitor, and every
    /// start fails.
    Break,
    /// Let its health check pass again (the operator repaired it; a cleanup then starts it).
    Mend,
}

impl Lab {
    /// Applies `fault` to the service on compute `name`.
    pub fn service_fault(&self, name: &str, fault: Fault) -> Result<()> {
        let machine = self.layout().machine(name)?;
        let marker = host_dir(self.layout(), machine).join(BROKEN);
        match fault {
            Fault::Kill => match procs::kill_named(&self.layout().netns(Host::Node(machine)), COMM)
            {
                0 => Err(LabError::Usage(format!("no {COMM} runs on {name}"))),
                _ => Ok(()),
            },
            Fault::Break => files::write(&marker, b"", Owner::Root, 0o644),
            Fault::Mend => match std::fs::remove_file(&marker) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(file_error(&marker)(e)),
                _ => Ok(()),
            },
        }
    }

    /// The PIDs of the service's processes on compute `name`.
    pub fn service_pids(&self, name: &str) -> Result<Vec<i32>> {
        let machine = self.layout().machine(name)?;
        Ok(procs::in_netns(&self.layout().netns(Host::Node(machine)))
            .into_iter()
            .filter(|p| p.comm == COMM)
            .map(|p| p.pid)
            .collect())
    }

    /// Pacemaker's fail count of the service on compute `name` (`crm_failcount --query`): a
    /// number, `INFINITY`, or `0` when none is recorded.
    pub fn service_fail_count(&self, name: &str) -> Result<String> {
        let out = self.on_controller("crm_failcount", &["--query", "-r", RESOURCE, "-N", name])?;
        out.split("value=")
            .nth(1)
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| LabError::Usage(format!("crm_failcount said {out:?}")))
    }

    /// Kills the service on compute `name` and waits (up to `timeout`) until Pacemaker has started
    /// it again there: a new process runs and the fail count is `failures`.
    pub fn service_kill_restarted(
        &self,
        name: &str,
        failures: u32,
        timeout: Duration,
    ) -> Result<()> {
        let before = self.service_pids(name)?;
        self.service_fault(name, Fault::Kill)?;
        poll_until(&format!("{COMM} restarted on {name}"), timeout, || {
            let now = self.service_pids(name)?;
            let restarted = !now.is_empty() && now != before;
            Ok((restarted && self.service_fail_count(name)? == failures.to_string()).then_some(()))
        })
    }

    /// Kills the service on compute `name` until Pacemaker gives up there: the fail count (from
    /// whatever it is now) reaches [`MIGRATION_THRESHOLD`] and Pacemaker has stopped it there (it
    /// runs on the other computes only). Each wait is up to `timeout`.
    pub fn service_kill_until_banned(&self, name: &str, timeout: Duration) -> Result<()> {
        let now = self.service_fail_count(name)?;
        let failed: u32 = now
            .parse()
            .map_err(|_| LabError::Usage(format!("{COMM} on {name} has fail count {now}")))?;
        for failures in failed + 1..MIGRATION_THRESHOLD {
            self.service_kill_restarted(name, failures, timeout)?;
        }
        self.service_fault(name, Fault::Kill)?;
        poll_until(
            &format!("Pacemaker to give up on {COMM} on {name}"),
            timeout,
            || {
                let given_up = self.service_fail_count(name)? == MIGRATION_THRESHOLD.to_string()
                    && !self.located(CLONE)?.iter().any(|n| n == name)
                    && self.service_pids(name)?.is_empty();
                Ok(given_up.then_some(()))
            },
        )
    }

    /// `crm_resource --cleanup` of the service on compute `name`: its failures forgotten, Pacemaker
    /// starts it there again.
    pub fn service_cleanup(&self, name: &str) -> Result<()> {
        self.on_controller("crm_resource", &["--cleanup", "-r", RESOURCE, "-N", name])
            .map(drop)
    }
}

fn host_dir(layout: &Layout, machine: Machine) -> PathBuf {
    layout.host_dir(Host::Node(machine)).join(HOST_SUBDIR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clone_runs_anything_on_remotes_only_with_a_threshold() {
        let mut s = String::new();
        resources(&mut s);
        constraints(&mut s);
        assert!(s.contains("<clone id=\"nova-compute-clone\">"));
        assert!(s.contains("provider=\"heartbeat\" type=\"anything\""));
        assert!(s.contains("name=\"migration-threshold\" value=\"3\""));
        assert!(s.contains("name=\"failure-timeout\" value=\"10min\""));
        assert!(s.contains("name=\"monitor\" interval=\"5s\" timeout=\"20s\""));
        assert!(s.contains("attribute=\"#kind\" operation=\"ne\" value=\"remote\""));
        assert!(s.contains("score=\"-INFINITY\""));
        assert_eq!(
            monitor_toml(),
            "[processes]\nresources = { \"nova-compute-clone\" = \"nova-compute\" }\n"
        );
    }
}
