//! Our host monitor inside a lab controller, set up the way an operator would: a configuration file
//! pointing at the lab's Masakari API, Pacemaker alerts routed to it with `pcs alert`, and either
//! `masakari-hostmonitor run` started on the node or the `ocf:masakari:hostmonitor` resource created
//! with `pcs`. Needs a lab built with a [`crate::stage::Stage`].

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{LabError, Result};
use crate::lab::Lab;
use crate::layout::{Host, Machine};
use crate::wait::poll_until;

/// The monitor's command name as /proc shows it (15 characters).
const COMM: &str = "masakari-hostmo";
/// The Pacemaker resource of a managed monitor.
const RESOURCE: &str = "hostmonitor";
/// Our alert agent, where the staged install puts it.
const ALERT_AGENT: &str = "/usr/libexec/masakari-pcmk/masakari-hostmonitor-alert";
/// The monitor's alert socket (its default), the alert recipient's value.
const ALERT_SOCKET: &str = "/run/masakari-pcmk/alerts.sock";
/// The monitor's metrics endpoint (its default), inside the node.
const METRICS_URL: &str = "http://127.0.0.1:9808/metrics";

/// How the monitor is set up.
#[derive(Debug, Clone)]
pub struct MonitorSetup {
    /// The controller it runs on.
    pub node: Machine,
    /// Route Pacemaker's alerts to it (without, only its reconciles see failures).
    pub alerts: bool,
    /// Extra lines for the `[monitor]` section of its configuration.
    pub monitor_options: String,
    /// Let Pacemaker run it, as the `ocf:masakari:hostmonitor` resource `hostmonitor` (placed on
    /// `node`), instead of starting it on the node directly.
    pub managed: bool,
    /// A `masakarimonitors.conf` to run with instead of the lab's TOML (e.g.
    /// [`crate::keystone::monitors_conf`]); the lab gives it its state file and reconcile interval
    /// with `--set` (or the resource's attributes), so the file stays as an operator writes it.
    pub config: Option<String>,
    /// Extra sections for the lab's TOML configuration (e.g. `[host_names]`).
    pub extra_sections: String,
    /// Extra `--set SECTION.KEY=VALUE` options for a monitor started directly (not `managed`),
    /// laid over either configuration (e.g. `masakari.ca_file` for the lab's own CA).
    pub overrides: Vec<String>,
}

impl Default for MonitorSetup {
    fn default() -> Self {
        Self {
            node: Machine::Controller(1),
            alerts: true,
            monitor_options: String::new(),
            managed: false,
            config: None,
            extra_sections: String::new(),
            overrides: Vec::new(),
        }
    }
}

/// A monitor running in a lab.
#[derive(Debug)]
pub struct Monitor {
    node: Machine,
    config: PathBuf,
    log: PathBuf,
    overrides: Vec<String>,
}

impl Monitor {
    /// Writes the configuration, routes the alerts and starts the monitor; returns once it answers
    /// `status` with a good read of the CIB.
    pub fn start(lab: &Lab, setup: &MonitorSetup) -> Result<Self> {
        let monitor = Self::configure(lab, setup)?;
        if setup.managed {
            monitor.create_resource(lab)?;
        } else {
            monitor.run(lab)?;
        }
        Ok(monitor)
    }

    /// Writes the configuration and routes the alerts, but starts nothing (see [`Monitor::run`]):
    /// for a second monitor, on another controller, beside one already running.
    pub fn configure(lab: &Lab, setup: &MonitorSetup) -> Result<Self> {
        let dir = lab.layout().host_dir(Host::Node(setup.node));
        let state_file = dir.join("state/hostmonitor.json");
        let (config, overrides) = match &setup.config {
            Some(text) => {
                let config = dir.join("masakarimonitors.conf");
                crate::files::write(&config, text.as_bytes(), crate::files::Owner::Root, 0o600)?;
                let overrides = vec![
                    format!("paths.state_file={}", state_file.display()),
                    "monitor.reconcile_interval=2".to_owned(),
                ];
                (config, overrides)
            }
            None => {
                let config = dir.join("hostmonitor.toml");
                let mut text = format!(
                    "[masakari]\nendpoint = \"{}\"\n[monitor]\nreconcile_interval = 2\n{}\n[paths]\nstate_file = \"{}\"\n",
                    lab.layout().api_url(),
                    setup.monitor_options,
                    state_file.display()
                );
                if lab.layout().spec().services {
                    text.push_str(&crate::services::monitor_toml());
                }
                text.push_str(&setup.extra_sections);
                std::fs::write(&config, text).map_err(crate::error::file_error(&config))?;
                (config, Vec::new())
            }
        };
        if setup.alerts {
            route_alerts(lab, setup.node)?;
        }
        Ok(Self {
            node: setup.node,
            config,
            log: dir.join("hostmonitor.log"),
            overrides: [overrides, setup.overrides.clone()].concat(),
        })
    }

    /// Creates the `ocf:masakari:hostmonitor` resource, on controllers only and preferring this
    /// monitor's node, and waits until the daemon Pacemaker started answers with a good CIB read.
    fn create_resource(&self, lab: &Lab) -> Result<()> {
        let pcs = |args: &[&str]| lab.on_node(self.node, "pcs", args).map(drop);
        let config = format!("config={}", self.config.display());
        let log = format!("log_file={}", self.log.display());
        let mut create = vec![
            "resource",
            "create",
            RESOURCE,
            "ocf:masakari:hostmonitor",
            &config,
            &log,
        ];
        let state_dir = self.config.with_file_name("state");
        let state_dir = format!("state_dir={}", state_dir.display());
        if !self.overrides.is_empty() {
            create.extend([state_dir.as_str(), "reconcile_interval=2"]);
        }
        create.extend(["op", "monitor", "interval=10s", "--disabled"]);
        pcs(&create)?;
        pcs(&[
            "constraint",
            "location",
            RESOURCE,
            "rule",
            "score=-INFINITY",
            "#kind",
            "ne",
            "cluster",
        ])?;
        pcs(&[
            "constraint",
            "location",
            RESOURCE,
            "prefers",
            &self.node.name(),
        ])?;
        pcs(&["resource", "enable", RESOURCE])?;
        self.wait_answering(lab)
    }

    /// Starts the monitor again (after [`Monitor::kill`]).
    pub fn run(&self, lab: &Lab) -> Result<()> {
        let config = self.config.display().to_string();
        let mut argv = vec!["masakari-hostmonitor", "run", "--config", &config];
        argv.extend(self.overrides.iter().flat_map(|o| ["--set", o.as_str()]));
        lab.spawn_on_node(self.node, &argv, "hostmonitor.log")?;
        self.wait_answering(lab)
    }

    /// Runs the monitor in the foreground (for 30 s at most), as when it is started while another
    /// one is active, and returns what it said when it refused to run; an error if it did not refuse.
    pub fn run_refused(&self, lab: &Lab) -> Result<String> {
        let config = self.config.display().to_string();
        let mut argv = vec!["30", "masakari-hostmonitor", "run", "--config", &config];
        argv.extend(self.overrides.iter().flat_map(|o| ["--set", o.as_str()]));
        match lab.on_node(self.node, "timeout", &argv) {
            Ok(out) => Err(LabError::Usage(format!(
                "the monitor on {} ran instead of refusing: {out}",
                self.node.name()
            ))),
            Err(refused) => Ok(refused.to_string()),
        }
    }

    fn wait_answering(&self, lab: &Lab) -> Result<()> {
        self.wait(
            lab,
            "the monitor to answer with a good CIB read",
            Duration::from_secs(60),
            |s| s["cib_ok"] == true,
        )
        .map(drop)
    }

    /// Kills the monitor (SIGKILL, by PID): no chance to tidy up.
    pub fn kill(&self, lab: &Lab) -> Result<()> {
        match lab.kill_on_node(self.node, COMM) {
            0 => Err(LabError::Usage("no host monitor runs".into())),
            _ => Ok(()),
        }
    }

    /// The monitor's status (JSON), `None` when it does not answer.
    pub fn status(&self, lab: &Lab) -> Option<serde_json::Value> {
        let out = self.cli(lab, &["status", "--json"]).ok()?;
        serde_json::from_str(&out).ok()
    }

    /// `masakari-hostmonitor release` (as root): lets out what the mass-failure guard holds.
    pub fn release(&self, lab: &Lab) -> Result<String> {
        self.cli(lab, &["release"])
    }

    /// `masakari-hostmonitor dismiss HOST --episode EPISODE` (as root): drops the host's pending
    /// notifications; the daemon's JSON answer.
    pub fn dismiss(&self, lab: &Lab, host: &str, episode: u64) -> Result<serde_json::Value> {
        let episode = episode.to_string();
        let out = self.cli(lab, &["dismiss", host, "--episode", &episode])?;
        serde_json::from_str(&out)
            .map_err(|e| LabError::Usage(format!("dismiss answered {out:?}: {e}")))
    }

    /// `masakari-hostmonitor SUBCOMMAND ARGS --config CONFIG` on the monitor's node.
    fn cli(&self, lab: &Lab, args: &[&str]) -> Result<String> {
        let config = self.config.display().to_string();
        let mut argv = args.to_vec();
        argv.extend(["--config", &config]);
        lab.on_node(self.node, "masakari-hostmonitor", &argv)
    }

    /// What the monitor's metrics endpoint serves.
    pub fn metrics(&self, lab: &Lab) -> Result<String> {
        lab.on_node(self.node, "curl", &["-sS", "--max-time", "5", METRICS_URL])
    }

    /// Runs the alert agent on the monitor's node as Pacemaker would, with the `CRM_alert_*`
    /// variables in `vars`, but as the user `uid` and group `gid` (`setpriv`, no other groups).
    pub fn send_alert_as(
        &self,
        lab: &Lab,
        uid: &str,
        gid: &str,
        vars: &[(&str, &str)],
    ) -> Result<()> {
        let mut argv = vec![
            format!("--reuid={uid}"),
            format!("--regid={gid}"),
            "--clear-groups".to_owned(),
            "env".to_owned(),
            format!("CRM_alert_recipient={ALERT_SOCKET}"),
        ];
        argv.extend(vars.iter().map(|(k, v)| format!("{k}={v}")));
        argv.push(ALERT_AGENT.to_owned());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        lab.on_node(self.node, "setpriv", &argv).map(drop)
    }

    /// Waits until the monitor's status passes `test`.
    pub fn wait(
        &self,
        lab: &Lab,
        what: &str,
        timeout: Duration,
        test: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<serde_json::Value> {
        poll_until(what, timeout, || Ok(self.status(lab).filter(|s| test(s))))
    }

    /// The monitor's local state file (the cluster keeps a copy too).
    pub fn state_file(&self, lab: &Lab) -> PathBuf {
        lab.layout()
            .host_dir(Host::Node(self.node))
            .join("state/hostmonitor.json")
    }

    /// The monitor's configuration file.
    pub fn config_file(&self) -> &std::path::Path {
        &self.config
    }

    /// What the monitor logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// `pcs alert create` (run on `node`) for our alert agent, with the monitor's socket as recipient.
pub fn route_alerts(lab: &Lab, node: Machine) -> Result<()> {
    lab.on_node(
        node,
        "pcs",
        &[
            "alert",
            "create",
            "id=masakari",
            &format!("path={ALERT_AGENT}"),
        ],
    )?;
    lab.on_node(
        node,
        "pcs",
        &[
            "alert",
            "recipient",
            "add",
            "masakari",
            "id=masakari-socket",
            &format!("value={ALERT_SOCKET}"),
        ],
    )
    .map(drop)
}
