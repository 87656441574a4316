//! The host monitor in a real cluster: Pacemaker alerts through our alert agent, fencing by
//! fence_ipmilan, notifications into the real Masakari API. Needs root and `make deps`.

#![allow(clippy::unwrap_used, clippy::panic)] // test helpers: a failure should stop the test

use std::time::{Duration, Instant};

use cib::FenceStatus;
use masakari_lab::masakari::{StoredNotification, notifications_for};
use masakari_lab::monitor::{Monitor, MonitorSetup};
use masakari_lab::stage::Stage;
use masakari_lab::{Host, Lab, LabSpec, Machine, RebootAction};

const SETTLE: Duration = Duration::from_secs(90);

/// A lab whose controller ctl1 runs our monitor.
struct Monitored {
    lab: Lab,
    monitor: Monitor,
    _stage: Stage,
}

fn monitored(name: &str, spec: LabSpec, setup: MonitorSetup) -> Monitored {
    let stage = Stage::install(name).unwrap();
    let lab = Lab::up(LabSpec {
        reboot_action: RebootAction::Off,
        stage: Some(stage.root().to_owned()),
        ..spec
    })
    .unwrap();
    let monitor = Monitor::start(&lab, &setup).unwrap();
    Monitored {
        lab,
        monitor,
        _stage: stage,
    }
}

fn lab(name: &str) -> LabSpec {
    LabSpec::new(name)
}

impl Monitored {
    fn wait_until(&self, what: &str, test: impl Fn(&serde_json::Value) -> bool) {
        self.monitor
            .wait(&self.lab, what, SETTLE, test)
            .unwrap_or_else(|e| panic!("{e}; log:\n{}", self.monitor.log()));
    }

    fn stored_for(&self, host: &str) -> Vec<StoredNotification> {
        notifications_for(self.lab.layout(), host).unwrap()
    }

    fn wait_stored(&self, host: &str, count: usize) -> Vec<StoredNotification> {
        masakari_lab::wait::poll_until(
            &format!("{count} notification(s) for {host}"),
            SETTLE,
            || {
                let stored = self.stored_for(host);
                Ok((stored.len() >= count).then_some(stored))
            },
        )
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", self.monitor.log()))
    }
}

#[test]
fn a_fenced_compute_is_notified_once_as_normal() {
    let m = monitored("thm1", lab("thm1"), MonitorSetup::default());
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
            .any(|e| e.target == "compute1" && e.status == FenceStatus::Success),
        "{fenced:?}"
    );
    // Alerts, reconciles and retries must not add a second one.
    std::thread::sleep(Duration::from_secs(8));
    assert_eq!(m.stored_for("compute1").len(), 1, "{}", m.monitor.log());
    assert!(m.stored_for("compute2").is_empty());
    let status = m.monitor.status(&m.lab).unwrap();
    assert!(status["alerts_accepted"].as_u64().unwrap() > 0, "{status}");
}

#[test]
fn a_notification_waits_for_an_api_that_is_down_and_arrives_once() {
    let m = monitored("thm2", lab("thm2"), MonitorSetup::default());
    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute2").unwrap();
    m.lab.wait_fenced("compute2", SETTLE).unwrap();
    m.wait_until("the monitor to notice the API is down", |s| {
        s["api_ok"] == false
    });
    // Pacemaker retries the powered-off compute's connection every reconnect_interval (10 s), and
    // crm_mon shows it Started and online while each start is pending. The monitor must not take
    // that for the host coming back, which would drop the notification it holds.
    let outage = Instant::now();
    while outage.elapsed() < Duration::from_secs(40) {
        let state = m.monitor.status(&m.lab).and_then(|s| {
            s["engine"]["hosts"]
                .as_array()
                .and_then(|hosts| hosts.iter().find(|h| h["name"] == "compute2").cloned())
        });
        if let Some(host) = state {
            assert_ne!(
                host["state"]["state"],
                "online",
                "compute2 is off, yet seen online\n{}",
                m.monitor.log()
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    m.lab.set_api_running(true).unwrap();
    let stored = m.wait_stored("compute2", 1);
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(m.stored_for("compute2").len(), 1, "{}", m.monitor.log());
}

#[test]
fn a_monitor_killed_mid_episode_resumes_from_the_cluster_without_loss_or_duplicate() {
    let m = monitored("thm3", lab("thm3"), MonitorSetup::default());
    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    m.lab.wait_fenced("compute1", SETTLE).unwrap();
    m.wait_until("the notification to be pending", |s| s["api_ok"] == false);
    m.monitor.kill(&m.lab).unwrap();
    // The local copy is gone, as on another controller: only the CIB's copy remains.
    std::fs::remove_file(m.monitor.state_file(&m.lab)).unwrap();
    let commit = ["--query", "--all", "--name", "masakari-hostmonitor-commit"];
    let held = m.lab.on_controller("attrd_updater", &commit).unwrap();
    assert!(
        held.contains("compute1"),
        "the record is in the cluster: {held}"
    );
    m.lab.set_api_running(true).unwrap();
    m.monitor.run(&m.lab).unwrap();
    let stored = m.wait_stored("compute1", 1);
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(m.stored_for("compute1").len(), 1, "{}", m.monitor.log());
}

#[test]
fn two_computes_failing_together_give_one_notification_each_even_without_alerts() {
    let setup = MonitorSetup {
        alerts: false,
        ..MonitorSetup::default()
    };
    let m = monitored(
        "thm4",
        LabSpec {
            computes: 3,
            ..lab("thm4")
        },
        setup,
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
        m.monitor.status(&m.lab).unwrap()["alerts_accepted"],
        0,
        "no alert was configured"
    );
}

#[test]
fn a_compute_whose_bmc_is_dead_is_never_reported_normal() {
    // With our own power check on: a BMC that does not answer is no proof of power off.
    let setup = MonitorSetup {
        monitor_options: "fence_timeout = 15\npower_off_confirms = true".into(),
        ..MonitorSetup::default()
    };
    let m = monitored("thm5", lab("thm5"), setup);
    m.lab.set_bmc_alive("compute1", false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    let stored = m.wait_stored("compute1", 1);
    assert_eq!(
        stored[0].payload["host_status"],
        "UNKNOWN",
        "{}",
        m.monitor.log()
    );
    let fenced = m.lab.fence_history().unwrap();
    assert!(
        !fenced
            .iter()
            .any(|e| e.target == "compute1" && e.status == FenceStatus::Success),
        "{fenced:?}"
    );
    std::thread::sleep(Duration::from_secs(5));
    let all = m.stored_for("compute1");
    assert!(
        all.iter().all(|n| n.payload["host_status"] != "NORMAL"),
        "{all:?}"
    );
    let log = m.monitor.log();
    assert!(
        log.contains("power check: no answer") && log.contains("fence-compute1"),
        "the power check asked the dead BMC: {log}"
    );
}

#[test]
fn without_quorum_nothing_is_sent() {
    let spec = LabSpec {
        controllers: 3,
        computes: 1,
        ..lab("thm6")
    };
    let m = monitored("thm6", spec, MonitorSetup::default());
    m.lab.kill_controller("ctl2").unwrap();
    m.lab.kill_controller("ctl3").unwrap();
    m.wait_until("the monitor to see quorum lost", |s| s["quorate"] == false);
    m.lab.kill_remoted("compute1").unwrap();
    std::thread::sleep(Duration::from_secs(15));
    assert!(m.stored_for("compute1").is_empty(), "{}", m.monitor.log());
}

#[test]
fn a_compute_back_before_any_fencing_is_not_reported() {
    let m = monitored("thm7", lab("thm7"), MonitorSetup::default());
    let compute1 = masakari_lab::Host::Node(masakari_lab::Machine::Compute(1));
    m.lab.set_network(compute1, false).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    m.lab.set_network(compute1, true).unwrap();
    std::thread::sleep(Duration::from_secs(20));
    let fenced = m.lab.fence_history().unwrap();
    let stored = m.stored_for("compute1");
    if fenced.iter().any(|e| e.target == "compute1") {
        eprintln!("Pacemaker fenced compute1 after the blip after all: {fenced:?}");
        assert!(stored.len() <= 2, "{stored:?}");
    } else {
        assert!(
            stored.is_empty(),
            "back before any fencing, yet: {stored:?}\n{}",
            m.monitor.log()
        );
    }
}

/// pe-input files the controllers' schedulers wrote: one per scheduler run (only the DC writes).
fn scheduler_runs(lab: &Lab) -> usize {
    let count = ["-c", "ls /var/lib/pacemaker/pengine | grep -c '^pe-'; true"];
    lab.layout()
        .controllers()
        .into_iter()
        .map(|m| {
            lab.on_node(m, "sh", &count)
                .unwrap()
                .trim()
                .parse::<usize>()
                .unwrap()
        })
        .sum()
}

#[test]
fn an_idle_monitor_causes_no_scheduler_run_and_a_second_one_is_refused() {
    let m = monitored("thm9", lab("thm9"), MonitorSetup::default());
    m.wait_until("every compute seen online", |s| {
        s["engine"]["hosts"].as_array().is_some_and(|hosts| {
            hosts.len() >= 2 && hosts.iter().all(|h| h["state"]["state"] == "online")
        })
    });
    std::thread::sleep(Duration::from_secs(15));
    let before = scheduler_runs(&m.lab);
    std::thread::sleep(Duration::from_secs(120));
    let runs = scheduler_runs(&m.lab) - before;
    assert_eq!(
        runs,
        0,
        "scheduler runs in 120 s of an idle monitor\n{}",
        m.monitor.log()
    );
    let status = m.monitor.status(&m.lab).unwrap();
    assert_eq!(status["record"]["cluster_current"], true, "{status}");

    let ctl1 = Machine::Controller(1);
    let config = m
        .lab
        .layout()
        .host_dir(Host::Node(ctl1))
        .join("hostmonitor.toml");
    let config = config.display().to_string();
    let argv = ["30", "masakari-hostmonitor", "run", "--config", &config];
    let second = m
        .lab
        .on_node(ctl1, "timeout", &argv)
        .unwrap_err()
        .to_string();
    assert!(
        second.contains("another masakari-hostmonitor is active"),
        "{second}"
    );
}
