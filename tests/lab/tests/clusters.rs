//! Several clusters feeding one Masakari API, each with its own host monitor and failover segment
//! (see `masakari_lab::shared_api`): a compute of each failing at once is notified once each, under
//! its own host of its own segment. Needs root and `make deps`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers: a failure should stop the test

use std::time::Duration;

use masakari_lab::masakari::{StoredNotification, host_uuids, notifications_for, request};
use masakari_lab::monitor::{Monitor, MonitorSetup};
use masakari_lab::shared_api::{self, Feed};
use masakari_lab::stage::Stage;
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabSpec, RebootAction};

const SETTLE: Duration = Duration::from_secs(90);

fn lab(name: &str, stage: &Stage) -> Lab {
    Lab::up(LabSpec {
        reboot_action: RebootAction::Off,
        stage: Some(stage.root().to_owned()),
        ..LabSpec::new(name)
    })
    .unwrap_or_else(|e| panic!("lab {name} up: {e}"))
}

/// The notifications `api` stored for `host`, once there is one; a timeout says what both
/// monitors logged.
fn wait_stored(api: &Lab, host: &str, monitors: &[&Monitor]) -> Vec<StoredNotification> {
    poll_until(&format!("a notification for {host}"), SETTLE, || {
        let stored = notifications_for(api.layout(), host)?;
        Ok((!stored.is_empty()).then_some(stored))
    })
    .unwrap_or_else(|e| {
        let logs: Vec<String> = monitors.iter().map(|m| m.log()).collect();
        panic!("{e}; logs:\n{}", logs.join("\n---\n"))
    })
}

/// The segment name of the host called `host` in `api`.
fn segment_of(api: &Lab, host: &str) -> String {
    let segments = request(api.layout(), "GET", "/segments", None).unwrap();
    for segment in segments["segments"].as_array().unwrap() {
        let uuid = segment["uuid"].as_str().unwrap();
        let hosts = request(
            api.layout(),
            "GET",
            &format!("/segments/{uuid}/hosts"),
            None,
        )
        .unwrap();
        if hosts["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == host)
        {
            return segment["name"].as_str().unwrap().to_owned();
        }
    }
    panic!("{host} is in no segment: {segments}")
}

#[test]
fn two_clusters_feeding_one_api_each_notify_their_own_lost_compute_once() {
    let stage = Stage::install("tcl").unwrap();
    let first = lab("tcla", &stage);
    let second = lab("tclb", &stage);
    let feed: Feed = shared_api::feed(&first, &second).unwrap();
    let first_monitor = Monitor::start(&first, &MonitorSetup::default()).unwrap();
    let second_monitor = Monitor::start(
        &second,
        &MonitorSetup {
            extra_sections: feed.host_names_toml(),
            overrides: vec![format!("masakari.endpoint={}", feed.endpoint)],
            ..MonitorSetup::default()
        },
    )
    .unwrap();
    let monitors = [&first_monitor, &second_monitor];
    let check = second
        .on_node(
            masakari_lab::Machine::Controller(1),
            "masakari-hostmonitor",
            &[
                "check",
                "--config",
                &second_monitor.config_file().display().to_string(),
                "--set",
                &format!("masakari.endpoint={}", feed.endpoint),
            ],
        )
        .unwrap_or_else(|e| panic!("check of the second cluster's monitor: {e}"));
    // Its nodes are found in the shared API under their [host_names] names.
    assert!(
        check.contains("all 2 watched nodes are hosts of Masakari segments"),
        "{check}"
    );

    first.kill_remoted("compute1").unwrap();
    second.kill_remoted("compute1").unwrap();
    let ours = feed.host_name("compute1").unwrap();
    for (host, segment) in [
        ("compute1", masakari_lab::masakari::SEGMENT),
        (ours, feed.segment.as_str()),
    ] {
        let stored = wait_stored(&first, host, &monitors);
        assert_eq!(stored[0].kind, "COMPUTE_HOST");
        assert_eq!(stored[0].payload["host_status"], "NORMAL");
        assert_eq!(segment_of(&first, host), segment);
    }
    // Alerts, reconciles and retries add nothing; the other computes, and the second cluster's
    // own API, have nothing.
    std::thread::sleep(Duration::from_secs(8));
    for host in ["compute1", ours] {
        assert_eq!(
            notifications_for(first.layout(), host).unwrap().len(),
            1,
            "{host}"
        );
    }
    let others = ["compute2", feed.host_name("compute2").unwrap()];
    for host in others {
        assert!(notifications_for(first.layout(), host).unwrap().is_empty());
    }
    assert!(second.notifications().unwrap().is_empty());
    assert!(host_uuids(first.layout()).unwrap().contains_key(ours));
}
