//! `ocf:masakari:hostmonitor` in a real 3-controller cluster fenced by our `fence_ipmilan_rs`: pcs
//! sees the agent, creates and validates the resource, Pacemaker runs exactly one monitor, and when
//! the controller running it dies the monitor comes back on another one; computes lost just before,
//! during and after the move are each notified exactly once. Prints the failover's phases (no timing
//! assertions). Needs root and `make deps`, and the workspace's binaries built
//! (`cargo build --workspace --bins`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test harness: failing loudly is the point

mod support;

use std::time::{Duration, Instant};

use cib::FenceStatus;
use masakari_lab::masakari::{StoredNotification, notifications_for};
use masakari_lab::monitor::route_alerts;
use masakari_lab::stage::Stage;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabSpec, RebootAction};

const SETTLE: Duration = Duration::from_secs(120);
const CONTROLLERS: [&str; 3] = ["ctl1", "ctl2", "ctl3"];
const COMPUTES: [&str; 3] = ["compute1", "compute2", "compute3"];
const STATE_DIR: &str = "/var/lib/pacemaker/masakari-hostmonitor";

struct Cluster {
    lab: Lab,
    config: String,
    _stage: Stage,
}

impl Cluster {
    fn up(name: &str) -> Self {
        let (lab, stage) = support::staged_lab(LabSpec {
            controllers: 3,
            computes: 3,
            fence_agent: "fence_ipmilan_rs".into(),
            reboot_action: RebootAction::Off,
            ..LabSpec::new(name)
        });
        // Three of three computes fail on purpose: the mass-failure guard (tested in the engine)
        // would rightly hold them.
        let text = format!(
            "[masakari]\nendpoint = \"{}\"\n[monitor]\nreconcile_interval = 2\nmass_failure_percent = 100\n",
            lab.layout().api_url()
        );
        let config = support::shared_file(&lab, "hostmonitor.toml", &text);
        Self {
            lab,
            config,
            _stage: stage,
        }
    }

    fn on(&self, node: &str, program: &str, args: &[&str]) -> masakari_lab::Result<String> {
        let machine = self.lab.layout().machine(node).unwrap();
        self.lab.on_node(machine, program, args)
    }

    fn pcs(&self, args: &[&str]) -> String {
        support::pcs(&self.lab, args)
    }

    /// Where Pacemaker says the monitor runs (`crm_resource --locate`).
    fn located(&self) -> Option<String> {
        support::located(&self.lab, "hostmonitor")
            .into_iter()
            .next()
    }

    /// The daemon's status on `node`, if one answers there.
    fn status(&self, node: &str) -> Option<serde_json::Value> {
        let out = self
            .on(
                node,
                "masakari-hostmonitor",
                &["status", "--json", "--config", &self.config],
            )
            .ok()?;
        serde_json::from_str(&out).ok()
    }

    /// The controllers where a monitor answers.
    fn answering(&self) -> Vec<&'static str> {
        let powered = |n: &str| self.lab.is_powered(n).unwrap_or(false);
        CONTROLLERS
            .into_iter()
            .filter(|n| powered(n) && self.status(n).is_some())
            .collect()
    }

    /// Waits until the monitor runs somewhere other than `not_on` and its daemon has read the CIB.
    fn wait_running(&self, not_on: Option<&str>) -> String {
        poll_until("the host monitor to run and read the CIB", SETTLE, || {
            let Some(node) = self.located().filter(|n| Some(n.as_str()) != not_on) else {
                return Ok(None);
            };
            let ready = self.status(&node).is_some_and(|s| s["cib_ok"] == true);
            Ok(ready.then_some(node))
        })
        .unwrap_or_else(|e| panic!("{e}\n{}", self.logs()))
    }

    /// The failure notifications (event STOPPED) Masakari stored for `host`.
    fn stored(&self, host: &str) -> Vec<StoredNotification> {
        let all = notifications_for(self.lab.layout(), host).unwrap();
        all.into_iter()
            .filter(|n| n.payload["event"] == "STOPPED")
            .collect()
    }

    fn wait_stored(&self, host: &str) -> Vec<StoredNotification> {
        poll_until(&format!("a notification for {host}"), SETTLE, || {
            let stored = self.stored(host);
            Ok((!stored.is_empty()).then_some(stored))
        })
        .unwrap_or_else(|e| panic!("{e}\n{}", self.logs()))
    }

    fn logs(&self) -> String {
        support::logs(&self.lab, &CONTROLLERS, "masakari-hostmonitor.log")
    }
}

#[test]
fn the_monitor_fails_over_and_each_lost_compute_is_notified_once() {
    let c = Cluster::up("tocf1");

    let described = c.pcs(&["resource", "describe", "ocf:masakari:hostmonitor"]);
    assert!(
        described.contains("ocf:masakari:hostmonitor - Masakari host monitor"),
        "{described}"
    );
    assert!(
        described.contains("state_dir (unique group: state)"),
        "{described}"
    );
    assert!(described.contains("reload-agent"), "{described}");

    route_alerts(&c.lab, c.lab.layout().machine("ctl1").unwrap()).unwrap();
    let config = format!("config={}", c.config);
    let state_dir = format!("state_dir={STATE_DIR}");
    c.pcs(&[
        "resource",
        "create",
        "hostmonitor",
        "ocf:masakari:hostmonitor",
        &config,
        &state_dir,
        "log_file=/var/log/pacemaker/masakari-hostmonitor.log",
        "op",
        "monitor",
        "interval=10s",
        "monitor",
        "interval=31s",
        "OCF_CHECK_LEVEL=20",
        "--disabled",
    ]);
    // Controllers only: a pacemaker-remote compute has no corosync and is what we watch.
    c.pcs(&[
        "constraint",
        "location",
        "hostmonitor",
        "rule",
        "score=-INFINITY",
        "#kind",
        "ne",
        "cluster",
    ]);
    c.pcs(&["resource", "enable", "hostmonitor"]);
    let validated = c
        .lab
        .on_controller("crm_resource", &["--validate", "-r", "hostmonitor"])
        .unwrap();
    assert!(validated.contains("returned 0"), "{validated}");
    // crm_resource and the agent's validate-all agree on a bad value (OCF_ERR_CONFIGURED).
    let refused = c.lab.on_controller(
        "crm_resource",
        &[
            "--validate",
            "--class",
            "ocf",
            "--provider",
            "masakari",
            "--agent",
            "hostmonitor",
            "--option",
            &config,
            "--option",
            "fence_timeout=0",
        ],
    );
    let refused = refused
        .expect_err("crm_resource accepted fence_timeout=0")
        .to_string();
    assert!(refused.contains("exit status: 6"), "{refused}");
    // A second instance sharing the state directory is refused by pcs (unique-group).
    let twin = c.lab.on_controller(
        "pcs",
        &[
            "resource",
            "create",
            "hm2",
            "ocf:masakari:hostmonitor",
            &config,
            &state_dir,
            "--disabled",
        ],
    );
    assert!(
        twin.is_err(),
        "pcs accepted a second instance with the same state_dir"
    );

    let first = c.wait_running(None);
    assert_eq!(c.answering(), [first.as_str()], "exactly one monitor runs");

    // compute1 fails just before the monitor's controller dies: the controller is killed the moment
    // compute1's fencing succeeds, while the old monitor is notifying. compute2 fails during the
    // move (no monitor runs), compute3 after it.
    c.lab.kill_remoted("compute1").unwrap();
    c.lab.wait_fenced("compute1", SETTLE).unwrap();
    c.lab.kill_controller(&first).unwrap();
    let killed = Instant::now();
    c.lab.kill_remoted("compute2").unwrap();
    let moved_to = poll_until("Pacemaker to start the monitor elsewhere", SETTLE, || {
        Ok(c.located().filter(|n| *n != first))
    })
    .unwrap();
    let started = killed.elapsed();
    let second = c.wait_running(Some(&first));
    let ready = killed.elapsed();
    assert_eq!(second, moved_to);
    assert_eq!(
        c.answering(),
        [second.as_str()],
        "exactly one monitor runs after the move"
    );
    let fenced = c.lab.fence_history().unwrap();
    assert!(
        fenced
            .iter()
            .any(|e| e.target == first && e.status == FenceStatus::Success),
        "{fenced:?}"
    );

    c.lab.kill_remoted("compute3").unwrap();
    for host in COMPUTES {
        let stored = c.wait_stored(host);
        assert_eq!(stored[0].payload["host_status"], "NORMAL", "{host}");
    }
    // Reconciles, alerts and retries on the new monitor must not add a second notification.
    std::thread::sleep(Duration::from_secs(10));
    for host in COMPUTES {
        assert_eq!(
            c.stored(host).len(),
            1,
            "{host} notified more than once\n{}",
            c.logs()
        );
    }
    let start_ms = start_exec_ms(&c.lab.cib_xml().unwrap(), &second);
    eprintln!(
        "failover of ocf:masakari:hostmonitor from {first} to {second}: started {:.1} s after the \
         kill, daemon answering with a good CIB read {:.1} s after; the start operation itself took \
         {start_ms} ms",
        started.as_secs_f64(),
        ready.as_secs_f64()
    );
}

/// `exec-time` (ms) of the monitor's last start on `node`, from the CIB status section.
fn start_exec_ms(cib: &str, node: &str) -> String {
    let Some(at) = cib.find(&format!("uname=\"{node}\"")) else {
        return "?".into();
    };
    let rest = &cib[at..];
    let Some(op) = rest.find("operation_key=\"hostmonitor_start_0\"") else {
        return "?".into();
    };
    let tag_start = rest[..op].rfind('<').unwrap_or(op);
    let tag = &rest[tag_start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    tag.split("exec-time=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap_or("?")
        .to_owned()
}
