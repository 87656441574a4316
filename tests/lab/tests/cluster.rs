//! The lab against the real stack: it forms, fences, survives a controller loss, hosts the real Masakari
//! API, and two labs run side by side. Needs root and `make deps`; each test tears its lab down, even
//! when it fails (the `Lab` guard).

use std::time::Duration;

use masakari_lab::{Lab, LabSpec, RebootAction};
use serde_json::json;

const SETTLE: Duration = Duration::from_secs(60);

fn spec(name: &str) -> LabSpec {
    LabSpec::new(name)
}

#[test]
fn cluster_forms_with_quorum_remotes_online_and_bmcs_on() {
    let lab = Lab::up(spec("tform")).unwrap();
    let view = lab.crm_mon().unwrap();
    assert_eq!(view.with_quorum, Some(true), "{view:?}");
    assert_eq!(view.dc.as_deref(), Some("ctl1"));
    for name in ["compute1", "compute2"] {
        let node = view.node(name).unwrap();
        assert_eq!(node.kind(), "remote");
        assert!(node.online, "{node:?}");
        assert!(
            lab.bmc_power(name).unwrap(),
            "BMC of {name} should report on"
        );
    }
    assert!(lab.bmc_power("ctl1").unwrap());
}

#[test]
fn a_killed_remote_is_fenced_off_stays_down_and_comes_back_on_power_on() {
    let lab = Lab::up(LabSpec {
        reboot_action: RebootAction::Off,
        ..spec("tfence")
    })
    .unwrap();
    lab.kill_remoted("compute1").unwrap();
    // The history says "reboot" (what the controller asked for) although the device only powers off.
    lab.wait_fenced("compute1", SETTLE).unwrap();
    assert!(
        !lab.bmc_power("compute1").unwrap(),
        "the BMC must report power off"
    );
    assert!(
        !lab.is_powered("compute1").unwrap(),
        "nothing may run on a fenced compute"
    );
    lab.wait_node("compute1", "offline and clean", SETTLE, |n| {
        !n.online && !n.unclean
    })
    .unwrap();
    std::thread::sleep(Duration::from_secs(12));
    assert!(
        !lab.is_powered("compute1").unwrap(),
        "a fenced compute stays down"
    );
    assert!(lab.crm_mon().unwrap().node("compute2").unwrap().online);

    lab.set_power("compute1", true).unwrap();
    lab.wait_node("compute1", "online again", SETTLE, |n| n.online)
        .unwrap();
    assert!(lab.bmc_power("compute1").unwrap());
}

#[test]
fn three_controllers_keep_quorum_and_fence_a_lost_one() {
    let lab = Lab::up(LabSpec {
        controllers: 3,
        computes: 1,
        ..spec("t3ctl")
    })
    .unwrap();
    lab.kill_controller("ctl3").unwrap();
    let event = lab.wait_fenced("ctl3", SETTLE).unwrap();
    assert_eq!(event.status, cib::FenceStatus::Success);
    let view = lab.crm_mon().unwrap();
    assert!(
        view.with_quorum == Some(true),
        "two of three controllers keep quorum: {view:?}"
    );
    assert!(view.node("compute1").unwrap().online);
    // A fence reboot powers ctl3 on again; it rejoins by itself.
    lab.wait_ready(SETTLE).unwrap();
}

#[test]
fn masakari_api_takes_registered_hosts_and_rejects_unknown_ones() {
    let lab = Lab::up(LabSpec {
        computes: 1,
        ..spec("tapi")
    })
    .unwrap();
    let notification = |host: &str| {
        json!({"notification": {"type": "COMPUTE_HOST", "hostname": host,
            "generated_time": "2026-11-26T07:00:00.000000",
            "payload": {"event": "STOPPED", "cluster_status": "OFFLINE", "host_status": "NORMAL"}}})
    };
    let (code, body) = lab.post_notification(&notification("compute1")).unwrap();
    assert_eq!(code, 202, "{body}");
    let (code, body) = lab.post_notification(&notification("nosuchhost")).unwrap();
    assert_eq!(code, 400, "{body}");
    let stored = lab.notifications().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].kind, "COMPUTE_HOST");
    assert_eq!(stored[0].payload["host_status"], "NORMAL");
}

#[test]
fn two_labs_run_at_once_without_meeting() {
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            Lab::up(LabSpec {
                computes: 1,
                ..spec("tparaa")
            })
        });
        let b = s.spawn(|| {
            Lab::up(LabSpec {
                computes: 1,
                ..spec("tparab")
            })
        });
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    a.kill_remoted("compute1").unwrap();
    a.wait_fenced("compute1", SETTLE).unwrap();
    assert!(b.fence_history().unwrap().is_empty(), "b saw a's fencing");
    assert!(b.crm_mon().unwrap().node("compute1").unwrap().online);
}

#[test]
fn down_leaves_nothing_and_up_cleans_a_killed_runs_leftovers() {
    Lab::up(LabSpec {
        computes: 1,
        ..spec("tleft")
    })
    .unwrap()
    .detach();
    let again = Lab::up(LabSpec {
        computes: 1,
        ..spec("tleft")
    })
    .unwrap();
    assert!(again.crm_mon().unwrap().with_quorum == Some(true));
    again.down().unwrap();
    let left = masakari_lab::netns::existing("tleft").unwrap();
    assert!(left.is_empty(), "{left:?}");
    assert!(!masakari_lab::layout::lab_dir("tleft").exists());
}
