//! Pacemaker giving up on a compute service -> the PROCESS STOPPED stored by the API (`--process`).
//! A lab with `--services` (the nova-compute clone on the remotes, `migration-threshold=3`) and our
//! monitor on ctl1 with its defaults; each trial takes a compute of its own and kills its
//! nova-compute (by PID, each time after Pacemaker's restart) until Pacemaker stops it there for
//! good. Pacemaker's giving up is that stop, as its resource alert stamps it (to the microsecond,
//! the recorder beside ours); the store is when the [`StoreWatch`] first sees the row.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use masakari_lab::masakari;
use masakari_lab::services::{CLONE, MIGRATION_THRESHOLD};
use masakari_lab::stage::Stage;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabError, LabSpec, RebootAction, Result};

use crate::monitors::{Monitor, keep_logs};
use crate::side_by_side::{alert_time, configure_alerts, wait_stopped};
use masakari_lab::bench::stats::seconds;
use masakari_lab::bench::stored::StoreWatch;
use masakari_lab::bench::timefmt::now;

/// The lab's name.
const LAB: &str = "bhp";
/// How long each of Pacemaker's steps (a restart, the stop) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// One compute's service given up on, and the notification of it.
#[derive(Debug, Clone)]
pub struct ProcessTrial {
    /// The compute.
    pub compute: String,
    /// When Pacemaker's stop of the service there completed (its alert's timestamp).
    pub stopped_at: Option<f64>,
    /// When the PROCESS STOPPED notification appeared in the API's database.
    pub stored_at: Option<f64>,
}

impl ProcessTrial {
    /// Seconds from Pacemaker's stop to the stored notification.
    pub fn stop_to_stored(&self) -> Option<f64> {
        Some(self.stored_at? - self.stopped_at?)
    }
}

/// Brings the lab up, runs the trials, tears the lab down. Every trial fails a compute of its own
/// within the mass-failure guard's window (120 s), so the lab has one compute more than twice the
/// trials: fewer than half of them ever fail, and the guard (50 %) holds nothing.
pub fn run(trials: usize, logs: Option<&std::path::Path>) -> Result<Vec<ProcessTrial>> {
    let computes = u8::try_from(trials * 2 + 1)
        .ok()
        .filter(|n| (3..=40).contains(n))
        .ok_or_else(|| LabError::Usage(format!("{trials} process trials: 1 to 19")))?;
    let stage = Stage::install(LAB)?;
    eprintln!("bench: bringing up lab {LAB} (1 controller, {computes} computes, services)");
    let lab = Lab::up(LabSpec {
        computes,
        reboot_action: RebootAction::Off,
        stage: Some(stage.root().to_owned()),
        services: true,
        ..LabSpec::new(LAB)
    })?;
    configure_alerts(&lab)?;
    let watch = StoreWatch::start(&lab)?;
    let running = Monitor::Ours.start(&lab, None)?;
    let result = trials_on(&lab, &watch, trials);
    running.stop(&lab);
    keep_logs(&lab, logs);
    lab.down()?;
    result
}

fn trials_on(lab: &Lab, watch: &StoreWatch, trials: usize) -> Result<Vec<ProcessTrial>> {
    let names: Vec<String> = lab.layout().computes().iter().map(|m| m.name()).collect();
    // `located` sorts by name (compute10 before compute2).
    let mut every = names.clone();
    every.sort();
    poll_until("the service on every compute", STEP_TIMEOUT, || {
        Ok((lab.located(CLONE)? == every).then_some(()))
    })?;
    let uuids = masakari::host_uuids(lab.layout())?;
    let mut done = Vec::new();
    for compute in names.iter().take(trials) {
        let uuid = uuids
            .get(compute)
            .ok_or_else(|| LabError::Usage(format!("{compute} is not registered with the API")))?;
        let trial = one_trial(lab, watch, compute, uuid)?;
        eprintln!(
            "bench:   {compute}: stored {:?} s after Pacemaker's stop",
            trial.stop_to_stored()
        );
        done.push(trial);
    }
    Ok(done)
}

fn one_trial(lab: &Lab, watch: &StoreWatch, compute: &str, uuid: &str) -> Result<ProcessTrial> {
    let before: BTreeSet<String> = lab
        .notifications()?
        .into_iter()
        .map(|n| n.notification_uuid)
        .collect();
    for failures in 1..MIGRATION_THRESHOLD {
        lab.service_kill_restarted(compute, failures, STEP_TIMEOUT)?;
    }
    // Each restart was a stop and a start: only the last kill's stop is Pacemaker giving up.
    let since = now();
    lab.service_kill_until_banned(compute, STEP_TIMEOUT)?;
    let stored = wait_stopped(lab, uuid, &before);
    let stopped_at = alert_time(lab, since, |a| {
        a.kind == "resource" && a.node == compute && a.task == "stop" && a.rc == "0"
    });
    Ok(ProcessTrial {
        compute: compute.to_owned(),
        stopped_at,
        stored_at: stored.and_then(|n| watch.stored_at(&n.notification_uuid)),
    })
}

/// The trials and their median as Markdown.
pub fn report(trials: &[ProcessTrial]) -> String {
    let mut s = String::from(
        "\n### Pacemaker gives up on a compute service -> PROCESS STOPPED stored\n\n\
         | compute | Pacemaker's stop -> stored by API |\n|---|---|\n",
    );
    for t in trials {
        let cell = t
            .stop_to_stored()
            .map_or_else(|| "not stored".to_owned(), |d| format!("{d:.3} s"));
        let _ = writeln!(s, "| {} | {cell} |", t.compute);
    }
    let all: Vec<f64> = trials
        .iter()
        .filter_map(ProcessTrial::stop_to_stored)
        .collect();
    let _ = writeln!(s, "| median (min..max) | {} |", seconds(&all));
    s
}
