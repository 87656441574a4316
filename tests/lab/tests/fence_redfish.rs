//! fence_redfish_rs against fence_redfish (fence-agents 4.12), call by call, on the same
//! sushy-emulator (PyPI sushy-tools, fake driver, HTTPS with a CA of the test's own, basic auth).
//! No cluster: one emulator for the whole file. Needs root and `make deps`.

#![allow(clippy::unwrap_used)] // test harness: failing loudly is the point

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use masakari_lab::sushy::{FakeSystem, Sushy, SushySpec, free_loopback_port};
use masakari_lab::tls::Ca;
use masakari_lab::tools::Tools;

/// The test's own directory (CA, emulator), made fresh.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("masakari-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn emulator(dir: &std::path::Path, systems: Vec<FakeSystem>) -> Sushy {
    let ca = Ca::create(&dir.join("tls")).unwrap();
    let address = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let tls = ca.issue("bmc", address).unwrap();
    Sushy::start(
        &Tools::installed().unwrap(),
        SushySpec {
            dir: dir.join("sushy"),
            netns: None,
            address,
            port: free_loopback_port().unwrap(),
            tls,
            ca: ca.cert(),
            username: "admin".into(),
            password: "redfish-pw".into(),
            systems,
            notification_url: None,
        },
    )
    .unwrap()
}

#[test]
fn fence_redfish_rs_answers_as_fence_redfish_does() {
    let dir = scratch("fence-redfish");
    let node = FakeSystem::new("node1", true);
    let bmc = emulator(&dir, vec![node.clone()]);
    assert_eq!(bmc.power_state(&node).unwrap(), "On");
    drop(bmc);
    std::fs::remove_dir_all(&dir).unwrap();
}
