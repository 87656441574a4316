//! PROCESS notifications the cluster way, in one real cluster (three controllers, two computes):
//! Pacemaker runs a nova-compute clone on the remotes (`--services`: `ocf:heartbeat:anything`,
//! `migration-threshold=3`), our host monitor on ctl1 watches it, the real Masakari API stores what
//! it sends (its duplicate check off, so a second copy would be stored and seen). One lab for every
//! check, in order:
//! 1. compute1's service killed once: Pacemaker restarts it there (fail count 1), nothing is sent;
//! 2. killed until the threshold: Pacemaker stops it there for good, one PROCESS STOPPED is stored;
//! 3. `crm_resource --cleanup`: it runs there again, one PROCESS STARTED is stored;
//! 4. compute2's service given up on while the API is down, the monitor on ctl1 killed (by PID) with
//!    the STOPPED pending and the one on ctl2 taking over: still one STOPPED, stored by ctl2's;
//! 5. compute1 itself lost with its service running on it: its COMPUTE_HOST notification, no
//!    PROCESS one (last: while Pacemaker retries a fenced compute's connection, its transitions
//!    keep the other compute's service from being recovered).
//!
//! Two hosts fail within two minutes, under the mass-failure guard's minimum of three (with a third
//! compute failing too, the guard would rightly hold the last notification).
//!
//! Needs root and `make deps`, and the workspace's binaries built (`cargo build --workspace --bins`).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test harness: failing loudly is the point

mod support;

use std::time::Duration;

use masakari_lab::masakari::{StoredNotification, notifications_for};
use masakari_lab::monitor::{Monitor, MonitorSetup};
use masakari_lab::services::CLONE;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabSpec, Machine, RebootAction};

const SETTLE: Duration = Duration::from_secs(90);
/// How long nothing more may arrive after what was expected: several reconciles (every 2 s) and
/// retries (at most 2 s apart).
const QUIET: Duration = Duration::from_secs(6);
const COMPUTES: [&str; 2] = ["compute1", "compute2"];
const OPTIONS: &str = "retry_interval = 1\nretry_max_interval = 2";

struct Cluster {
    lab: Lab,
    monitor: Monitor,
    _stage: masakari_lab::stage::Stage,
}

impl Cluster {
    fn up(name: &str) -> Self {
        let (lab, stage) = support::staged_lab(LabSpec {
            controllers: 3,
            computes: 2,
            reboot_action: RebootAction::Off,
            services: true,
            ..LabSpec::new(name)
        });
        let setup = MonitorSetup {
            monitor_options: OPTIONS.into(),
            ..MonitorSetup::default()
        };
        let monitor = Monitor::start(&lab, &setup).unwrap();
        let c = Self {
            lab,
            monitor,
            _stage: stage,
        };
        c.wait("the service on every compute", || {
            support::located(&c.lab, CLONE) == COMPUTES
                && COMPUTES.iter().all(|n| !c.pids(n).is_empty())
        });
        c
    }

    fn pids(&self, compute: &str) -> Vec<i32> {
        self.lab.service_pids(compute).unwrap()
    }

    fn fail_count(&self, compute: &str) -> String {
        self.lab.service_fail_count(compute).unwrap()
    }

    fn stored(&self, host: &str) -> Vec<StoredNotification> {
        notifications_for(self.lab.layout(), host).unwrap()
    }

    fn processes(&self, host: &str) -> Vec<StoredNotification> {
        let mut stored = self.stored(host);
        stored.retain(|n| n.kind == "PROCESS");
        stored
    }

    /// Waits until `host` has `count` PROCESS notifications stored; then none more arrives.
    fn wait_processes(
        &self,
        host: &str,
        count: usize,
        log: &dyn Fn() -> String,
    ) -> Vec<StoredNotification> {
        self.wait_logged(
            &format!("{count} PROCESS notification(s) for {host}"),
            log,
            || self.processes(host).len() >= count,
        );
        std::thread::sleep(QUIET);
        let stored = self.processes(host);
        assert_eq!(stored.len(), count, "{stored:#?}\n{}", log());
        stored
    }

    fn wait(&self, what: &str, test: impl Fn() -> bool) {
        self.wait_logged(what, &|| self.monitor.log(), test);
    }

    fn wait_logged(&self, what: &str, log: &dyn Fn() -> String, test: impl Fn() -> bool) {
        poll_until(what, SETTLE, || Ok(test().then_some(())))
            .unwrap_or_else(|e| panic!("{e}\n{}", log()));
    }
}

/// The pending notifications of `host`'s watched services in a status answer.
fn process_pending(status: &serde_json::Value, host: &str) -> Vec<serde_json::Value> {
    let hosts = status["engine"]["hosts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    hosts
        .iter()
        .filter(|h| h["name"] == host)
        .flat_map(|h| h["processes"].as_array().cloned().unwrap_or_default())
        .flat_map(|p| p["pending"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn assert_process(n: &StoredNotification, event: &str) {
    assert_eq!(n.kind, "PROCESS");
    assert_eq!(n.payload["event"], event, "{n:#?}");
    assert_eq!(n.payload["process_name"], "nova-compute", "{n:#?}");
}

#[test]
fn pacemaker_giving_up_on_a_compute_service_is_notified_once_and_its_return_too() {
    let c = Cluster::up("tproc");
    let log = || c.monitor.log();

    // 1. One crash: Pacemaker's restart is the whole recovery.
    c.lab.service_kill_restarted("compute1", 1, SETTLE).unwrap();
    std::thread::sleep(QUIET);
    assert!(c.stored("compute1").is_empty(), "{}", log());

    // 2. Crashes up to the threshold: Pacemaker stops trying there.
    c.lab.service_kill_until_banned("compute1", SETTLE).unwrap();
    let stored = c.wait_processes("compute1", 1, &log);
    assert_process(&stored[0], "STOPPED");

    // 3. The operator cleans up: Pacemaker starts it there again.
    c.lab.service_cleanup("compute1").unwrap();
    c.wait("the service running on compute1 again", || {
        !c.pids("compute1").is_empty() && c.fail_count("compute1") == "0"
    });
    let stored = c.wait_processes("compute1", 2, &log);
    assert_process(&stored[1], "STARTED");
    assert!(
        c.stored("compute1").iter().all(|n| n.kind == "PROCESS"),
        "compute1 itself never failed"
    );

    // 4. Failover mid-episode: the STOPPED pending on ctl1, delivered by ctl2's monitor.
    let second = Monitor::configure(
        &c.lab,
        &MonitorSetup {
            node: Machine::Controller(2),
            alerts: false,
            monitor_options: OPTIONS.into(),
            ..MonitorSetup::default()
        },
    )
    .unwrap();
    c.lab.set_api_running(false).unwrap();
    c.lab.service_kill_until_banned("compute2", SETTLE).unwrap();
    c.wait(
        "compute2's STOPPED attempted and in the cluster's record",
        || {
            c.monitor.status(&c.lab).is_some_and(|s| {
                s["record"]["cluster_current"] == true
                    && process_pending(&s, "compute2")
                        .first()
                        .is_some_and(|p| p["attempts"].as_u64() >= Some(1))
            })
        },
    );
    c.monitor.kill(&c.lab).unwrap();
    second
        .run(&c.lab)
        .unwrap_or_else(|e| panic!("{e}; log:\n{}", second.log()));
    let resumed = second.status(&c.lab).unwrap();
    assert_eq!(process_pending(&resumed, "compute2").len(), 1, "{resumed}");
    c.lab.set_api_running(true).unwrap();
    let second_log = || second.log();
    let stored = c.wait_processes("compute2", 1, &second_log);
    assert_process(&stored[0], "STOPPED");

    // 5. The compute lost with its service running on it: a host failure only (last: Pacemaker's
    // retries of a fenced compute's connection hold up the other compute's recoveries).
    c.lab.kill_remoted("compute1").unwrap();
    c.wait_logged("compute1's host notification", &second_log, || {
        c.stored("compute1")
            .iter()
            .any(|n| n.kind == "COMPUTE_HOST")
    });
    std::thread::sleep(QUIET);
    let stored = c.stored("compute1");
    assert_eq!(stored.len(), 3, "{stored:#?}\n{}", second.log());
    assert_eq!(stored[2].kind, "COMPUTE_HOST");
    assert_eq!(stored[2].payload["event"], "STOPPED");
}
