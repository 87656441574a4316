//! One lab, our monitor and masakari-monitors' hostmonitor in turn (never together: both would send
//! the same STOPPED notification and the API's 409 dedupe would hide the slower one), the same
//! fault each trial (by default a compute's pacemaker-remoted is killed; `--fault cut|freeze` sends
//! no goodbye), Pacemaker fences it through fence_ipmilan, and the monitor's notification is stored
//! by the Masakari API.
//!
//! Every trial fails a compute of its own, never failed before in this lab: a compute that failed
//! once comes back as a new connection, with its last notification still in the API (whose 180 s
//! dedupe and the incumbent's memory of the old failure then decide what a second trial measures).

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::time::Duration;

use masakari_lab::layout::Host;
use masakari_lab::masakari::{self, StoredNotification};
use masakari_lab::monitor::route_alerts;
use masakari_lab::stage::Stage;
use masakari_lab::{Lab, LabError, LabSpec, RebootAction, Result};

use crate::fault::{Failure, Fault};
use crate::monitors::{CTL1, Monitor, Running, file_error, keep_logs};
use masakari_lab::bench::procstat::{self, CpuMark, Memory};
use masakari_lab::bench::stored::StoreWatch;
use masakari_lab::bench::timefmt::{now, parse_utc};

/// The lab's name.
pub const LAB: &str = "bhm";
/// The most computes a lab has (so trials x monitors is at most this).
const MAX_COMPUTES: usize = 40;
/// The longest a notification may take (the incumbent at a 60 s interval needs up to ~75 s).
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(240);
/// Where the recorder alert writes, inside ctl1.
const RECORD_LOG: &str = "/var/log/pacemaker/bench-alerts.log";

/// One failure and what the monitor made of it.
#[derive(Debug, Clone)]
pub struct Trial {
    /// The compute that failed.
    pub compute: String,
    /// When it failed (its pacemaker-remoted killed, or the cut or freeze; Unix seconds).
    pub killed_at: f64,
    /// When Pacemaker reported the fence successful (its fencing alert's timestamp).
    pub fenced_at: Option<f64>,
    /// When the STOPPED notification appeared in the API's database (see [`StoreWatch`]).
    pub stored_at: Option<f64>,
    /// The notification's host_status.
    pub host_status: String,
}

impl Trial {
    /// Seconds from the kill to the stored notification.
    pub fn kill_to_stored(&self) -> Option<f64> {
        Some(self.stored_at? - self.killed_at)
    }

    /// Seconds from the fencing completion to the stored notification.
    pub fn fence_to_stored(&self) -> Option<f64> {
        Some(self.stored_at? - self.fenced_at?)
    }

    /// Seconds from the kill to the fencing completion.
    pub fn fence_time(&self) -> Option<f64> {
        Some(self.fenced_at? - self.killed_at)
    }
}

/// One monitor's results.
#[derive(Debug, Clone)]
pub struct Phase {
    /// The monitor.
    pub monitor: Monitor,
    /// Its trials.
    pub trials: Vec<Trial>,
    /// CPU % of one core while nothing failed, and over how many seconds.
    pub idle_cpu_percent: f64,
    /// Seconds of the idle window.
    pub idle_seconds: f64,
    /// Scheduler runs in the idle window (see [`crate::scheduler`]).
    pub idle_scheduler_runs: usize,
    /// CPU seconds over the trials, and their wall seconds.
    pub busy_cpu: (f64, f64),
    /// Memory of each process at the end.
    pub memory: Vec<Memory>,
}

/// Brings the lab up, runs every monitor's trials in turn, tears the lab down.
pub fn run(
    monitors: &[Monitor],
    trials: usize,
    idle: Duration,
    baseline: Option<&std::path::Path>,
    keystone: bool,
    failure: Failure,
    logs: Option<&std::path::Path>,
) -> Result<Vec<Phase>> {
    let computes = computes_for(monitors.len(), trials)?;
    let stage = Stage::install(LAB)?;
    eprintln!(
        "bench: bringing up lab {LAB} (1 controller, {computes} computes, keystone {keystone})"
    );
    let lab = Lab::up(LabSpec {
        computes,
        reboot_action: RebootAction::Off,
        stage: Some(stage.root().to_owned()),
        keystone,
        remote_monitor: failure.remote_monitor,
        ..LabSpec::new(LAB)
    })?;
    configure_alerts(&lab)?;
    let uuids = masakari::host_uuids(lab.layout())?;
    let watch = StoreWatch::start(&lab)?;
    let mut phases = Vec::new();
    let mut fresh = lab.layout().computes().into_iter().map(|m| m.name());
    for &monitor in monitors {
        eprintln!("bench: starting {}", monitor.label());
        let from = baseline.filter(|_| monitor == Monitor::Baseline);
        let running = monitor.start(&lab, from)?;
        let ctx = Context {
            lab: &lab,
            running: &running,
            uuids: &uuids,
            watch: &watch,
            fault: failure.fault,
        };
        let result = run_phase(&ctx, trials, idle, &mut fresh);
        running.stop(&lab);
        phases.push(result?);
    }
    keep_logs(&lab, logs);
    lab.down()?;
    Ok(phases)
}

/// One compute per trial of every monitor.
fn computes_for(monitors: usize, trials: usize) -> Result<u8> {
    let needed = monitors.saturating_mul(trials);
    u8::try_from(needed)
        .ok()
        .filter(|_| (1..=MAX_COMPUTES).contains(&needed))
        .ok_or_else(|| {
            LabError::Usage(format!(
                "{monitors} monitors x {trials} trials need {needed} computes, one per trial; a lab \
                 has 1 to {MAX_COMPUTES}: ask for fewer trials or intervals"
            ))
        })
}

/// What every trial of a phase works with.
struct Context<'a> {
    lab: &'a Lab,
    running: &'a Running,
    uuids: &'a BTreeMap<String, String>,
    watch: &'a StoreWatch,
    fault: Fault,
}

fn run_phase(
    ctx: &Context<'_>,
    trials: usize,
    idle: Duration,
    fresh: &mut impl Iterator<Item = String>,
) -> Result<Phase> {
    let running = ctx.running;
    let pids = running.pids();
    std::thread::sleep(Duration::from_secs(5));
    // At least two polls of a slow poller inside the idle window.
    let idle = match running.monitor {
        Monitor::Incumbent(i) => idle.max(Duration::from_secs(u64::from(i) * 2)),
        Monitor::Ours | Monitor::Baseline => idle,
    };
    eprintln!("bench:   idle for {} s", idle.as_secs());
    let runs_before = crate::scheduler::runs(ctx.lab)?;
    let mark = CpuMark::take(&pids);
    std::thread::sleep(idle);
    let (idle_cpu, idle_wall) = mark.since(&pids);
    let idle_scheduler_runs = crate::scheduler::runs(ctx.lab)?.saturating_sub(runs_before);
    let busy = CpuMark::take(&pids);
    let mut done = Vec::new();
    for compute in fresh.take(trials) {
        let trial = one_trial(ctx, &compute)?;
        eprintln!(
            "bench:   {compute}: fenced {:?} s after the kill, stored {:?} s after the kill, {:?} s after fencing",
            trial.fence_time(),
            trial.kill_to_stored(),
            trial.fence_to_stored()
        );
        done.push(trial);
    }
    let busy_cpu = busy.since(&pids);
    Ok(Phase {
        monitor: running.monitor,
        trials: done,
        idle_cpu_percent: 100.0 * idle_cpu / idle_wall,
        idle_seconds: idle_wall,
        idle_scheduler_runs,
        busy_cpu,
        memory: procstat::memory(&running.procs),
    })
}

fn one_trial(ctx: &Context<'_>, compute: &str) -> Result<Trial> {
    let (lab, running) = (ctx.lab, ctx.running);
    let uuid = ctx
        .uuids
        .get(compute)
        .cloned()
        .ok_or_else(|| LabError::Usage(format!("{compute} is not registered with the API")))?;
    lab.wait_node(compute, "online", Duration::from_secs(120), |n| n.online)?;
    running.wait_knows_online(lab, compute)?;
    let before: BTreeSet<String> = lab
        .notifications()?
        .into_iter()
        .map(|n| n.notification_uuid)
        .collect();
    ctx.fault.apply(lab, compute)?;
    let killed_at = now();
    let stored = wait_stopped(lab, &uuid, &before);
    if stored.is_none() {
        eprintln!(
            "bench:   no notification for {compute} within {} s; see {}",
            NOTIFY_TIMEOUT.as_secs(),
            running.log.display()
        );
    }
    let fenced_at = fence_time(lab, compute, killed_at);
    let stored_at = stored.as_ref().and_then(|n| {
        let at = ctx.watch.stored_at(&n.notification_uuid)?;
        // created_at (whole seconds) must agree with what the poller saw.
        if let Some(created) = parse_utc(&n.created_at)
            && !(created - 0.05..created + 1.5).contains(&at)
        {
            eprintln!(
                "bench:   seen at {at:.3}, yet created_at is {}",
                n.created_at
            );
        }
        Some(at)
    });
    ctx.fault.clear(lab, compute)?;
    lab.set_power(compute, true)?;
    lab.wait_node(compute, "online", Duration::from_secs(120), |n| n.online)?;
    lab.wait_ready(Duration::from_secs(120))?;
    std::thread::sleep(Duration::from_secs(3));
    Ok(Trial {
        compute: compute.to_owned(),
        killed_at,
        fenced_at,
        stored_at,
        host_status: stored
            .as_ref()
            .and_then(|n| n.payload.get("host_status")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| "-".to_owned()),
    })
}

/// The first STOPPED notification for the host that was not there before.
pub fn wait_stopped(
    lab: &Lab,
    uuid: &str,
    before: &BTreeSet<String>,
) -> Option<StoredNotification> {
    let start = std::time::Instant::now();
    while start.elapsed() < NOTIFY_TIMEOUT {
        let found = lab.notifications().ok().and_then(|list| {
            list.into_iter().find(|n| {
                n.source_host_uuid == uuid
                    && n.payload.get("event").is_some_and(|e| e == "STOPPED")
                    && !before.contains(&n.notification_uuid)
            })
        });
        if found.is_some() {
            return found;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    None
}

/// When Pacemaker's fencing alert (task `st_notify_fence`, the action only in its description) reported the first successful fence of `compute` after `since`.
fn fence_time(lab: &Lab, compute: &str, since: f64) -> Option<f64> {
    // A second of slack between Pacemaker's stamp and our clock (as the side-by-side runs had it).
    alert_time(lab, since - 1.0, |alert| {
        alert.kind == "fencing"
            && alert.node == compute
            && alert.rc == "0"
            && (alert.desc.starts_with("Operation off ")
                || alert.desc.starts_with("Operation reboot "))
    })
}

/// One line of the recorder alert's log.
pub struct Alert<'a> {
    /// `CRM_alert_kind`: node, fencing, resource, attribute.
    pub kind: &'a str,
    /// `CRM_alert_node`.
    pub node: &'a str,
    /// `CRM_alert_task`.
    pub task: &'a str,
    /// `CRM_alert_rc`.
    pub rc: &'a str,
    /// `CRM_alert_desc`.
    pub desc: &'a str,
}

/// Pacemaker's timestamp of the first recorded alert at or after `since` that `test` accepts;
/// waits up to 30 s for it.
pub fn alert_time(lab: &Lab, since: f64, test: impl Fn(&Alert<'_>) -> bool) -> Option<f64> {
    let log = record_log(lab);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let found = text.lines().find_map(|line| {
            let f: Vec<&str> = line.splitn(7, ' ').collect();
            let [date, kind, node, task, rc, stamp, desc] = f.as_slice() else {
                return None;
            };
            let date: f64 = date.parse().ok()?;
            let stamp: f64 = stamp.parse().ok().filter(|&s| s > 0.0).unwrap_or(date);
            let alert = Alert {
                kind,
                node,
                task,
                rc,
                desc,
            };
            (test(&alert) && stamp >= since).then_some(stamp)
        });
        if found.is_some() || std::time::Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn record_log(lab: &Lab) -> PathBuf {
    lab.layout()
        .host_dir(Host::Node(CTL1))
        .join("log/bench-alerts.log")
}

/// Our alert agent (as in production) and a recorder of every alert's timestamp.
pub fn configure_alerts(lab: &Lab) -> Result<()> {
    let script = lab.layout().dir().join("bench-recorder.sh");
    let text = format!(
        "#!/bin/sh\n# Records each Pacemaker alert: host time, kind, node, task, rc, Pacemaker's timestamp, desc.\n\
         printf '%s %s %s %s %s %s.%s %s\\n' \"$(date +%s.%N)\" \"${{CRM_alert_kind:--}}\" \
         \"${{CRM_alert_node:--}}\" \"${{CRM_alert_task:--}}\" \"${{CRM_alert_rc:--}}\" \
         \"${{CRM_alert_timestamp_epoch:-0}}\" \"${{CRM_alert_timestamp_usec:-0}}\" \
         \"${{CRM_alert_desc:--}}\" >> {RECORD_LOG}\n"
    );
    std::fs::write(&script, text).map_err(file_error(&script))?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .map_err(file_error(&script))?;
    let script = script.display().to_string();
    let pcs = |args: &[&str]| lab.on_node(CTL1, "pcs", args).map(drop);
    pcs(&["alert", "create", "id=bench", &format!("path={script}")])?;
    pcs(&[
        "alert",
        "recipient",
        "add",
        "bench",
        "id=bench-log",
        &format!("value={RECORD_LOG}"),
    ])?;
    route_alerts(lab, CTL1)
}
