//! `ocf:masakari:instancemonitor` as the README deploys it: an anonymous clone kept on the
//! pacemaker-remote computes by a `#kind ne remote` location rule, in a real cluster (one
//! controller, two computes). pcs sees the agent, validates the resource, Pacemaker runs exactly
//! one daemon on each compute and none on the controller, each answers `status`, and a daemon
//! killed on a compute is restarted there by Pacemaker's monitor. No libvirtd: the daemon runs
//! without it (the monitor's level 10, which judges the libvirt link, is not configured here; the
//! libvirt side is `instancemonitor`'s own lab tests). Needs root and `make deps`, and the
//! workspace's binaries built (`cargo build --workspace --bins`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::time::Duration;

use masakari_lab::stage::Stage;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabSpec};

const SETTLE: Duration = Duration::from_secs(120);
const COMPUTES: [&str; 2] = ["compute1", "compute2"];
const CLONE: &str = "instancemonitor-clone";
/// Per node: a compute's /var/lib/pacemaker and /var/log/pacemaker are its own in the lab (the
/// defaults /var/lib/masakari-pcmk and /var/log/masakari-pcmk would be one directory for both).
const STATE_DIR: &str = "state_dir=/var/lib/pacemaker/masakari-instancemonitor";
const LOG_FILE: &str = "log_file=/var/log/pacemaker/masakari-instancemonitor.log";

struct Cluster {
    lab: Lab,
    config: String,
    _stage: Stage,
}

impl Cluster {
    fn up(name: &str) -> Self {
        let (lab, stage) = support::staged_lab(LabSpec::new(name));
        // A libvirt socket where nothing listens.
        let text = format!(
            "[masakari]\nendpoint = \"{}\"\n[metrics]\nlisten = \"\"\n[libvirt]\n\
             uri = \"qemu+unix:///system?socket={}\"\n",
            lab.layout().api_url(),
            lab.layout().dir().join("no-libvirt.sock").display()
        );
        let config = support::shared_file(&lab, "instancemonitor.toml", &text);
        Self {
            lab,
            config,
            _stage: stage,
        }
    }

    /// The daemon's status on `node`, if one answers there.
    fn status(&self, node: &str) -> Option<serde_json::Value> {
        let machine = self.lab.layout().machine(node).ok()?;
        let args = ["status", "--json", "--config", &self.config];
        let out = self
            .lab
            .on_node(machine, "masakari-instancemonitor", &args)
            .ok()?;
        serde_json::from_str(&out).ok()
    }

    /// The nodes where a daemon answers.
    fn answering(&self) -> Vec<&'static str> {
        ["ctl1", "compute1", "compute2"]
            .into_iter()
            .filter(|n| self.status(n).is_some())
            .collect()
    }

    /// The PID of the daemon on `node`, from the agent's PID file there.
    fn pid(&self, node: &str) -> Option<String> {
        let machine = self.lab.layout().machine(node).ok()?;
        let out = self
            .lab
            .on_node(
                machine,
                "sh",
                &[
                    "-c",
                    "cat /run/resource-agents/masakari-instancemonitor-*.pid",
                ],
            )
            .ok()?;
        out.lines().next().map(str::to_owned)
    }

    /// Waits until Pacemaker runs the clone on both computes and each daemon answers.
    fn wait_running(&self) {
        poll_until("the instance monitor on both computes", SETTLE, || {
            let on = support::located(&self.lab, CLONE);
            let answering = COMPUTES.iter().all(|n| self.status(n).is_some());
            Ok((on == COMPUTES && answering).then_some(()))
        })
        .unwrap_or_else(|e| panic!("{e}\n{}", self.logs()));
    }

    fn logs(&self) -> String {
        support::logs(&self.lab, &COMPUTES, "masakari-instancemonitor.log")
    }
}

#[test]
fn the_clone_runs_one_monitor_per_compute_and_recovers_a_killed_one() {
    let c = Cluster::up("tocfim");
    let lab = &c.lab;

    let described = support::pcs(
        lab,
        &["resource", "describe", "ocf:masakari:instancemonitor"],
    );
    assert!(
        described.contains("ocf:masakari:instancemonitor - Masakari instance monitor"),
        "{described}"
    );
    assert!(described.contains("libvirt_uri"), "{described}");

    let config = format!("config={}", c.config);
    support::pcs(
        lab,
        &[
            "resource",
            "create",
            "instancemonitor",
            "ocf:masakari:instancemonitor",
            &config,
            STATE_DIR,
            LOG_FILE,
            "op",
            "monitor",
            "interval=5s",
            "clone",
            "--disabled",
        ],
    );
    // Computes only: the controllers run no guests.
    support::pcs(
        lab,
        &[
            "constraint",
            "location",
            CLONE,
            "rule",
            "score=-INFINITY",
            "#kind",
            "ne",
            "remote",
        ],
    );
    support::pcs(lab, &["resource", "enable", CLONE]);
    let validated = lab
        .on_controller("crm_resource", &["--validate", "-r", "instancemonitor"])
        .unwrap();
    assert!(validated.contains("returned 0"), "{validated}");
    // crm_resource and the agent's validate-all (the daemon's check-config) agree on a bad value.
    let refused = lab.on_controller(
        "crm_resource",
        &[
            "--validate",
            "--class",
            "ocf",
            "--provider",
            "masakari",
            "--agent",
            "instancemonitor",
            "--option",
            &config,
            "--option",
            "libvirt_uri=http://libvirt.example",
        ],
    );
    let refused = refused
        .expect_err("crm_resource accepted a remote libvirt URI")
        .to_string();
    assert!(refused.contains("exit status: 6"), "{refused}");

    c.wait_running();
    assert_eq!(
        c.answering(),
        COMPUTES,
        "one monitor per compute, none on ctl1"
    );
    let status = c.status("compute1").unwrap();
    assert_eq!(status["libvirt"]["connected"], false, "{status}");

    // A daemon killed on compute1: Pacemaker's monitor sees it stopped and starts it again there.
    let before = c.pid("compute1").expect("a PID file on compute1");
    let machine = lab.layout().machine("compute1").unwrap();
    lab.on_node(machine, "kill", &["-KILL", &before]).unwrap();
    poll_until("the instance monitor restarted on compute1", SETTLE, || {
        let again = c.pid("compute1").filter(|p| *p != before);
        Ok(again.filter(|_| c.status("compute1").is_some()))
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", c.logs()));
    assert_eq!(support::located(lab, CLONE), COMPUTES);
    assert_eq!(c.answering(), COMPUTES);
}
