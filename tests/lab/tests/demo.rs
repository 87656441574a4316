//! The main job (`make demo`) as a test: our binaries staged into a lab, fencing by
//! `fence_ipmilan_rs` with `pcmk_reboot_action=off`, the monitor run by Pacemaker as
//! `ocf:masakari:hostmonitor`; compute1 fails and the Masakari API must store its notification.
//! Needs root and `make deps`, and the workspace's binaries built (`cargo build --workspace --bins`).

#![allow(clippy::unwrap_used)] // test harness: failing loudly is the point

use masakari_lab::{LabSpec, RebootAction, demo};

#[test]
fn the_main_job_fences_compute1_and_masakari_stores_the_notification() {
    demo::run(LabSpec {
        fence_agent: "fence_ipmilan_rs".into(),
        reboot_action: RebootAction::Off,
        ..LabSpec::new("tdemo")
    })
    .unwrap();
}
