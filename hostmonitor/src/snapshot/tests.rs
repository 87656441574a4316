use super::*;

const T0: Timestamp = Timestamp::from_unix(1_764_140_000, 0);

fn crm_mon(nodes: &str, history: &str) -> String {
    format!(
        r#"<pacemaker-result api-version="2.25" request="crm_mon"><summary>
        <current_dc present="true" name="ctl1" id="1" with_quorum="true"/></summary>
        <nodes>{nodes}</nodes><fence_history>{history}</fence_history></pacemaker-result>"#
    )
}

#[test]
fn kinds_states_and_quorum_come_through() {
    let xml = crm_mon(
        r#"<node name="ctl1" id="1" online="true" unclean="false" type="member"/>
           <node name="compute1" id="compute1" online="false" unclean="true" type="remote"/>
           <node name="guest1" id="guest1" online="true" unclean="false" type="remote" id_as_resource="vm1"/>
           <node name="pingd" id="p" online="true" type="ping"/>"#,
        "",
    );
    let s = from_crm_mon(&xml, "", "ctl1", T0).unwrap();
    assert!(s.quorate);
    assert_eq!(s.local_node, "ctl1");
    let kinds: Vec<_> = s.nodes.iter().map(|n| (n.name.as_str(), n.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("ctl1", NodeKind::Member),
            ("compute1", NodeKind::Remote),
            ("guest1", NodeKind::Guest)
        ]
    );
    assert!(s.nodes[1].unclean && !s.nodes[1].online);
}

#[test]
fn fence_history_keeps_the_latest_power_off_of_each_outcome() {
    let xml = crm_mon(
        r#"<node name="compute1" id="compute1" online="false" unclean="false" type="remote"/>"#,
        r#"<fence_event action="reboot" target="compute1" status="success" completed="2026-11-26 07:00:10Z"/>
           <fence_event action="off" target="compute1" status="success" completed="2026-11-26 07:05:00Z"/>
           <fence_event action="on" target="compute1" status="success" completed="2026-11-26 07:09:00Z"/>
           <fence_event action="off" target="compute1" status="failed" completed="2026-11-26 07:04:00Z"/>
           <fence_event action="off" target="compute1" status="pending"/>
           <fence_event action="off" target="compute2" status="success" completed="2026-11-26 07:08:00Z"/>"#,
    );
    let s = from_crm_mon(&xml, "", "ctl1", T0).unwrap();
    let h = s.nodes[0].fencing;
    assert_eq!(h.last_success, parse_completed("2026-11-26 07:05:00Z"));
    assert_eq!(h.last_failure, parse_completed("2026-11-26 07:04:00Z"));
    assert!(h.pending);
}

#[test]
fn no_dc_is_not_a_verdict() {
    let xml = r#"<pacemaker-result><summary><current_dc present="false"/></summary><nodes/></pacemaker-result>"#;
    assert!(matches!(
        from_crm_mon(xml, "", "ctl1", T0),
        Err(SnapshotError::NoDc)
    ));
    assert!(from_crm_mon("<oops", "", "ctl1", T0).is_err());
}

#[test]
fn a_real_lab_reading_with_a_fenced_remote() {
    let xml = include_str!("../../tests/data/crm-mon-remote-fenced.xml");
    let s = from_crm_mon(xml, "", "ctl1", T0).unwrap();
    let c1 = s.nodes.iter().find(|n| n.name == "compute1").unwrap();
    assert!(!c1.online);
    assert!(c1.fencing.last_success.is_some());
}

#[test]
fn a_fence_with_an_unreadable_year_confirms_nothing() {
    let seeds = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/seeds/hostmonitor_snapshot"
    );
    for seed in ["fence-twelve-digit-year.xml", "fence-year-zero.xml"] {
        let xml = std::fs::read_to_string(format!("{seeds}/{seed}")).unwrap();
        let s = from_crm_mon(&xml, "", "ctl1", T0).unwrap();
        let c1 = s.nodes.iter().find(|n| n.name == "compute1").unwrap();
        assert!(!c1.online, "{seed}");
        assert_eq!(c1.fencing.last_success, None, "{seed}");
    }
}

#[test]
fn a_remote_whose_connection_is_still_starting_is_not_online() {
    let xml = include_str!("../../tests/data/crm-mon-remote-reconnecting.xml");
    let s = from_crm_mon(xml, "", "ctl1", T0).unwrap();
    let c1 = s.nodes.iter().find(|n| n.name == "compute1").unwrap();
    assert!(
        !c1.online,
        "crm_mon says online while the connection is Starting"
    );
    let c2 = s.nodes.iter().find(|n| n.name == "compute2").unwrap();
    assert!(c2.online);
}

#[test]
fn a_remote_whose_connection_failed_is_not_online() {
    let xml = crm_mon(
        r#"<node name="compute1" id="compute1" online="true" unclean="false" type="remote"/>"#,
        "",
    )
    .replace(
        "</pacemaker-result>",
        r#"<resources><resource id="compute1" resource_agent="ocf:pacemaker:remote" role="Started" failed="true"/></resources></pacemaker-result>"#,
    );
    let s = from_crm_mon(&xml, "", "ctl1", T0).unwrap();
    assert!(!s.nodes[0].online);
}

const PENDING: &str = include_str!("../../tests/data/crm-mon-remote-connection-pending.xml");

/// crm_mon while a fenced remote's new connection start is pending, read with `node_states`: it
/// says compute3 is online (its connection resource `Started`).
fn pending_connection(node_states: &str) -> Snapshot {
    from_crm_mon(PENDING, node_states, "ctl2", T0).unwrap()
}

fn online(s: &Snapshot, name: &str) -> bool {
    s.nodes.iter().find(|n| n.name == name).unwrap().online
}

#[test]
fn a_pending_connection_of_a_fenced_remote_is_not_online() {
    assert!(
        online(&pending_connection(""), "compute3"),
        "crm_mon's own verdict"
    );
    let states = include_str!("../../tests/data/remote-node-states-fenced.xml");
    let s = pending_connection(states);
    assert!(!online(&s, "compute3"));
    assert!(
        s.nodes
            .iter()
            .all(|n| n.kind != NodeKind::Remote || !n.online)
    );
    assert!(online(&s, "ctl2"), "members are not touched");
}

#[test]
fn connections_recorded_up_or_unknown_leave_crm_mons_verdict() {
    let up = r#"<node_state remote_node="true" id="compute3" uname="compute3" in_ccm="true"/>"#;
    assert!(online(&pending_connection(up), "compute3"));
    let since = r#"<xpath-query><node_state remote_node="true" id="compute3" uname="compute3"
        in_ccm="1795689629"/><node_state remote_node="true" id="compute9" uname="compute9"
        in_ccm="false"/></xpath-query>"#;
    assert!(
        online(&pending_connection(since), "compute3"),
        "a timestamp means a member"
    );
    let unknown = r#"<node_state remote_node="true" id="compute3" uname="compute3"/>"#;
    assert!(online(&pending_connection(unknown), "compute3"));
}

#[test]
fn unreadable_node_states_fail_the_reconcile() {
    assert!(from_crm_mon(PENDING, "<xpath-query><node_state", "ctl2", T0).is_err());
}
