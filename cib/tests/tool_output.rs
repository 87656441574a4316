//! `crm_mon` and `stonith_admin --history` output captured from the lab (`tests/data/tool-output/`).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

use cib::{CrmMon, FenceStatus};

fn tool_output(name: &str) -> CrmMon {
    let path = format!(
        "{}/tests/data/tool-output/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    CrmMon::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn summary(mon: &CrmMon) -> Vec<(&str, &str, FenceStatus, Option<&str>)> {
    mon.fence_history
        .iter()
        .map(|e| {
            let completed = e.completed.as_deref();
            (
                e.action.as_str(),
                e.target.as_str(),
                e.status.clone(),
                completed,
            )
        })
        .collect()
}

#[test]
fn stonith_admin_history_lists_a_completed_fence() {
    let mon = tool_output("stonith_admin-history-success.xml");
    assert_eq!(
        summary(&mon),
        [(
            "reboot",
            "compute1",
            FenceStatus::Success,
            Some("2026-11-26 10:10:38Z")
        )]
    );
    assert_eq!(mon.fence_history[0].delegate.as_deref(), Some("ctl1"));
    assert!(mon.nodes.is_empty());
}

#[test]
fn stonith_admin_history_keeps_pending_and_failed_attempts_in_order() {
    let mon = tool_output("stonith_admin-history-failed-and-pending.xml");
    assert_eq!(
        summary(&mon),
        [
            ("reboot", "compute2", FenceStatus::Pending, None),
            (
                "reboot",
                "compute2",
                FenceStatus::Failed,
                Some("2026-11-26 10:11:40Z")
            ),
            (
                "reboot",
                "compute1",
                FenceStatus::Success,
                Some("2026-11-26 10:10:38Z")
            ),
        ]
    );
}

#[test]
fn crm_mon_and_stonith_admin_agree_on_the_same_history() {
    let mon = tool_output("crm_mon-fencing-failed.xml");
    let admin = tool_output("stonith_admin-history-failed-and-pending.xml");
    assert_eq!(summary(&mon), summary(&admin));
    let compute2 = mon.nodes.iter().find(|n| n.name == "compute2").unwrap();
    assert!(compute2.unclean);
}

#[test]
fn cibadmin_xpath_answers_give_node_states() {
    let many = r#"<xpath-query>
  <node_state remote_node="true" id="compute1" uname="compute1" in_ccm="false" crm-debug-origin="remote_node_down" node_fenced="1795689556"/>
  <node_state remote_node="true" id="compute2" uname="compute2" in_ccm="true" crm-debug-origin="remote_node_up" node_fenced="0"/>
  <node_state remote_node="true" uname="nameless-id"/>
</xpath-query>"#;
    let states = cib::NodeState::parse_query(many).unwrap();
    let read: Vec<_> = states
        .iter()
        .map(|s| {
            (
                s.uname.as_str(),
                s.in_ccm.map(|m| m.is_member()),
                s.node_fenced,
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("compute1", Some(false), 1_795_689_556),
            ("compute2", Some(true), 0)
        ]
    );
    let one = r#"<node_state remote_node="true" id="c3" uname="c3" in_ccm="1795689629"/>"#;
    let states = cib::NodeState::parse_query(one).unwrap();
    assert!(states[0].remote_node && states[0].in_ccm.unwrap().is_member());
    assert!(cib::NodeState::parse_query("<cib/>").is_err());
    assert!(cib::NodeState::parse_query("<xpath-query><node_state").is_err());
}
