//! The simulated scale run: our daemon inside a lab's controller, watching hundreds of pacemaker-remote
//! nodes that exist only in a generated `crm_mon` stream and generated Pacemaker alerts (sent
//! through our real alert agent), delivering to the lab's real Masakari API with every one
//! registered. A rack (50 of 1,000, 30 of 300) fails at once; fencing completes in batches of 10,
//! 0.5 s apart. The controllers' scheduler runs are counted over the idle window and over the
//! failure: the simulated nodes are not in the CIB, so any the failure causes are the monitor's
//! writes (its record in attrd, which should cause none).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

use masakari_lab::cmd::{command, run as run_cmd};
use masakari_lab::layout::Host;
use masakari_lab::masakari;
use masakari_lab::stage::Stage;
use masakari_lab::tools::Tools;
use masakari_lab::{Lab, LabError, LabSpec, Result};

use crate::monitors::{CTL1, Monitor, file_error, keep_logs};
use masakari_lab::bench::procstat::{self, CpuMark, Memory};
use masakari_lab::bench::stored::StoreWatch;
use masakari_lab::bench::timefmt::{format_utc, now};

/// The lab's name.
pub const LAB: &str = "bscale";
/// Fence completions per batch, and the time between batches.
const BATCH: usize = 10;
const BATCH_GAP: Duration = Duration::from_millis(500);
/// Simulated time from the loss to the first fence completion.
const FENCE_DELAY: Duration = Duration::from_secs(3);
const ALERT_AGENT: &str = "/usr/libexec/masakari-pcmk/masakari-hostmonitor-alert";

/// One scale run's size.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Monitored remote nodes.
    pub hosts: usize,
    /// Nodes failing at once.
    pub failing: usize,
}

impl Size {
    /// `HOSTS/FAILING`, failing at most hosts.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let (hosts, failing) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not HOSTS/FAILING"))?;
        let number = |n: &str| n.trim().parse::<usize>().map_err(|e| format!("{n:?}: {e}"));
        let size = Self {
            hosts: number(hosts)?,
            failing: number(failing)?,
        };
        if size.failing > size.hosts || size.hosts == 0 {
            return Err(format!(
                "{text:?}: 1 or more hosts, no more failing than hosts"
            ));
        }
        Ok(size)
    }
}

/// What the run measured.
#[derive(Debug, Clone)]
pub struct ScaleResult {
    /// Monitored remote nodes.
    pub hosts: usize,
    /// Nodes failing at once.
    pub failing: usize,
    /// When the last (simulated) fencing completed.
    pub last_fence: f64,
    /// When each failing host's notification appeared in the API's database, minus its own fence
    /// completion.
    pub per_host: Vec<f64>,
    /// When the last of the failing hosts' notifications appeared in the API's database.
    pub last_stored: Option<f64>,
    /// How many failing hosts got a STOPPED notification.
    pub delivered: usize,
    /// CPU % of one core while nothing failed, over `idle_seconds`.
    pub idle_cpu_percent: f64,
    /// Seconds of the idle window.
    pub idle_seconds: f64,
    /// CPU seconds from the failure to the last notification, and the wall seconds.
    pub busy_cpu: (f64, f64),
    /// The daemon's memory at the end.
    pub memory: Vec<Memory>,
    /// Scheduler runs over the idle window, and from the failure to the last notification.
    pub scheduler_runs: (usize, usize),
}

#[derive(Debug, Clone, Copy)]
enum State {
    Online,
    Lost,
    Fenced(f64),
}

/// Brings up a lab, runs the failure, tears the lab down.
pub fn run(size: Size, idle: Duration, logs: Option<&Path>) -> Result<ScaleResult> {
    let Size { hosts, failing } = size;
    let stage = Stage::install(LAB)?;
    eprintln!("bench: bringing up lab {LAB} for the scale run");
    let lab = Lab::up(LabSpec {
        computes: 1,
        stage: Some(stage.root().to_owned()),
        ..LabSpec::new(LAB)
    })?;
    let names: Vec<String> = (1..=hosts).map(|i| format!("rnode{i:04}")).collect();
    register(&lab, &names)?;
    let dir = lab.layout().dir();
    let fakebin = dir.join("fakebin");
    std::fs::create_dir_all(&fakebin).map_err(file_error(&fakebin))?;
    let xml_file = dir.join("fake-crm_mon.xml");
    let script = fakebin.join("crm_mon");
    let text = format!("#!/bin/sh\nexec cat '{}'\n", xml_file.display());
    std::fs::write(&script, text).map_err(file_error(&script))?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .map_err(file_error(&script))?;
    let mut states: BTreeMap<&str, State> =
        names.iter().map(|n| (n.as_str(), State::Online)).collect();
    write_xml(&xml_file, &states)?;
    let running = Monitor::Ours.start(&lab, Some(&fakebin))?;
    let pids = running.pids();
    // Let a few reconciles of the whole view pass before measuring.
    std::thread::sleep(Duration::from_secs(12));
    eprintln!("bench:   idle for {} s with {hosts} nodes", idle.as_secs());
    let runs_idle = crate::scheduler::runs(&lab)?;
    let mark = CpuMark::take(&pids);
    std::thread::sleep(idle);
    let (idle_cpu, idle_wall) = mark.since(&pids);
    let runs_failure = crate::scheduler::runs(&lab)?;
    // A rack fails: the middle of the node list.
    let start = hosts.saturating_sub(failing) / 2;
    let victims: Vec<&str> = names
        .iter()
        .skip(start)
        .take(failing)
        .map(String::as_str)
        .collect();
    let before = lab.notifications()?.len();
    let watch = StoreWatch::start(&lab)?;
    let busy = CpuMark::take(&pids);
    let lost_at = now();
    for v in &victims {
        states.insert(v, State::Lost);
    }
    write_xml(&xml_file, &states)?;
    fire(&lab, &victims, "node", lost_at)?;
    std::thread::sleep(FENCE_DELAY);
    let mut fence_of: BTreeMap<&str, f64> = BTreeMap::new();
    let mut last_fence = lost_at;
    for chunk in victims.chunks(BATCH) {
        last_fence = now();
        for v in chunk {
            states.insert(v, State::Fenced(last_fence));
            fence_of.insert(v, last_fence);
        }
        write_xml(&xml_file, &states)?;
        fire(&lab, chunk, "fencing", last_fence)?;
        std::thread::sleep(BATCH_GAP);
    }
    let uuids = masakari::host_uuids(lab.layout())?;
    let by_uuid: BTreeMap<&str, &str> = victims
        .iter()
        .filter_map(|v| Some((uuids.get(*v)?.as_str(), *v)))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(300);
    let stored = loop {
        let list = lab.notifications()?;
        let stored: BTreeMap<&str, f64> = list
            .iter()
            .skip(before)
            .filter(|n| n.payload.get("event").is_some_and(|e| e == "STOPPED"))
            .filter_map(|n| {
                let host = by_uuid.get(n.source_host_uuid.as_str())?;
                Some((*host, watch.stored_at(&n.notification_uuid)?))
            })
            .collect();
        if stored.len() >= victims.len() || Instant::now() > deadline {
            break stored;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let busy_cpu = busy.since(&pids);
    let runs_end = crate::scheduler::runs(&lab)?;
    let memory = procstat::memory(&running.procs);
    running.stop(&lab);
    keep_logs(&lab, logs);
    lab.down()?;
    Ok(ScaleResult {
        hosts,
        failing: victims.len(),
        last_fence,
        per_host: stored
            .iter()
            .filter_map(|(h, at)| Some(at - fence_of.get(h)?))
            .collect(),
        last_stored: stored.values().copied().reduce(f64::max),
        delivered: stored.len(),
        idle_cpu_percent: 100.0 * idle_cpu / idle_wall,
        idle_seconds: idle_wall,
        busy_cpu,
        memory,
        scheduler_runs: (
            runs_failure.saturating_sub(runs_idle),
            runs_end.saturating_sub(runs_failure),
        ),
    })
}

/// Registers the simulated nodes as hosts of the lab's failover segment.
fn register(lab: &Lab, names: &[String]) -> Result<()> {
    let segments = masakari::request(lab.layout(), "GET", "/segments", None)?;
    let uuid = segments
        .get("segments")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
        .find(|s| s.get("name").is_some_and(|n| n == masakari::SEGMENT))
        .and_then(|s| s.get("uuid")?.as_str())
        .ok_or_else(|| LabError::Usage(format!("no segment {} in {segments}", masakari::SEGMENT)))?
        .to_owned();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("setup/register-hosts.py");
    let python = Tools::installed()?.venv_bin("python3");
    let mut cmd = command(&python.to_string_lossy(), [&script]);
    cmd.arg(lab.layout().host_dir(Host::Api).join("masakari.db"))
        .arg(uuid)
        .args(names);
    run_cmd(&mut cmd)
}

/// Runs our alert agent inside ctl1 once per node, all at once, as Pacemaker would.
fn fire(lab: &Lab, nodes: &[&str], kind: &str, at: f64) -> Result<()> {
    let secs = at.floor();
    // Pacemaker zero-pads the microseconds.
    let usec = format!("{:06}", ((at - secs) * 1e6) as u64);
    let mut s = format!(
        "export CRM_alert_recipient=/run/masakari-pcmk/alerts.sock CRM_alert_version=2.1.5 \
         CRM_alert_kind={kind} CRM_alert_timestamp_epoch={secs} CRM_alert_timestamp_usec={usec}\n"
    );
    for n in nodes {
        // What Pacemaker 2.1.5 sets: a fencing alert's task is st_notify_fence, the action is only
        // in the description.
        let vars = match kind {
            "node" => "CRM_alert_desc=lost CRM_alert_nodeid=0".to_owned(),
            _ => format!(
                "CRM_alert_task=st_notify_fence CRM_alert_rc=0 CRM_alert_desc='Operation off of {n} by ctl1 \
                 for pacemaker-controld.1@ctl1: OK (ref=bench)'"
            ),
        };
        let _ = writeln!(s, "CRM_alert_node={n} {vars} {ALERT_AGENT} &");
    }
    s.push_str("wait\n");
    lab.on_node(CTL1, "sh", &["-c", &s]).map(drop)
}

/// Writes crm_mon's XML for the states (atomically: the daemon may read it at any moment).
fn write_xml(path: &Path, states: &BTreeMap<&str, State>) -> Result<()> {
    let mut x = String::from(
        "<pacemaker-result api-version=\"2.25\" request=\"crm_mon -1 --output-as=xml --fence-history=2\">\n\
         <summary><stack type=\"corosync\"/><current_dc present=\"true\" version=\"2.1.5\" name=\"ctl1\" id=\"1\" with_quorum=\"true\"/></summary>\n<nodes>\n\
         <node name=\"ctl1\" id=\"1\" online=\"true\" standby=\"false\" standby_onfail=\"false\" maintenance=\"false\" pending=\"false\" unclean=\"false\" shutdown=\"false\" expected_up=\"true\" is_dc=\"true\" resources_running=\"0\" type=\"member\"/>\n",
    );
    for (name, state) in states {
        let online = matches!(state, State::Online);
        let unclean = matches!(state, State::Lost);
        let _ = writeln!(
            x,
            "<node name=\"{name}\" id=\"{name}\" online=\"{online}\" standby=\"false\" standby_onfail=\"false\" maintenance=\"false\" pending=\"false\" unclean=\"{unclean}\" shutdown=\"false\" expected_up=\"false\" is_dc=\"false\" resources_running=\"0\" type=\"remote\"/>"
        );
    }
    x.push_str("</nodes>\n<resources>\n");
    for (name, state) in states {
        let role = if matches!(state, State::Online) {
            "Started"
        } else {
            "Stopped"
        };
        let _ = writeln!(
            x,
            "<resource id=\"{name}\" resource_agent=\"ocf:pacemaker:remote\" role=\"{role}\" active=\"{}\" orphaned=\"false\" blocked=\"false\" managed=\"true\" failed=\"false\" failure_ignored=\"false\" nodes_running_on=\"1\"><node name=\"ctl1\" id=\"1\" cached=\"true\"/></resource>",
            role == "Started"
        );
    }
    x.push_str("</resources>\n<fence_history>\n");
    for (name, state) in states {
        match state {
            State::Lost => {
                let _ = writeln!(
                    x,
                    "<fence_event action=\"off\" target=\"{name}\" client=\"pacemaker-controld.1\" origin=\"ctl1\" status=\"pending\"/>"
                );
            }
            State::Fenced(at) => {
                let _ = writeln!(
                    x,
                    "<fence_event action=\"off\" target=\"{name}\" client=\"pacemaker-controld.1\" origin=\"ctl1\" status=\"success\" delegate=\"ctl1\" completed=\"{}\"/>",
                    format_utc(*at)
                );
            }
            State::Online => {}
        }
    }
    x.push_str("</fence_history>\n<status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n");
    let tmp = path.with_extension("xml.tmp");
    std::fs::write(&tmp, x).map_err(file_error(&tmp))?;
    std::fs::rename(&tmp, path).map_err(file_error(path))
}
