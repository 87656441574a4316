//! The host monitor in a real cluster: Pacemaker alerts through our alert agent, fencing by
//! fence_ipmilan, notifications into the real Masakari API. Needs root and `make deps`.

#![allow(clippy::unwrap_used, clippy::panic)] // test helpers: a failure should stop the test

use std::time::Duration;

use masakari_lab::stage::Stage;
use masakari_lab::{Lab, LabSpec, Machine, RebootAction};

const SETTLE: Duration = Duration::from_secs(90);
const CTL1: Machine = Machine::Controller(1);

/// A lab whose controller ctl1 runs our monitor, with Pacemaker's alerts going to it.
struct Monitored {
    lab: Lab,
    config: String,
    _stage: Stage,
}

/// How a test sets the lab and the monitor up.
struct Setup {
    controllers: u8,
    computes: u8,
    alerts: bool,
    monitor: &'static str,
}

const DEFAULT: Setup = Setup {
    controllers: 1,
    computes: 2,
    alerts: true,
    monitor: "",
};

fn monitored(name: &str, setup: Setup) -> Monitored {
    let stage = Stage::install(name).unwrap();
    let lab = Lab::up(LabSpec {
        controllers: setup.controllers,
        computes: setup.computes,
        reboot_action: RebootAction::Off,
        stage: Some(stage.root().to_owned()),
        ..LabSpec::new(name)
    })
    .unwrap();
    let dir = lab.layout().host_dir(masakari_lab::Host::Node(CTL1));
    let config = dir.join("hostmonitor.toml");
    let text = format!(
        "[masakari]\nendpoint = \"{}\"\n[monitor]\nreconcile_interval = 2\n{}\n[paths]\nstate_file = \"{}\"\n",
        lab.layout().api_url(),
        setup.monitor,
        dir.join("state/hostmonitor.json").display()
    );
    std::fs::write(&config, text).unwrap();
    let config = config.display().to_string();
    if setup.alerts {
        let pcs = |args: &[&str]| lab.on_node(CTL1, "pcs", args).unwrap();
        pcs(&[
            "alert",
            "create",
            "id=masakari",
            "path=/usr/libexec/masakari-pcmk/masakari-hostmonitor-alert",
        ]);
        pcs(&[
            "alert",
            "recipient",
            "add",
            "masakari",
            "id=masakari-socket",
            "value=/run/masakari-pcmk/alerts.sock",
        ]);
    }
    let m = Monitored {
        lab,
        config,
        _stage: stage,
    };
    m.start();
    m
}

impl Monitored {
    fn start(&self) {
        let argv = ["masakari-hostmonitor", "run", "--config", &self.config];
        self.lab
            .spawn_on_node(CTL1, &argv, "hostmonitor.log")
            .unwrap();
        self.wait_until("the monitor answers with a good CIB read", |s| {
            s["cib_ok"] == true
        });
    }

    fn kill(&self) {
        assert_eq!(
            self.lab.kill_on_node(CTL1, "masakari-hostmo"),
            1,
            "one monitor runs"
        );
    }

    fn status(&self) -> Option<serde_json::Value> {
        let out = self
            .lab
            .on_node(
                CTL1,
                "masakari-hostmonitor",
                &["status", "--config", &self.config],
            )
            .ok()?;
        serde_json::from_str(&out).ok()
    }

    fn wait_until(
        &self,
        what: &str,
        test: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        masakari_lab::wait::poll_until(what, SETTLE, || Ok(self.status().filter(|s| test(s))))
            .unwrap_or_else(|e| panic!("{e}; log:\n{}", self.log()))
    }

    fn stored_for(&self, host: &str) -> Vec<masakari_lab::masakari::StoredNotification> {
        let uuid = |n: &masakari_lab::masakari::StoredNotification| n.source_host_uuid.clone();
        let hosts = masakari_lab::masakari::host_uuids(self.lab.layout()).unwrap();
        let wanted = hosts.get(host).cloned().unwrap_or_default();
        self.lab
            .notifications()
            .unwrap()
            .into_iter()
            .filter(|n| uuid(n) == wanted)
            .collect()
    }

    fn wait_stored(
        &self,
        host: &str,
        count: usize,
    ) -> Vec<masakari_lab::masakari::StoredNotification> {
        masakari_lab::wait::poll_until(
            &format!("{count} notification(s) for {host}"),
            SETTLE,
            || {
                let stored = self.stored_for(host);
                Ok((stored.len() >= count).then_some(stored))
            },
        )
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", self.log()))
    }

    fn log(&self) -> String {
        let dir = self.lab.layout().host_dir(masakari_lab::Host::Node(CTL1));
        std::fs::read_to_string(dir.join("hostmonitor.log")).unwrap_or_default()
    }
}

#[test]
fn a_fenced_compute_is_notified_once_as_normal() {
    let m = monitored("thm1", DEFAULT);
    m.lab.kill_remoted("compute1").unwrap();
    let stored = m.wait_stored("compute1", 1);
    assert_eq!(stored[0].kind, "COMPUTE_HOST");
    assert_eq!(stored[0].payload["event"], "STOPPED");
    assert_eq!(stored[0].payload["cluster_status"], "OFFLINE");
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
    let fenced = m.lab.fence_history().unwrap();
    assert!(
        fenced
            .iter()
            .any(|e| e.target == "compute1" && e.status == "success"),
        "{fenced:?}"
    );
    // Alerts, reconciles and retries must not add a second one.
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(m.stored_for("compute1").len(), 1, "{}", m.log());
    assert!(m.stored_for("compute2").is_empty());
    let status = m.status().unwrap();
    assert!(status["alerts_accepted"].as_u64().unwrap() > 0, "{status}");
}

#[test]
fn a_notification_waits_for_an_api_that_is_down_and_arrives_once() {
    let m = monitored("thm2", DEFAULT);
    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute2").unwrap();
    m.lab.wait_fenced("compute2", SETTLE).unwrap();
    m.wait_until("the monitor to notice the API is down", |s| {
        s["api_ok"] == false
    });
    m.lab.set_api_running(true).unwrap();
    let stored = m.wait_stored("compute2", 1);
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(m.stored_for("compute2").len(), 1, "{}", m.log());
}

#[test]
fn a_monitor_killed_mid_episode_resumes_from_the_cluster_without_loss_or_duplicate() {
    let m = monitored("thm3", DEFAULT);
    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    m.lab.wait_fenced("compute1", SETTLE).unwrap();
    m.wait_until("the notification to be pending", |s| s["api_ok"] == false);
    m.kill();
    // The local copy is gone, as on another controller: only the CIB's copy remains.
    let dir = m.lab.layout().host_dir(masakari_lab::Host::Node(CTL1));
    std::fs::remove_file(dir.join("state/hostmonitor.json")).unwrap();
    let cib = m.lab.cib_xml().unwrap();
    assert!(
        cib.contains("masakari-hostmonitor-state"),
        "the record is in the CIB"
    );
    m.lab.set_api_running(true).unwrap();
    m.start();
    let stored = m.wait_stored("compute1", 1);
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(m.stored_for("compute1").len(), 1, "{}", m.log());
}

#[test]
fn two_computes_failing_together_give_one_notification_each_even_without_alerts() {
    let m = monitored(
        "thm4",
        Setup {
            computes: 3,
            alerts: false,
            ..DEFAULT
        },
    );
    m.lab.kill_remoted("compute1").unwrap();
    m.lab.kill_remoted("compute2").unwrap();
    for host in ["compute1", "compute2"] {
        let stored = m.wait_stored(host, 1);
        assert_eq!(stored[0].payload["host_status"], "NORMAL");
    }
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(m.stored_for("compute1").len(), 1);
    assert_eq!(m.stored_for("compute2").len(), 1);
    assert!(m.stored_for("compute3").is_empty());
    assert_eq!(
        m.status().unwrap()["alerts_accepted"],
        0,
        "no alert was configured"
    );
}

#[test]
fn a_compute_whose_bmc_is_dead_is_never_reported_normal() {
    let m = monitored(
        "thm5",
        Setup {
            monitor: "fence_timeout = 15",
            ..DEFAULT
        },
    );
    m.lab.set_bmc_alive("compute1", false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    let stored = m.wait_stored("compute1", 1);
    assert_eq!(stored[0].payload["host_status"], "UNKNOWN", "{}", m.log());
    let fenced = m.lab.fence_history().unwrap();
    assert!(
        !fenced
            .iter()
            .any(|e| e.target == "compute1" && e.status == "success"),
        "{fenced:?}"
    );
    std::thread::sleep(Duration::from_secs(5));
    let all = m.stored_for("compute1");
    assert!(
        all.iter().all(|n| n.payload["host_status"] != "NORMAL"),
        "{all:?}"
    );
}

#[test]
fn without_quorum_nothing_is_sent() {
    let m = monitored(
        "thm6",
        Setup {
            controllers: 3,
            computes: 1,
            ..DEFAULT
        },
    );
    m.lab.kill_controller("ctl2").unwrap();
    m.lab.kill_controller("ctl3").unwrap();
    m.wait_until("the monitor to see quorum lost", |s| s["quorate"] == false);
    m.lab.kill_remoted("compute1").unwrap();
    std::thread::sleep(Duration::from_secs(15));
    assert!(m.stored_for("compute1").is_empty(), "{}", m.log());
}
