//! The run: one lab compute, both monitors on its libvirtd, guest kills, then memory and idle CPU.

use std::path::Path;
use std::time::Duration;

use masakari_lab::instancemonitor::{InstanceMonitor, Subject};
use masakari_lab::layout::Host;
use masakari_lab::libvirt::{Guest, Libvirt, URI};
use masakari_lab::masakari::notifications_for;
use masakari_lab::stage::Profile;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabSpec, Machine, Result};

use crate::posts::PostWatch;
use masakari_lab::bench::procstat::{CpuMark, status_kib};
use masakari_lab::bench::stored::StoreWatch;
use masakari_lab::bench::timefmt;

/// The compute both monitors run on.
const COMPUTE: Machine = Machine::Compute(1);
/// The host name the incumbent reports as (registered beside compute1).
const INCUMBENT_HOST: &str = "compute1-incumbent";
/// How long one monitor may take to get a notification stored before the trial counts it lost.
const TRIAL_TIMEOUT: Duration = Duration::from_secs(60);

/// What was measured of one monitor.
#[derive(Debug, Clone)]
pub struct Measured {
    /// `ours` or `incumbent`.
    pub label: &'static str,
    /// Kill -> stored, seconds, one per delivered trial.
    pub latencies: Vec<f64>,
    /// libvirt's event (as the third client got it) -> the POST reaching the API: the monitor's
    /// own part, seconds.
    pub to_post: Vec<f64>,
    /// The monitor's own stamp of the event (`generated_time`) -> the POST reaching the API: the
    /// monitor's part on its own clock reading, seconds.
    pub stamp_to_post: Vec<f64>,
    /// The POST reaching the API -> stored: the API's part, seconds.
    pub post_to_stored: Vec<f64>,
    /// Resident set after the trials, KiB.
    pub rss_kib: u64,
    /// Peak resident set, KiB.
    pub hwm_kib: u64,
    /// CPU over the idle window, percent of one core.
    pub idle_cpu_percent: f64,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Guest kills.
    pub trials: u16,
    /// Ours, then the incumbent.
    pub monitors: Vec<Measured>,
    /// Kill -> the `Stopped Failed` lifecycle event reaching a third client (`virsh event`): what
    /// libvirt itself takes, which no monitor can beat.
    pub libvirt_event: Vec<f64>,
}

/// Brings up the lab, runs the trials and the idle window, tears the lab down.
pub fn run(trials: u16, idle: Duration, logs: Option<&Path>) -> Result<Outcome> {
    let lab = Lab::up(LabSpec {
        computes: 1,
        libvirt: true,
        ..LabSpec::new("bim")
    })?;
    lab.register_host(INCUMBENT_HOST)?;
    let ours = InstanceMonitor::start(&lab, COMPUTE, Subject::Ours(Profile::Release), "compute1")?;
    let theirs = InstanceMonitor::start(&lab, COMPUTE, Subject::Incumbent, INCUMBENT_HOST)?;
    let subjects = [(&ours, "compute1"), (&theirs, INCUMBENT_HOST)];
    let watch = StoreWatch::start(&lab)?;
    let posts = PostWatch::start(&lab)?;
    let events = EVENTS_LOG;
    lab.spawn_on_node(COMPUTE, &LISTENER, events)?;
    let events = lab.layout().host_dir(Host::Node(COMPUTE)).join(events);
    let mut libvirt_event = Vec::new();
    let mut columns = vec![Columns::default(); subjects.len()];
    for n in 1..=trials {
        let kill_at = kill_fresh_guest(&lab, n)?;
        let guest = Guest::of(COMPUTE, n);
        let stores: Vec<Option<f64>> = subjects
            .iter()
            .map(|(_, host)| stored_at(&lab, &watch, host, &guest))
            .collect();
        // Read after the stores: virsh has printed the event by then.
        let event = event_at(&events, &guest);
        match event {
            Some(at) => libvirt_event.push(at - kill_at),
            None => eprintln!("trial {n}: no event in {}", events.display()),
        }
        for (((monitor, host), column), stored) in subjects.iter().zip(&mut columns).zip(stores) {
            let Some(stored) = stored else {
                eprintln!("trial {n}: nothing stored from the {}", monitor.label());
                continue;
            };
            column.latencies.push(stored - kill_at);
            let Some(posted) = posts.posted(host, &guest.uuid) else {
                eprintln!("trial {n}: no POST captured from the {}", monitor.label());
                continue;
            };
            column.post_to_stored.push(stored - posted.at);
            if let Some(event) = event {
                column.to_post.push(posted.at - event);
            }
            if let Some(stamp) = posted.generated {
                column.stamp_to_post.push(posted.at - stamp);
            }
        }
        eprintln!("trial {n}/{trials} done");
    }
    let idle_guest = Guest::of(COMPUTE, trials + 1);
    start_guest(&lab, &idle_guest)?;
    let pids: Vec<i32> = subjects.iter().map(|(m, _)| m.pid()).collect();
    let marks: Vec<CpuMark> = pids.iter().map(|&p| CpuMark::take(&[p])).collect();
    std::thread::sleep(idle);
    let monitors = subjects
        .iter()
        .zip(columns)
        .zip(marks)
        .map(|(((monitor, _), column), mark)| {
            let pid = monitor.pid();
            let (cpu, wall) = mark.since(&[pid]);
            Measured {
                label: monitor.label(),
                latencies: column.latencies,
                to_post: column.to_post,
                stamp_to_post: column.stamp_to_post,
                post_to_stored: column.post_to_stored,
                rss_kib: status_kib(pid, "VmRSS").unwrap_or(0),
                hwm_kib: status_kib(pid, "VmHWM").unwrap_or(0),
                idle_cpu_percent: 100.0 * cpu / wall.max(f64::MIN_POSITIVE),
            }
        })
        .collect();
    if let Some(dir) = logs {
        keep_logs(&lab, dir)?;
    }
    drop((ours, theirs, posts));
    lab.down()?;
    Ok(Outcome {
        trials,
        monitors,
        libvirt_event,
    })
}

/// One monitor's timings, trial by trial (see [`Measured`]).
#[derive(Debug, Clone, Default)]
struct Columns {
    latencies: Vec<f64>,
    to_post: Vec<f64>,
    stamp_to_post: Vec<f64>,
    post_to_stored: Vec<f64>,
}

/// A third client of the compute's libvirtd printing each lifecycle event with libvirt's timestamp
/// (line-buffered, so each line is in the log as it happens).
const LISTENER: [&str; 10] = [
    "stdbuf",
    "-oL",
    "virsh",
    "-c",
    URI,
    "event",
    "--loop",
    "--event",
    "lifecycle",
    "--timestamp",
];
const EVENTS_LOG: &str = "virsh-events.log";

/// When `virsh event` printed the guest's `Stopped Failed`: its lines read
/// `2026-12-06 23:30:01.123+0000: event 'lifecycle' for domain 'guest3': Stopped Failed`.
fn event_at(log: &Path, guest: &Guest) -> Option<f64> {
    let text = std::fs::read_to_string(log).ok()?;
    let wanted = format!("for domain '{}': Stopped Failed", guest.name);
    let line = text.lines().find(|l| l.contains(&wanted))?;
    let (stamp, _) = line.split_once(": event")?;
    timefmt::parse_utc(stamp.trim_end_matches("+0000"))
}

/// Defines (beyond guest 1) and starts guest `n`, lets it run a moment, kills its qemu; when.
fn kill_fresh_guest(lab: &Lab, n: u16) -> Result<f64> {
    let guest = Guest::of(COMPUTE, n);
    start_guest(lab, &guest)?;
    std::thread::sleep(Duration::from_secs(1));
    let at = timefmt::now();
    Libvirt::of(lab, COMPUTE).kill_guest(&guest)?;
    Ok(at)
}

fn start_guest(lab: &Lab, guest: &Guest) -> Result<()> {
    let libvirt = Libvirt::of(lab, COMPUTE);
    if guest.name != "guest1" {
        libvirt.define(guest)?;
    }
    libvirt.start(guest).map(drop)
}

/// When the API's database first held the host's notification about the guest (Unix seconds).
fn stored_at(lab: &Lab, watch: &StoreWatch, host: &str, guest: &Guest) -> Option<f64> {
    let uuid = poll_until("the notification", TRIAL_TIMEOUT, || {
        Ok(notifications_for(lab.layout(), host)
            .unwrap_or_default()
            .into_iter()
            .find(|n| n.payload.get("instance_uuid") == Some(&guest.uuid.as_str().into()))
            .map(|n| n.notification_uuid))
    })
    .ok()?;
    watch.stored_at(&uuid)
}

fn keep_logs(lab: &Lab, dir: &Path) -> Result<()> {
    let mut cp = masakari_lab::cmd::command("cp", ["-a"]);
    cp.arg(lab.layout().dir()).arg(dir);
    masakari_lab::cmd::run(&mut cp)
}
