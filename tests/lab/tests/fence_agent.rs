//! Our fence agent inside Pacemaker: created with pcs (with pcs's agent validation), described by
//! pcs and stonith_admin, and fencing a compute for real through its BMC. Needs root and `make deps`.

use std::time::Duration;

use masakari_lab::stage::Stage;
use masakari_lab::{Host, Lab, LabSpec, Machine};

const SETTLE: Duration = Duration::from_secs(90);
const CTL1: Machine = Machine::Controller(1);

#[test]
fn fence_ipmilan_rs_fences_a_lost_compute_and_the_reboot_brings_it_back() {
    let stage = Stage::install("tfrs1").unwrap();
    let lab = Lab::up(LabSpec {
        fence_agent: "fence_ipmilan_rs".into(),
        stage: Some(stage.root().to_owned()),
        ..LabSpec::new("tfrs1")
    })
    .unwrap();
    lab.kill_remoted("compute1").unwrap();
    let event = lab.wait_fenced("compute1", SETTLE).unwrap();
    assert_eq!(event.action, "reboot");
    lab.wait_node("compute1", "online again", SETTLE, |n| {
        n.online && !n.unclean
    })
    .unwrap();
    assert!(lab.bmc_power("compute1").unwrap());
}

#[test]
fn pcs_and_stonith_admin_take_fence_ipmilan_rs_as_they_take_fence_ipmilan() {
    let stage = Stage::install("tfrs2").unwrap();
    let lab = Lab::up(LabSpec {
        computes: 1,
        stage: Some(stage.root().to_owned()),
        ..LabSpec::new("tfrs2")
    })
    .unwrap();
    let on_ctl1 = |program: &str, args: &[&str]| lab.on_node(CTL1, program, args);
    let describe = on_ctl1("pcs", &["stonith", "describe", "fence_ipmilan_rs"]).unwrap();
    for param in [
        "ip",
        "username",
        "password",
        "lanplus",
        "cipher",
        "pcmk_host_list",
    ] {
        assert!(
            describe.contains(param),
            "pcs describe lacks {param}:\n{describe}"
        );
    }
    let metadata = on_ctl1(
        "stonith_admin",
        &["--metadata", "--agent", "fence_ipmilan_rs"],
    )
    .unwrap();
    assert!(
        metadata.contains("<resource-agent name=\"fence_ipmilan_rs\""),
        "{metadata}"
    );

    // Replace fence_ipmilan's device for compute1 with ours, created through pcs's validation.
    let password = std::fs::read_to_string(lab.ipmi_password_file()).unwrap();
    let bmc = Host::Bmc(Machine::Compute(1)).address().to_string();
    on_ctl1("pcs", &["stonith", "delete", "fence-compute1"]).unwrap();
    let ip = format!("ip={bmc}");
    let pw = format!("password={password}");
    on_ctl1(
        "pcs",
        &[
            "stonith",
            "create",
            "fence-rs-compute1",
            "fence_ipmilan_rs",
            &ip,
            "username=admin",
            &pw,
            "lanplus=1",
            "cipher=3",
            "pcmk_host_list=compute1",
            "pcmk_reboot_action=off",
        ],
    )
    .unwrap();
    lab.wait_ready(SETTLE).unwrap();
    let status = on_ctl1(
        "crm_resource",
        &["--resource", "fence-rs-compute1", "--locate"],
    )
    .unwrap();
    assert!(status.contains("running on"), "{status}");

    on_ctl1(
        "stonith_admin",
        &["--reboot", "compute1", "--tolerance", "0"],
    )
    .unwrap();
    let event = lab.wait_fenced("compute1", SETTLE).unwrap();
    assert_eq!(event.status, cib::FenceStatus::Success);
    assert!(
        !lab.bmc_power("compute1").unwrap(),
        "pcmk_reboot_action=off leaves it off"
    );
}
