use super::*;

fn alert(vars: &[(&str, &str)]) -> Alert {
    Alert::from_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

#[test]
fn node_lost_and_member_become_events() {
    let lost = alert(&[
        ("CRM_alert_kind", "node"),
        ("CRM_alert_node", "compute1"),
        ("CRM_alert_desc", "lost"),
    ]);
    assert_eq!(
        lost.event().unwrap(),
        Some(Event::NodeLost {
            node: "compute1".into()
        })
    );
    let back = alert(&[
        ("CRM_alert_kind", "node"),
        ("CRM_alert_node", "compute1"),
        ("CRM_alert_desc", "member"),
    ]);
    assert_eq!(
        back.event().unwrap(),
        Some(Event::NodeMember {
            node: "compute1".into()
        })
    );
}

#[test]
fn fencing_success_and_failure_carry_pacemakers_time() {
    // As Pacemaker 2.1.5 sets them (captured in the lab).
    let vars = |rc: &'static str, action: &'static str| {
        let desc = format!(
            "Operation {action} of compute1 by ctl1 for pacemaker-controld.15330@ctl1: OK (ref=f526d21a)"
        );
        alert(&[
            ("CRM_alert_kind", "fencing"),
            ("CRM_alert_node", "compute1"),
            ("CRM_alert_task", "st_notify_fence"),
            ("CRM_alert_desc", &desc),
            ("CRM_alert_rc", rc),
            ("CRM_alert_timestamp_epoch", "1764140470"),
            ("CRM_alert_timestamp_usec", "250000"),
        ])
    };
    let at = Timestamp::from_unix(1_764_140_470, 250_000);
    assert_eq!(
        vars("0", "reboot").event().unwrap(),
        Some(Event::Fencing {
            target: "compute1".into(),
            outcome: FenceOutcome::Succeeded,
            at
        })
    );
    assert_eq!(
        vars("1", "off").event().unwrap(),
        Some(Event::Fencing {
            target: "compute1".into(),
            outcome: FenceOutcome::Failed,
            at
        })
    );
    assert_eq!(
        vars("0", "on").event().unwrap(),
        None,
        "unfencing confirms nothing"
    );
}

#[test]
fn incomplete_alerts_are_errors_and_other_kinds_are_ignored() {
    let no_node = alert(&[("CRM_alert_kind", "node"), ("CRM_alert_desc", "lost")]);
    assert!(no_node.event().is_err());
    let no_time = alert(&[
        ("CRM_alert_kind", "fencing"),
        ("CRM_alert_node", "c"),
        ("CRM_alert_desc", "Operation off of c by ctl1 for x: OK"),
        ("CRM_alert_rc", "0"),
    ]);
    assert!(
        no_time
            .event()
            .unwrap_err()
            .to_string()
            .contains("CRM_alert_timestamp_epoch")
    );
    let resource = alert(&[("CRM_alert_kind", "resource"), ("CRM_alert_node", "c")]);
    assert_eq!(resource.event().unwrap(), None);
}

#[test]
fn the_wire_keeps_only_alert_variables() {
    let a = Alert::from_env([
        ("CRM_alert_kind".to_string(), "node".to_string()),
        ("PATH".to_string(), "/usr/bin".to_string()),
    ]);
    let line = a.encode();
    assert!(line.ends_with('\n') && !line.contains("PATH"));
    assert_eq!(Alert::decode(line.as_bytes()).unwrap(), a);
}

#[test]
fn hostile_lines_are_rejected_not_panicked_on() {
    for bad in [&b"not json"[..], b"[1,2]", b"{\"a\": 1}", b"\xff\xfe", b""] {
        assert!(Alert::decode(bad).is_err(), "{bad:?}");
    }
    let long = vec![b' '; MAX_LINE + 1];
    assert_eq!(Alert::decode(&long), Err(AlertError::TooLong(MAX_LINE + 1)));
}

#[test]
fn fence_actions_are_read_from_the_description() {
    assert_eq!(
        fence_action("Operation reboot of compute1 by ctl1 for x: OK"),
        Some("reboot")
    );
    assert_eq!(
        fence_action("Operation on of compute1 by ctl1 for x: OK"),
        Some("on")
    );
    for bad in [
        "",
        "Operation",
        "Operation off",
        "Operation off to x",
        "Something else",
    ] {
        assert_eq!(fence_action(bad), None, "{bad}");
    }
}

#[test]
fn only_alerts_about_nodes_fencing_and_known_connections_are_worth_a_reconcile() {
    let known = |name: &str| name == "compute1";
    let of = |kind: &str, rsc: &str| {
        alert(&[
            ("CRM_alert_kind", kind),
            ("CRM_alert_node", "ctl1"),
            ("CRM_alert_rsc", rsc),
        ])
    };
    assert!(of("node", "").concerns(known));
    assert!(of("fencing", "").concerns(known));
    assert!(of("resource", "compute1").concerns(known));
    assert!(!of("resource", "haproxy-clone").concerns(known));
    assert!(!of("attribute", "").concerns(known));
    assert!(!alert(&[("CRM_alert_kind", "resource")]).concerns(known));
}

#[test]
fn alerts_about_a_watched_service_and_its_fail_count_are_worth_a_reconcile() {
    let known = |name: &str| name == "nova";
    let resource = |rsc: &str| alert(&[("CRM_alert_kind", "resource"), ("CRM_alert_rsc", rsc)]);
    assert!(resource("nova").concerns(known));
    assert!(resource("nova:3").concerns(known));
    assert!(!resource("nova:").concerns(known));
    assert!(!resource("novax").concerns(known));
    let attribute = |name: &str| {
        alert(&[
            ("CRM_alert_kind", "attribute"),
            ("CRM_alert_attribute_name", name),
        ])
    };
    assert!(attribute("fail-count-nova#monitor_10000").concerns(known));
    assert!(attribute("fail-count-nova:1#start_0").concerns(known));
    assert!(attribute("fail-count-nova").concerns(known));
    assert!(!attribute("last-failure-nova#monitor_10000").concerns(known));
    assert!(!attribute("fail-count-haproxy#monitor_10000").concerns(known));
    assert!(!attribute("standby").concerns(known));
}
