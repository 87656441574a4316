//! The host monitor in a real cluster: Pacemaker alerts through our alert agent, fencing by
//! fence_ipmilan, notifications into the real Masakari API. Needs root and `make deps`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers: a failure should stop the test

use std::time::{Duration, Instant};

use cib::FenceStatus;
use masakari_lab::masakari::{StoredNotification, notifications_for};
use masakari_lab::monitor::{Monitor, MonitorSetup};
use masakari_lab::stage::{Profile, Stage};
use masakari_lab::{Host, Lab, LabSpec, Machine, RebootAction};

#[path = "hostmonitor/hung.rs"]
mod hung;

const SETTLE: Duration = Duration::from_secs(90);

/// A lab whose controller ctl1 runs our monitor.
struct Monitored {
    lab: Lab,
    monitor: Monitor,
    _stage: Stage,
}

fn monitored(name: &str, spec: LabSpec, setup: MonitorSetup) -> Monitored {
    monitored_build(name, spec, setup, Profile::Running)
}

/// [`monitored`], the nodes running the binaries of `profile`.
fn monitored_build(name: &str, spec: LabSpec, setup: MonitorSetup, profile: Profile) -> Monitored {
    let stage = Stage::install_profile(name, profile).unwrap();
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

/// Also the proof that reconciling only when the CIB's version moved still catches what a lost
/// alert would have said: the monitor idles on version checks first (each one read nothing more),
/// then with no alert configured at all the kills reach it through its periodic reconciles alone.
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
    let idle =
        masakari_lab::wait::poll_until("periodic reconciles that read nothing", SETTLE, || {
            let metrics = m.monitor.metrics(&m.lab)?;
            Ok(metric(&metrics, "reconciles_unchanged_total")
                .filter(|&n| n >= 2.0)
                .map(|_| metric(&metrics, "reconciles_total")))
        })
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", m.monitor.log()));
    let killed = Instant::now();
    m.lab.kill_remoted("compute1").unwrap();
    m.lab.kill_remoted("compute2").unwrap();
    for host in ["compute1", "compute2"] {
        let stored = m.wait_stored(host, 1);
        assert_eq!(stored[0].payload["host_status"], "NORMAL");
    }
    eprintln!("kill -> both stored without alerts: {:?}", killed.elapsed());
    let metrics = m.monitor.metrics(&m.lab).unwrap();
    assert!(
        metric(&metrics, "reconciles_total") > idle,
        "the failures were read by periodic reconciles: {metrics}"
    );
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

/// The engine's view of one host in a status answer.
fn host_state(status: &serde_json::Value, name: &str) -> serde_json::Value {
    status["engine"]["hosts"]
        .as_array()
        .and_then(|hosts| hosts.iter().find(|h| h["name"] == name).cloned())
        .unwrap_or_else(|| panic!("{name} is not in {status}"))
}

/// The value of an unlabelled metric, as the endpoint served it.
fn metric(text: &str, name: &str) -> Option<f64> {
    let full = format!("masakari_hostmonitor_{name} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&full))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn a_forged_alert_is_refused_and_a_mass_failure_is_held_until_released() {
    // Release binaries, as operators run them. Two of three computes failing at once trips the guard.
    let setup = MonitorSetup {
        monitor_options: "mass_failure_min_hosts = 2".into(),
        ..MonitorSetup::default()
    };
    let spec = LabSpec {
        computes: 3,
        ..lab("thm8")
    };
    let m = monitored_build("thm8", spec, setup, Profile::Release);

    // A member of haclient that is not hacluster reaches the socket (mode 0660, group haclient), and
    // its "compute1 lost" is refused on its credentials: counted, and nothing else.
    let lost = [
        ("CRM_alert_kind", "node"),
        ("CRM_alert_node", "compute1"),
        ("CRM_alert_desc", "lost"),
    ];
    m.monitor
        .send_alert_as(&m.lab, "nobody", "haclient", &lost)
        .unwrap();
    m.wait_until("the forged alert to be refused", |s| {
        s["alerts_refused"] == 1
    });
    let status = m.monitor.status(&m.lab).unwrap();
    let compute1 = host_state(&status, "compute1");
    assert_eq!(compute1["state"]["state"], "online", "{status}");
    assert_eq!(compute1["episode"], 0, "{status}");
    assert!(
        m.monitor.log().contains("alert refused"),
        "{}",
        m.monitor.log()
    );

    m.lab.kill_remoted("compute1").unwrap();
    m.lab.kill_remoted("compute2").unwrap();
    m.lab.wait_fenced("compute1", SETTLE).unwrap();
    m.lab.wait_fenced("compute2", SETTLE).unwrap();
    m.wait_until("the guard to hold both notifications", |s| {
        s["engine"]["mass_failure_hold"] == true
            && ["compute1", "compute2"].iter().all(|h| {
                host_state(s, h)["pending"]
                    .as_array()
                    .is_some_and(|p| !p.is_empty())
            })
    });
    let metrics = m.monitor.metrics(&m.lab).unwrap();
    assert_eq!(
        metric(&metrics, "mass_failure_hold"),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(&metrics, "mass_failure_holds_total"),
        Some(1.0),
        "{metrics}"
    );
    std::thread::sleep(Duration::from_secs(5));
    for host in ["compute1", "compute2", "compute3"] {
        assert!(m.stored_for(host).is_empty(), "{host} sent while held");
    }

    let answer = m.monitor.release(&m.lab).unwrap();
    assert!(answer.contains("released"), "{answer}");
    for host in ["compute1", "compute2"] {
        let stored = m.wait_stored(host, 1);
        assert_eq!(stored[0].payload["host_status"], "NORMAL", "{host}");
    }
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(m.stored_for("compute1").len(), 1, "{}", m.monitor.log());
    assert_eq!(m.stored_for("compute2").len(), 1, "{}", m.monitor.log());
    assert!(m.stored_for("compute3").is_empty());
    let status = m.monitor.status(&m.lab).unwrap();
    assert_eq!(status["engine"]["mass_failure_hold"], false, "{status}");
    let metrics = m.monitor.metrics(&m.lab).unwrap();
    assert_eq!(
        metric(&metrics, "mass_failure_hold"),
        Some(0.0),
        "{metrics}"
    );
}

#[test]
fn without_quorum_nothing_is_sent() {
    // compute1 is fenced while the API is down, so its notification is ready and waiting; then ctl1
    // loses quorum and the API comes back. Retrying every 2 s, the monitor would deliver at once
    // without its quorum gate.
    let spec = LabSpec {
        controllers: 3,
        computes: 1,
        ..lab("thm6")
    };
    let setup = MonitorSetup {
        monitor_options: "retry_interval = 1\nretry_max_interval = 2\nretry_max = 1000".into(),
        ..MonitorSetup::default()
    };
    let m = monitored("thm6", spec, setup);
    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    m.lab.wait_fenced("compute1", SETTLE).unwrap();
    m.wait_until("the notification to be pending", |s| {
        s["api_ok"] == false && s["quorate"] == true
    });
    let before = m.monitor.status(&m.lab).unwrap();
    assert_ne!(before["corosync_quorate"], false, "{before}");

    // Quorum lost through corosync: the other controllers' corosync dies (by PID), and ctl1's
    // corosync tells the monitor through its quorum callback, the only writer of corosync_quorate.
    for ctl in [2, 3] {
        assert!(m.lab.kill_on_node(Machine::Controller(ctl), "corosync") > 0);
    }
    m.wait_until("corosync's callback to report quorum lost", |s| {
        s["corosync_quorate"] == false && s["quorate"] == false
    });
    m.lab.set_api_running(true).unwrap();
    std::thread::sleep(Duration::from_secs(15));
    assert!(m.stored_for("compute1").is_empty(), "{}", m.monitor.log());
    let status = m.monitor.status(&m.lab).unwrap();
    let compute1 = host_state(&status, "compute1");
    assert!(
        compute1["pending"]
            .as_array()
            .is_some_and(|p| !p.is_empty()),
        "held, not dropped: {status}"
    );
}

#[test]
fn a_compute_back_before_any_fencing_is_not_reported() {
    // A cut of 0.5 s, far below Pacemaker's detection (the connection's monitor every 5 s with a 15 s
    // timeout, over TCP that retransmits across the cut): Pacemaker never loses compute1, so nothing
    // may be fenced or stored, and the monitor must see compute1 online throughout.
    let m = monitored("thm7", lab("thm7"), MonitorSetup::default());
    let compute1 = Host::Node(Machine::Compute(1));
    m.lab.set_network(compute1, false).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    m.lab.set_network(compute1, true).unwrap();
    let watch = Instant::now();
    while watch.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_secs(1));
        let Some(status) = m.monitor.status(&m.lab) else {
            continue;
        };
        let host = host_state(&status, "compute1");
        assert_eq!(host["state"]["state"], "online", "{status}");
        assert_eq!(host["episode"], 0, "{status}");
    }
    let fenced = m.lab.fence_history().unwrap();
    assert!(
        !fenced.iter().any(|e| e.target == "compute1"),
        "the blip was meant to be shorter than detection: {fenced:?}"
    );
    let stored = m.stored_for("compute1");
    assert!(stored.is_empty(), "{stored:?}\n{}", m.monitor.log());
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
    let log = m.monitor.log();
    assert!(
        log.contains("connected to the CIB manager") && !log.contains("using cibadmin"),
        "the version reads went over the CIB manager's IPC\n{log}"
    );
    assert_eq!(status["cib_ipc"], true, "{status}");

    let second = m.monitor.run_refused(&m.lab).unwrap();
    assert!(
        second.contains("another masakari-hostmonitor is active"),
        "{second}"
    );
}

/// The monitor's link to corosync's quorum service outlives corosync on its node: while corosync
/// is gone `status` (JSON and text) and `check` say the link is reconnecting and why, and once
/// corosync is back the link is connected again on a new handle and corosync's quorum arrives
/// through it. Pacemaker on that node is stopped cleanly first (`pacemakerd --shutdown`), as an
/// operator restarting corosync does (corosync killed under a running Pacemaker gets the node
/// fenced by its peers, and the monitor with it); then corosync is killed and started again.
/// The kept connection to the CIB manager outlives a CIB manager frozen for 16 s (SIGSTOP, by
/// PID): the monitor keeps answering `status`, its version read gives up on the connection and
/// waits for `cibadmin` instead, and once the CIB manager is thawed it connects again. It goes
/// with Pacemaker too: meanwhile the version is asked of `cibadmin` (which fails, as the CIB
/// manager is gone), and once Pacemaker is back the monitor connects to the new CIB manager.
#[test]
fn the_corosync_link_reconnects_after_corosync_restarts_on_the_monitors_node() {
    let setup = MonitorSetup::default();
    let node = setup.node;
    let m = monitored("thmq", lab("thmq"), setup);
    let link = |s: &serde_json::Value| s["corosync"]["state"].as_str().map(str::to_owned);
    m.wait_until("the corosync link to be up", |s| {
        link(s).as_deref() == Some("connected") && s["corosync_quorate"] == true
    });
    let first = m.monitor.status(&m.lab).unwrap()["corosync"]["since"].clone();
    let netns = m.lab.layout().netns(Host::Node(node));

    let connections = || {
        m.monitor
            .log()
            .matches("connected to the CIB manager")
            .count()
    };
    let wait_for_connections = |count: usize, what: &str| {
        masakari_lab::wait::poll_until(what, SETTLE, || {
            let log = m.monitor.log();
            Ok((connections() >= count && log.contains("using cibadmin")).then_some(()))
        })
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", m.monitor.log()));
    };
    masakari_lab::wait::poll_until("the first connection to the CIB manager", SETTLE, || {
        Ok((connections() == 1).then_some(()))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", m.monitor.log()));
    let based = |signal| {
        masakari_lab::procs::signal_named(&netns, "pacemaker-based", signal).unwrap();
    };
    based(nix::sys::signal::Signal::SIGSTOP);
    let frozen = Instant::now();
    while frozen.elapsed() < Duration::from_secs(16) {
        std::thread::sleep(Duration::from_secs(2));
        assert!(
            m.monitor.status(&m.lab).is_some(),
            "status unanswered while the CIB manager is frozen\n{}",
            m.monitor.log()
        );
    }
    based(nix::sys::signal::Signal::SIGCONT);
    wait_for_connections(2, "a connection to the thawed CIB manager");
    m.wait_until("Pacemaker to be read over IPC after the thaw", |s| {
        s["cib_ok"] == true && s["cib_ipc"] == true
    });

    m.lab.on_node(node, "pacemakerd", &["--shutdown"]).unwrap();
    masakari_lab::wait::poll_until("Pacemaker to stop on the node", SETTLE, || {
        let procs = masakari_lab::procs::in_netns(&netns);
        Ok((!procs.iter().any(|p| p.comm == "pacemakerd")).then_some(()))
    })
    .unwrap();
    // corosync-cfgtool -H left corosync running here (its log showed no shutdown in the first run
    // of this test), so corosync goes as a crash does: SIGKILL, by PID, in this node only.
    assert_eq!(m.lab.kill_on_node(node, "corosync"), 1);
    let down = m
        .monitor
        .wait(&m.lab, "the link to be reconnecting", SETTLE, |s| {
            link(s).as_deref() == Some("reconnecting")
        })
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", m.monitor.log()));
    assert!(down["corosync_quorate"].is_null(), "{down}");
    assert_ne!(down["corosync"]["last_error"], "", "{down}");
    let config = m
        .lab
        .layout()
        .host_dir(Host::Node(node))
        .join("hostmonitor.toml");
    let config = config.display().to_string();
    let text = m
        .lab
        .on_node(
            node,
            "masakari-hostmonitor",
            &["status", "--config", &config],
        )
        .unwrap();
    assert!(text.contains("corosync link: RECONNECTING since"), "{text}");
    let check = format!("masakari-hostmonitor check --config '{config}'; true");
    let checked = m.lab.on_node(node, "sh", &["-c", &check]).unwrap();
    let line = checked
        .lines()
        .find(|l| l.starts_with("corosync link"))
        .unwrap_or_else(|| panic!("{checked}"));
    assert!(
        line.contains("WARN") && line.contains("RECONNECTING"),
        "{line}"
    );

    m.lab
        .spawn_on_node(node, &["corosync", "-f"], "daemons.log")
        .unwrap();
    m.wait_until("the link to be connected again, quorate", |s| {
        link(s).as_deref() == Some("connected")
            && s["corosync"]["since"] != first
            && s["corosync_quorate"] == true
    });
    m.lab
        .spawn_on_node(node, &["pacemakerd"], "daemons.log")
        .unwrap();
    m.wait_until("Pacemaker to be read again", |s| s["cib_ok"] == true);
    wait_for_connections(3, "a connection to the new CIB manager");
}

/// The pending notifications of compute1 in a status answer.
fn pending(status: &serde_json::Value) -> Vec<serde_json::Value> {
    host_state(status, "compute1")["pending"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Two monitors on two controllers, and an operator's dismissal. The one on ctl2 refuses to run
/// beside ctl1's and says so. compute1's first failure, pending while the API is down, is dismissed
/// on ctl1; ctl1's monitor is then killed and ctl2's takes over from the cluster's record: the
/// dismissal holds there (nothing is stored once the API is back, and no STARTED when compute1
/// returns). compute1's second failure is pending on ctl2 when ctl2's monitor is killed; ctl1's
/// takes over and delivers it exactly once. Retries every 2 s: without the dismissal the first
/// failure would be stored within seconds of the API's return.
#[test]
fn a_dismissed_failure_stays_dismissed_across_controllers_and_the_next_is_delivered_once() {
    let spec = LabSpec {
        controllers: 3,
        computes: 1,
        ..lab("thmd")
    };
    let options = "retry_interval = 1\nretry_max_interval = 2".to_owned();
    let setup = MonitorSetup {
        monitor_options: options.clone(),
        ..MonitorSetup::default()
    };
    let m = monitored("thmd", spec, setup);
    let second_setup = MonitorSetup {
        node: Machine::Controller(2),
        alerts: false,
        monitor_options: options,
        ..MonitorSetup::default()
    };
    let second = Monitor::configure(&m.lab, &second_setup).unwrap();
    let refused = second.run_refused(&m.lab).unwrap();
    assert!(
        refused.contains("another masakari-hostmonitor is active on node ctl1"),
        "{refused}"
    );

    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    m.lab.wait_fenced("compute1", SETTLE).unwrap();
    m.wait_until("compute1's STOPPED to be failing", |s| {
        pending(s)
            .first()
            .is_some_and(|p| p["attempts"].as_u64() >= Some(1))
    });
    let answer = m.monitor.dismiss(&m.lab, "compute1", 1).unwrap();
    let id = serde_json::json!("compute1/1/stopped-normal");
    assert!(
        answer["dropped"] == serde_json::json!([id]) || answer["in_flight"] == id,
        "{answer}"
    );
    m.wait_until("the dismissal to be durable", |s| {
        pending(s).is_empty()
            && host_state(s, "compute1")["dismissed"] == true
            && s["record"]["cluster_current"] == true
    });
    let metrics = m.monitor.metrics(&m.lab).unwrap();
    assert!(
        metrics.contains("masakari_hostmonitor_notifications_total{outcome=\"dismissed\"} 1\n"),
        "{metrics}"
    );

    m.monitor.kill(&m.lab).unwrap();
    second
        .run(&m.lab)
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", second.log()));
    let resumed = second.status(&m.lab).unwrap();
    let compute1 = host_state(&resumed, "compute1");
    assert_eq!(
        (&compute1["episode"], &compute1["dismissed"]),
        (&1.into(), &true.into()),
        "{resumed}"
    );
    assert!(pending(&resumed).is_empty(), "{resumed}");
    m.lab.set_api_running(true).unwrap();
    std::thread::sleep(Duration::from_secs(10));
    assert!(m.stored_for("compute1").is_empty(), "{}", second.log());

    m.lab.set_power("compute1", true).unwrap();
    second
        .wait(&m.lab, "compute1 back online", SETTLE, |s| {
            host_state(s, "compute1")["state"]["state"] == "online"
        })
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", second.log()));
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        m.stored_for("compute1").is_empty(),
        "no STARTED for a dismissed episode\n{}",
        second.log()
    );

    m.lab.set_api_running(false).unwrap();
    m.lab.kill_remoted("compute1").unwrap();
    second
        .wait(
            &m.lab,
            "compute1's second STOPPED to be failing",
            SETTLE,
            |s| {
                host_state(s, "compute1")["episode"] == 2
                    && pending(s).first().is_some_and(|p| {
                        p["payload"]["host_status"] == "NORMAL" && p["attempts"].as_u64() >= Some(1)
                    })
                    && s["record"]["cluster_current"] == true
            },
        )
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", second.log()));
    second.kill(&m.lab).unwrap();
    m.monitor.run(&m.lab).unwrap();
    let resumed = m.monitor.status(&m.lab).unwrap();
    assert_eq!(host_state(&resumed, "compute1")["episode"], 2, "{resumed}");
    assert_eq!(resumed["record"]["source"], "cluster", "{resumed}");
    m.lab.set_api_running(true).unwrap();
    let stored = m.wait_stored("compute1", 1);
    assert_eq!(stored[0].payload["event"], "STOPPED");
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(m.stored_for("compute1").len(), 1, "{}", m.monitor.log());
}
