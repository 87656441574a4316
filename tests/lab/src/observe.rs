//! What the lab reads back from Pacemaker: `crm_mon` and `stonith_admin --history` XML, read by the
//! product's own `cib` crate, and their JSON form for people.

use cib::{CrmMon, FenceEvent};
use serde_json::{Value, json};

use crate::error::{LabError, Result};

/// Reads `crm_mon -1 --output-as=xml`.
pub fn parse_crm_mon(xml: &str) -> Result<CrmMon> {
    CrmMon::parse(xml).map_err(|e| answer("crm_mon", &e))
}

/// Reads `stonith_admin --history '*' --verbose --output-as=xml`.
pub fn parse_fence_history(xml: &str) -> Result<Vec<FenceEvent>> {
    CrmMon::parse(xml)
        .map(|mon| mon.fence_history)
        .map_err(|e| answer("stonith_admin", &e))
}

/// Whether the partition has quorum and a DC.
pub fn quorate(view: &CrmMon) -> bool {
    view.with_quorum == Some(true) && view.dc.is_some()
}

/// The cluster's DC, quorum and nodes as JSON.
pub fn cluster_json(view: &CrmMon) -> Value {
    let nodes: Vec<Value> = view
        .nodes
        .iter()
        .map(
            |n| json!({"name": n.name, "kind": n.kind(), "online": n.online, "unclean": n.unclean}),
        )
        .collect();
    json!({"dc": view.dc, "quorum": view.with_quorum == Some(true), "nodes": nodes})
}

/// Fencing operations as JSON.
pub fn fence_history_json(events: &[FenceEvent]) -> Value {
    events
        .iter()
        .map(|e| {
            json!({"action": e.action, "target": e.target, "status": e.status.as_str(),
                   "completed": e.completed})
        })
        .collect()
}

fn answer(peer: &str, err: &cib::Error) -> LabError {
    LabError::Answer {
        peer: peer.to_owned(),
        detail: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dc_quorum_and_nodes() {
        let xml = r#"<pacemaker-result><summary>
            <current_dc present="true" name="ctl1" id="1" with_quorum="true"/></summary>
            <nodes><node name="ctl1" id="1" online="true" unclean="false" type="member"/>
            <node name="compute1" id="compute1" online="false" unclean="true" type="remote"/></nodes>
            </pacemaker-result>"#;
        let view = parse_crm_mon(xml).unwrap();
        assert!(quorate(&view));
        let c1 = view.node("compute1").unwrap();
        assert!(!c1.online && c1.unclean && c1.kind() == "remote");
        let shown = cluster_json(&view);
        assert_eq!(shown["dc"], "ctl1");
        assert_eq!(shown["nodes"][1]["kind"], "remote");
    }

    #[test]
    fn reads_the_fencers_list_as_json() {
        let xml = r#"<pacemaker-result><list name="fencing history" count="1">
            <fence_event action="reboot" target="compute1" status="success" completed="2026-11-26 10:10:38Z"/>
            </list><status code="0" message="OK"/></pacemaker-result>"#;
        let events = parse_fence_history(xml).unwrap();
        assert_eq!(fence_history_json(&events)[0]["status"], "success");
    }

    #[test]
    fn malformed_xml_is_an_error_naming_the_tool() {
        let err = parse_crm_mon("<a><b></a>").unwrap_err();
        assert!(err.to_string().contains("crm_mon"), "{err}");
    }
}
