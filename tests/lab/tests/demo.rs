//! The main job (`make demo`) as a test: our release binaries staged into a lab, as operators install
//! them, fencing by `fence_ipmilan_rs` with `pcmk_reboot_action=off`, the monitor run by Pacemaker as
//! `ocf:masakari:hostmonitor`; compute1 fails and the Masakari API must store one notification for it,
//! COMPUTE_HOST STOPPED / OFFLINE / NORMAL. Needs root and `make deps`, and the workspace's binaries
//! built in both profiles (`make build` and `cargo build --workspace --bins`; `make lab-tests` does).

#![allow(clippy::unwrap_used)] // test harness: failing loudly is the point

use masakari_lab::stage::{Profile, Stage};
use masakari_lab::{LabSpec, RebootAction, demo};

#[test]
fn the_main_job_fences_compute1_and_masakari_stores_the_notification() {
    let stage = Stage::install_profile("tdemo", Profile::Release).unwrap();
    demo::run(LabSpec {
        fence_agent: "fence_ipmilan_rs".into(),
        reboot_action: RebootAction::Off,
        stage: Some(stage.root().to_owned()),
        ..LabSpec::new("tdemo")
    })
    .unwrap();
}
