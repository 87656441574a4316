//! Redfish BMCs in a real cluster: every node's BMC is a sushy-emulator whose system's power is the
//! node's (its external notifier drives the lab's power link), Pacemaker fences through them, and
//! our host monitor (on ctl1, its own power check on) notifies the real Masakari API. One lab serves
//! every test of this file (made by the first test, torn down when the test process exits).
//! compute1 is fenced by our fence_redfish_rs (the lab's agent), compute2 by the reference
//! fence_redfish (its device switched in the CIB, as an operator would). Needs root and `make deps`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers: a failure should stop the test

use std::sync::OnceLock;
use std::time::Duration;

use cib::FenceStatus;
use masakari_lab::masakari::{StoredNotification, notifications_for};
use masakari_lab::monitor::{Monitor, MonitorSetup};
use masakari_lab::stage::Stage;
use masakari_lab::{Bmc, Host, Lab, LabSpec, Machine, RebootAction};

const NAME: &str = "trf";
const SETTLE: Duration = Duration::from_secs(90);

struct Shared {
    lab: Lab,
    monitor: Monitor,
    _stage: Stage,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        masakari_lab::teardown_at_exit(NAME);
        let stage = Stage::install(NAME).unwrap();
        let lab = Lab::up(LabSpec {
            bmc: Bmc::Redfish,
            fence_agent: "fence_redfish_rs".into(),
            reboot_action: RebootAction::Off,
            stage: Some(stage.root().to_owned()),
            ..LabSpec::new(NAME)
        })
        .unwrap();
        use_reference_agent(&lab, "compute2");
        let setup = MonitorSetup {
            monitor_options: "power_off_confirms = true".into(),
            ..MonitorSetup::default()
        };
        let monitor = Monitor::start(&lab, &setup).unwrap();
        Shared {
            lab,
            monitor,
            _stage: stage,
        }
    })
}

/// Makes `node`'s stonith device fence_redfish (`cibadmin`, what `pcs stonith update` does
/// underneath), without our `ssl_ca_file` (fence_redfish trusts the system store), and waits until
/// the fencer runs it.
fn use_reference_agent(lab: &Lab, node: &str) {
    let xml = format!("<primitive id=\"fence-{node}\" type=\"fence_redfish\"/>");
    lab.on_controller("cibadmin", &["--modify", "--xml-text", &xml])
        .unwrap();
    let ca = format!("<nvpair id=\"fence-{node}-ssl_ca_file\"/>");
    lab.on_controller("cibadmin", &["--delete", "--xml-text", &ca])
        .unwrap();
    masakari_lab::wait::poll_until("the reference device to start", SETTLE, || {
        let text = lab.on_controller("crm_mon", &["-1"])?;
        let started = format!("fence-{node}\t(stonith:fence_redfish):\t Started");
        Ok(text.contains(&started).then_some(()))
    })
    .unwrap();
}

/// Kills `node`'s pacemaker-remoted and checks what must follow: a fence by `agent`, the power off
/// at the emulator and in the lab (through the power link), and exactly one NORMAL notification
/// stored by the real API, after our power check asked the node's Redfish device.
fn killed_compute_is_fenced_and_notified_once(node: &str, agent: &str) {
    let s = shared();
    let machine = s.lab.layout().machine(node).unwrap();
    let view = s.lab.on_controller("crm_mon", &["-1"]).unwrap();
    assert!(
        view.contains(&format!("fence-{node}\t(stonith:{agent}):\t Started")),
        "{view}"
    );
    s.lab.kill_remoted(node).unwrap();
    let fenced = s.lab.wait_fenced(node, SETTLE).unwrap();
    assert_eq!(fenced.status, FenceStatus::Success);
    let stored = wait_stored(node);
    assert_eq!(stored[0].payload["event"], "STOPPED");
    assert_eq!(stored[0].payload["host_status"], "NORMAL", "{}", log());
    assert!(!s.lab.bmc_power(node).unwrap(), "the emulator reports On");
    assert!(!s.lab.is_powered(node).unwrap(), "{node} still runs");
    let link = std::fs::read_to_string(
        s.lab
            .layout()
            .host_dir(Host::Bmc(machine))
            .join("power-link.log"),
    )
    .unwrap();
    assert!(link.contains(&format!("{node}: power off")), "{link}");
    let log = log();
    let asked = format!("fence-{node}");
    assert!(
        log.lines()
            .any(|l| l.contains("power check") && l.contains(&asked) && l.contains("off=")),
        "the power check did not ask {node}'s Redfish device: {log}"
    );
    // Alerts, reconciles and retries must not add a second one.
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(notifications_for(s.lab.layout(), node).unwrap().len(), 1);
}

fn wait_stored(node: &str) -> Vec<StoredNotification> {
    let layout = shared().lab.layout();
    masakari_lab::wait::poll_until(&format!("a notification for {node}"), SETTLE, || {
        let stored = notifications_for(layout, node)?;
        Ok((!stored.is_empty()).then_some(stored))
    })
    .unwrap_or_else(|e| panic!("{e}; log:\n{}", log()))
}

fn log() -> String {
    shared().monitor.log()
}

#[test]
fn a_compute_fenced_by_fence_redfish_rs_loses_its_power_and_is_notified_once() {
    killed_compute_is_fenced_and_notified_once("compute1", "fence_redfish_rs");
}

#[test]
fn a_compute_fenced_by_the_reference_fence_redfish_is_the_same() {
    killed_compute_is_fenced_and_notified_once("compute2", "fence_redfish");
}

#[test]
fn the_lab_reads_its_power_from_the_emulator_and_the_controller_trusts_the_lab_ca() {
    let s = shared();
    assert!(s.lab.bmc_power("ctl1").unwrap());
    let bmc = format!(
        "https://{}/redfish/v1/",
        Host::Bmc(Machine::Controller(1)).address()
    );
    let (code, err, ok) = s
        .lab
        .on_node_output(
            Machine::Controller(1),
            "curl",
            &["-sS", "-o", "/dev/null", "-w", "%{http_code}", &bmc],
        )
        .unwrap();
    assert!(
        ok,
        "curl on ctl1 did not verify the BMC's certificate: {err}"
    );
    assert!(["200", "401"].contains(&code.as_str()), "{code}");
}
