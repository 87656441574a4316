//! The two host monitors under test, each started inside controller ctl1 of a lab: ours
//! (`masakari-hostmonitor run`) and masakari-monitors' hostmonitor from the lab's venv.

use std::path::{Path, PathBuf};
use std::time::Duration;

use masakari_lab::files::{self, Owner};
use masakari_lab::layout::Host;
use masakari_lab::tools::Tools;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabError, Machine, RemoteMonitor, Result};
use masakari_lab::{keystone, procs};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use masakari_lab::bench::procstat;

/// The controller both monitors run on.
pub const CTL1: Machine = Machine::Controller(1);
/// Our daemon's configuration file, in ctl1's directory.
const OURS_CONFIG: &str = "bench-hostmonitor.toml";
/// How long a monitor may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// Which monitor, configured how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Monitor {
    /// Ours, with its defaults (alerts, reconcile every 5 s).
    Ours,
    /// Ours as another build made it (`--baseline DIR`, e.g. main's), with the same defaults.
    Baseline,
    /// masakari-monitors' hostmonitor polling every this many seconds.
    Incumbent(u32),
}

/// A monitor that runs: its processes by PID.
#[derive(Debug)]
pub struct Running {
    /// The monitor.
    pub monitor: Monitor,
    /// Its long-lived processes and what each is.
    pub procs: Vec<(i32, &'static str)>,
    /// Its log file, as the host sees it.
    pub log: PathBuf,
}

impl Monitor {
    /// A short label for tables.
    pub fn label(self) -> String {
        match self {
            Monitor::Ours => "masakari-pcmk (ours)".to_owned(),
            Monitor::Baseline => "masakari-pcmk, baseline build".to_owned(),
            Monitor::Incumbent(i) => format!("masakari-monitors, interval {i} s"),
        }
    }

    /// Whether it is our daemon (of whichever build).
    pub fn is_ours(self) -> bool {
        matches!(self, Monitor::Ours | Monitor::Baseline)
    }

    /// Writes its configuration into ctl1's directory, starts it there (ours from `extra_path`
    /// first, when given) and waits until it watches.
    pub fn start(self, lab: &Lab, extra_path: Option<&Path>) -> Result<Running> {
        let dir = lab.layout().host_dir(Host::Node(CTL1));
        match self {
            Monitor::Ours | Monitor::Baseline => start_ours(self, lab, &dir, extra_path),
            Monitor::Incumbent(interval) => start_incumbent(lab, &dir, interval),
        }
    }
}

/// Our daemon's configuration file in ctl1's directory: product defaults, the lab's API (through
/// its Keystone in a `--keystone` lab).
pub fn ours_config(lab: &Lab, dir: &Path) -> Result<PathBuf> {
    let config = dir.join(OURS_CONFIG);
    let masakari = if lab.layout().spec().keystone {
        keystone::ours_masakari_toml(lab.layout())?
    } else {
        format!("[masakari]\nendpoint = \"{}\"\n", lab.layout().api_url())
    };
    let mut text = format!(
        "{masakari}[monitor]\nlocal_node = \"ctl1\"\n[paths]\nstate_file = \"{}\"\n",
        dir.join("bench-state/hostmonitor.json").display()
    );
    if lab.layout().spec().services {
        text.push_str(&masakari_lab::services::monitor_toml());
    }
    let _ = std::fs::remove_dir_all(dir.join("bench-state"));
    files::write(&config, text.as_bytes(), Owner::Root, 0o600)?;
    Ok(config)
}

fn start_ours(
    monitor: Monitor,
    lab: &Lab,
    dir: &Path,
    extra_path: Option<&Path>,
) -> Result<Running> {
    let config = ours_config(lab, dir)?;
    let config_s = config.display().to_string();
    let path = extra_path.map(|p| format!("PATH={}:/usr/sbin:/usr/bin:/sbin:/bin", p.display()));
    let mut argv: Vec<&str> = vec!["env"];
    if let Some(p) = &path {
        argv.push(p);
    }
    argv.extend(["masakari-hostmonitor", "run", "--config", &config_s]);
    let log = "bench-ours.log";
    lab.spawn_on_node(CTL1, &argv, log)?;
    poll_until("our monitor to read the cluster", START_TIMEOUT, || {
        Ok(our_status(lab, &config_s).filter(|s| s["cib_ok"] == true))
    })?;
    let procs = find(lab, &["masakari-hostmonitor run", &config_s], "daemon")?;
    Ok(Running {
        monitor,
        procs,
        log: dir.join(log),
    })
}

/// Our daemon's `status --json`, if it answers.
fn our_status(lab: &Lab, config: &str) -> Option<serde_json::Value> {
    let out = lab
        .on_node(
            CTL1,
            "masakari-hostmonitor",
            &["status", "--json", "--config", config],
        )
        .ok()?;
    serde_json::from_str(&out).ok()
}

fn start_incumbent(lab: &Lab, dir: &Path, interval: u32) -> Result<Running> {
    let tools = Tools::installed()?;
    let conf = dir.join(format!("bench-masakarimonitors-{interval}.conf"));
    let log = dir.join(format!("bench-incumbent-{interval}.log"));
    let _ = std::fs::remove_file(&log);
    // A single-controller knet cluster sends no corosync traffic, so its heartbeat-line check
    // (tcpdump -c 1) listens to the controller's pacemaker-remote connections instead.
    let api = if lab.layout().spec().keystone {
        keystone::incumbent_api_section(lab.layout())?
    } else {
        format!(
            "[api]\nauth_type = admin_token\nendpoint = {}\ntoken = admin:admin\n",
            lab.layout().api_url()
        )
    };
    // Those connections carry a packet per compute per monitor: with Pacemaker's 60 s monitor,
    // tcpdump's 5 s default window mostly sees none, and the check calls the line abnormal.
    let tcpdump_timeout = match lab.layout().spec().remote_monitor {
        RemoteMonitor::Shipped => 5,
        RemoteMonitor::PacemakerDefaults => 65,
    };
    let text = format!(
        "[DEFAULT]\nlog_file = {log}\n{api}\
         [host]\nmonitoring_driver = default\nmonitoring_interval = {interval}\n\
         disable_ipmi_check = True\nrestrict_to_remotes = True\npacemaker_node_type = cluster\n\
         corosync_multicast_interfaces = eth0\ncorosync_multicast_ports = 3121\n\
         tcpdump_timeout = {tcpdump_timeout}\n\
         [masakarimonitors_privileged]\nhelper_command = {helper} --config-file {conf}\n",
        log = log.display(),
        helper = tools.venv_bin("privsep-helper").display(),
        conf = conf.display(),
    );
    files::write(&conf, text.as_bytes(), Owner::Root, 0o600)?;
    let program = tools.venv_bin("masakari-hostmonitor").display().to_string();
    let conf_s = conf.display().to_string();
    lab.spawn_on_node(
        CTL1,
        &[&program, "--config-file", &conf_s],
        &format!("bench-incumbent-{interval}.out"),
    )?;
    let computes = lab.layout().computes().len();
    poll_until(
        "masakari-monitors' hostmonitor to see every compute",
        START_TIMEOUT,
        || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            Ok((text.matches("as a new member of cluster").count() >= computes).then_some(()))
        },
    )?;
    // Without a working heartbeat-line check (tcpdump) it skips its polls and reports late.
    poll_until(
        "masakari-monitors' hostmonitor to see its heartbeat line normal",
        START_TIMEOUT,
        || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            Ok(text
                .contains("Corosync communication using 'eth0' is normal.")
                .then_some(()))
        },
    )?;
    let mut procs = find(lab, &["bin/masakari-hostmonitor", &conf_s], "daemon")?;
    procs.extend(find(lab, &["privsep-helper", &conf_s], "privsep helper")?);
    Ok(Running {
        monitor: Monitor::Incumbent(interval),
        procs,
        log,
    })
}

/// The processes in ctl1 whose command line holds every one of `needles`.
fn find(lab: &Lab, needles: &[&str], role: &'static str) -> Result<Vec<(i32, &'static str)>> {
    let ns = lab.layout().netns(Host::Node(CTL1));
    let found: Vec<(i32, &'static str)> = procs::in_netns(&ns)
        .into_iter()
        .filter(|p| {
            let cmd = procstat::cmdline(p.pid);
            needles.iter().all(|n| cmd.contains(n))
        })
        .map(|p| (p.pid, role))
        .collect();
    if found.is_empty() {
        return Err(LabError::Usage(format!(
            "no process in ctl1 runs {needles:?}"
        )));
    }
    Ok(found)
}

impl Running {
    /// Waits until the monitor knows `compute` as online, so a trial starts from a compute both the
    /// cluster and the monitor see up. masakari-monitors' hostmonitor knows every compute once it
    /// started (it logged each as a new member, and no compute fails twice); ours says in `status`.
    pub fn wait_knows_online(&self, lab: &Lab, compute: &str) -> Result<()> {
        if !self.monitor.is_ours() {
            return Ok(());
        }
        let dir = lab.layout().host_dir(Host::Node(CTL1));
        let config = dir.join(OURS_CONFIG).display().to_string();
        poll_until(
            &format!("our monitor to know {compute} as online"),
            START_TIMEOUT,
            || {
                let status = our_status(lab, &config);
                let hosts = status
                    .as_ref()
                    .and_then(|s| s.pointer("/engine/hosts")?.as_array());
                let online = hosts.is_some_and(|hosts| {
                    hosts.iter().any(|h| {
                        h.get("name").is_some_and(|n| n == compute)
                            && h.pointer("/state/state").is_some_and(|s| s == "online")
                    })
                });
                Ok(online.then_some(()))
            },
        )
    }

    /// The PIDs measured.
    pub fn pids(&self) -> Vec<i32> {
        self.procs.iter().map(|&(p, _)| p).collect()
    }

    /// Stops the monitor and whatever it started, by PID: TERM, then KILL after 5 s.
    pub fn stop(&self, lab: &Lab) {
        let ns = lab.layout().netns(Host::Node(CTL1));
        let mut victims = self.pids();
        // Descendants (privsep's tcpdump and crm_mon runs), a few generations deep.
        for _ in 0..4 {
            for p in procs::in_netns(&ns) {
                if !victims.contains(&p.pid)
                    && procstat::parent(p.pid).is_some_and(|pp| victims.contains(&pp))
                {
                    victims.push(p.pid);
                }
            }
        }
        for &pid in &victims {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let gone = poll_until("the monitor to exit", Duration::from_secs(5), || {
            Ok(victims
                .iter()
                .all(|&p| !Path::new(&format!("/proc/{p}")).exists() || is_zombie(p))
                .then_some(()))
        });
        if gone.is_err() {
            for &pid in &victims {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, r)| r.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

/// Copies the monitors' logs, the alert record and the API's log out of the lab into `dir/LAB`.
pub fn keep_logs(lab: &Lab, dir: Option<&Path>) {
    let Some(dir) = dir else { return };
    let out = dir.join(&lab.layout().spec().name);
    let _ = std::fs::create_dir_all(&out);
    let ctl1 = lab.layout().host_dir(Host::Node(CTL1));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&ctl1)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bench-"))
        })
        .filter(|p| p.is_file())
        .collect();
    files.push(ctl1.join("log/bench-alerts.log"));
    files.push(lab.layout().host_dir(Host::Api).join("masakari-api.log"));
    for f in files {
        if let Some(name) = f.file_name() {
            let _ = std::fs::copy(&f, out.join(name));
        }
    }
}

/// Maps an I/O error on `path` into the lab's error.
pub fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> LabError {
    let path = path.to_owned();
    move |source| LabError::File { path, source }
}
