//! One active monitor per cluster: the running one holds a lease in the cluster, a private attrd
//! attribute `masakari-hostmonitor-owner` set on its own node, `{"node","boot","pid","beat"}`, with
//! `beat` counted up every [`Timing::beat`]. attrd drops the value when that node leaves, so a lost
//! controller releases it at once; a clean stop clears it.
//!
//! A starting monitor that finds another claim waits until it can tell: a claim from this node
//! and boot whose process is gone, or from an earlier boot, is stale at once; one from another node
//! is live if its beat moves within [`Timing::stale`], stale otherwise. A live claim makes it refuse to
//! start ([`OwnerError::Active`]); if two start at once, the claim of the node whose name sorts
//! first stays and the other stops. When attrd cannot be asked at start, the monitor runs and
//! keeps asking: its records are not durable meanwhile, so it sends nothing.
//!
//! Each read and each beat is one `attrd_updater` run (about 10 ms of CPU, most of it the tool's
//! start), so a settled holder reads the claims only every [`READ_EVERY`]th beat: one that has
//! held the lease for [`Timing::stale`] and whose last read found no claim that could be live.
//! A rival appears only by starting (it then waits for our beat, which still moves every beat)
//! or by finding our claim stale; a holder that starts beside another, sees a claim that is not
//! stale yet, or fails to beat reads every beat again.

mod rivals;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::time::Instant;

use super::outputs::attrd::Attrd;
use rivals::{Rivals, Verdict};

/// The lease attribute.
pub const OWNER: &str = "masakari-hostmonitor-owner";
/// A settled holder reads the claims on every this-many beats (and beats on every one).
pub const READ_EVERY: u32 = 3;
/// How often the owner counts its beat up, and how long a claim whose beat does not move stays
/// live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Between two beats.
    pub beat: Duration,
    /// After the last move of a beat, the claim is stale.
    pub stale: Duration,
}

impl Timing {
    /// A beat every 10 s, stale after 30 s. Each beat is a tool run (see the module docs): at 5 s,
    /// beats and reads were a third of an idle monitor's CPU. The stale time only matters when a
    /// monitor's process is gone but its node is still up and another node's monitor starts;
    /// Pacemaker restarts a failed one on the same node first, where a dead claim is stale at once.
    pub const DEFAULT: Self = Self {
        beat: Duration::from_secs(10),
        stale: Duration::from_secs(30),
    };
}

/// Who holds (or wants) the lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The node it runs on.
    pub node: String,
    /// That node's boot id.
    pub boot: String,
    /// Its process id.
    pub pid: u32,
    /// Counted up every beat.
    pub beat: u64,
}

impl Claim {
    /// This process on `node`.
    pub fn own(node: &str) -> Self {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|b| b.trim().to_owned())
            .unwrap_or_default();
        Self {
            node: node.to_owned(),
            boot,
            pid: std::process::id(),
            beat: 0,
        }
    }

    fn same_holder(&self, other: &Self) -> bool {
        self.node == other.node && self.boot == other.boot && self.pid == other.pid
    }
}

/// Why this monitor may not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OwnerError {
    /// Another monitor holds the lease.
    #[error(
        "another masakari-hostmonitor is active on node {node} (pid {pid}): only one may run per \
         cluster (run it as the Pacemaker resource, or stop the other)"
    )]
    Active {
        /// Its node.
        node: String,
        /// Its process id.
        pid: u32,
    },
}

/// The lease, held or being claimed.
#[derive(Debug)]
pub struct Lease<A> {
    attrd: A,
    me: Claim,
    timing: Timing,
    rivals: Rivals,
    held: bool,
    /// Since when the lease is held with no claim against it that could be live.
    quiet_since: Option<Instant>,
    /// Beats since the claims were last read.
    unread: u32,
}

impl<A: Attrd> Lease<A> {
    /// A lease for `me`, not yet claimed.
    pub fn new(attrd: A, me: Claim, timing: Timing) -> Self {
        Self {
            attrd,
            me,
            timing,
            rivals: Rivals::new(timing.stale),
            held: false,
            quiet_since: None,
            unread: 0,
        }
    }

    /// Claims the lease before the monitor starts: waits while another claim cannot be judged yet,
    /// fails on a live one, returns at once when attrd cannot be asked (see [`Lease::run`]).
    pub async fn claim(&mut self) -> Result<(), OwnerError> {
        loop {
            match self.step(Instant::now()).await {
                Ok(true) => return Ok(()),
                Ok(false) => tokio::time::sleep(self.timing.beat).await,
                Err(Some(error)) => return Err(error),
                Err(None) => return Ok(()),
            }
        }
    }

    /// Renews the lease every [`Timing::beat`] until shutdown (then clears it); fails when another
    /// claim wins.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Result<(), OwnerError> {
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.timing.beat) => {}
                _ = shutdown.changed() => break,
            }
            let now = Instant::now();
            if !self.must_read(now) {
                self.unread += 1;
                if self.beat().await.is_err() {
                    self.quiet_since = None;
                }
                continue;
            }
            if let Err(Some(error)) = self.step(now).await {
                return Err(error);
            }
        }
        if self.held
            && let Err(error) = self.attrd.update(OWNER, &self.me.node, "").await
        {
            let stale = self.timing.stale;
            tracing::warn!(%error, "the lease could not be cleared; it goes stale in {stale:?}");
        }
        Ok(())
    }

    /// Whether this beat reads the claims too: always but for a settled holder, which reads
    /// on every [`READ_EVERY`]th beat.
    fn must_read(&self, now: Instant) -> bool {
        let settled = self
            .quiet_since
            .is_some_and(|since| now.saturating_duration_since(since) >= self.timing.stale);
        !settled || self.unread + 1 >= READ_EVERY
    }

    /// One look at the claims and, when nothing stands against it, one beat of ours. `Ok(true)`:
    /// held; `Ok(false)`: a claim to judge still; `Err(None)`: attrd cannot be asked.
    async fn step(&mut self, now: Instant) -> Result<bool, Option<OwnerError>> {
        self.unread = 0;
        let read = self.attrd.query_all(OWNER).await;
        let values = read.map_err(|error| {
            tracing::warn!(%error, "the monitor's lease cannot be read");
            self.quiet_since = None;
            None
        })?;
        let claims: Vec<Claim> = values
            .iter()
            .filter_map(|v| serde_json::from_str(&v.value).ok())
            .filter(|c: &Claim| !c.same_holder(&self.me))
            .collect();
        match self.rivals.judge(now, &claims, &self.me, self.held, alive) {
            Verdict::Refuse(rival) => Err(Some(OwnerError::Active {
                node: rival.node,
                pid: rival.pid,
            })),
            Verdict::Wait => Ok(false),
            Verdict::Clear => {
                let beat = self.beat().await;
                self.quiet_since = match (beat, self.rivals.contested(now)) {
                    (Ok(()), false) => self.quiet_since.or(Some(now)),
                    _ => None,
                };
                beat.map(|()| true).map_err(|()| None)
            }
        }
    }

    async fn beat(&mut self) -> Result<(), ()> {
        self.me.beat = self.me.beat.wrapping_add(1);
        let value = serde_json::to_string(&self.me).map_err(drop)?;
        match self.attrd.update(OWNER, &self.me.node, &value).await {
            Ok(()) => {
                if !self.held {
                    tracing::info!(
                        node = self.me.node,
                        "this monitor holds the cluster's lease"
                    );
                }
                self.held = true;
                Ok(())
            }
            Err(error) => {
                tracing::warn!(%error, "the monitor's lease cannot be written");
                Err(())
            }
        }
    }
}

/// Whether process `pid` of this boot is a host monitor that runs: a zombie (killed, not yet
/// reaped) holds nothing, and neither does another program that was given a recycled pid.
fn alive(pid: u32) -> bool {
    let (Ok(stat), Ok(own)) = (
        std::fs::read_to_string(format!("/proc/{pid}/stat")),
        std::fs::read_to_string("/proc/self/stat"),
    ) else {
        return false;
    };
    runs_as(&stat, &own)
}

/// Whether the process `/proc/PID/stat` describes runs the program of `own` (our own stat line):
/// the command name (between the first `(` and the last `)`) is ours and the state is not
/// zombie (`Z`) or dead (`X`).
fn runs_as(stat: &str, own: &str) -> bool {
    let fields = |line: &str| -> Option<(String, char)> {
        let open = line.find('(')?;
        let close = line.rfind(')')?;
        let name = line.get(open + 1..close)?.to_owned();
        let state = line.get(close + 1..)?.trim_start().chars().next()?;
        Some((name, state))
    };
    match (fields(stat), fields(own)) {
        (Some((name, state)), Some((own_name, _))) => {
            name == own_name && !matches!(state, 'Z' | 'X')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
