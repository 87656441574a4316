//! The model read from the corpus: fencing choice, IPMI parameters, quorum, DC, alerts,
//! and the newer timestamp spelling of node_state membership.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

use cib::{Cib, Eligibility, NodeKind};

fn corpus(name: &str) -> Cib {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    Cib::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn healthy_cluster_header_and_configuration() {
    let cib = corpus("healthy-remotes.xml");
    assert!(cib.have_quorum);
    assert_eq!(cib.dc_uuid.as_deref(), Some("1"));
    assert!(cib.options.stonith_enabled());
    assert_eq!(cib.stonith_devices().count(), 5);
    assert_eq!(cib.alerts.len(), 1);
    assert_eq!(cib.alerts[0].recipients, ["/run/masakari-pcmk/alerts"]);
    assert_eq!(cib.fencing_levels.len(), 2);
    let kinds: Vec<(String, NodeKind)> = cib
        .node_statuses()
        .into_iter()
        .map(|n| (n.name, n.kind))
        .collect();
    assert!(kinds.contains(&("cmp1".to_owned(), NodeKind::Remote)));
    assert!(kinds.contains(&("ctl1".to_owned(), NodeKind::Member)));
    assert!(cib.node_status("ctl1").unwrap().is_dc);
}

#[test]
fn fence_devices_follow_host_list_and_topology() {
    let cib = corpus("healthy-remotes.xml");
    let cmp1 = cib.fence_devices_for("cmp1");
    assert_eq!(
        cmp1.iter().map(|d| d.id()).collect::<Vec<_>>(),
        ["fence-cmp1"]
    );
    assert_eq!(cmp1[0].eligibility, Eligibility::Listed);
    assert_eq!(cmp1[0].agent(), "fence_ipmilan");
    let params = cmp1[0].params();
    assert_eq!(params.get("ip"), Some("127.0.0.1"));
    assert_eq!(params.get("ipport"), Some("6234"));
    assert_eq!(params.get("username"), Some("admin"));
    assert_eq!(params.get("password"), Some("secret4"));
    assert_eq!(params.get("lanplus"), Some("1"));
    assert_eq!(params.get("cipher"), Some("3"));
    assert!(!format!("{params:?}").contains("secret4"));
    let cmp2: Vec<(String, Option<u8>)> = cib
        .fence_devices_for("CMP2")
        .iter()
        .map(|d| (d.id().to_owned(), d.level))
        .collect();
    assert_eq!(
        cmp2,
        [
            ("fence-cmp2".into(), Some(1)),
            ("fence-ctl1".into(), Some(2)),
            ("fence-ctl2".into(), Some(2))
        ]
    );
    assert!(cib.fence_devices_for("nobody").is_empty());
}

#[test]
fn passwords_never_print() {
    let cib = corpus("healthy-remotes.xml");
    let text = format!("{cib:?}");
    assert!(!text.contains("secret1"), "password leaked in Debug output");
}

#[test]
fn host_map_and_check_none() {
    let xml = r#"<cib><configuration><crm_config/><nodes/><resources>
      <primitive id="pdu" class="stonith" type="fence_apc"><instance_attributes id="a">
        <nvpair id="a1" name="pcmk_host_map" value="cmp1:3;cmp2:4"/></instance_attributes></primitive>
      <primitive id="any" class="stonith" type="fence_dummy"><instance_attributes id="b">
        <nvpair id="b1" name="pcmk_host_check" value="none"/></instance_attributes></primitive>
      <primitive id="off" class="stonith" type="fence_dummy"><meta_attributes id="c">
        <nvpair id="c1" name="target-role" value="Stopped"/></meta_attributes></primitive>
    </resources></configuration></cib>"#;
    let cib = Cib::parse(xml).unwrap();
    let devices = cib.fence_devices_for("cmp2");
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0].port.as_deref(), Some("4"));
    assert_eq!(devices[1].eligibility, Eligibility::Any);
}

#[test]
fn newer_pacemaker_timestamps_mean_member() {
    let xml = r#"<cib have-quorum="1" dc-uuid="1"><configuration><crm_config/>
      <nodes><node id="1" uname="a"/><node id="2" uname="b"/></nodes><resources/></configuration>
      <status>
        <node_state id="1" uname="a" in_ccm="1700000000" crmd="1700000001" join="member" expected="member"/>
        <node_state id="2" uname="b" in_ccm="0" crmd="0" join="down" expected="down"/>
      </status></cib>"#;
    let cib = Cib::parse(xml).unwrap();
    let a = cib.node_status("a").unwrap();
    assert!(a.online && !a.unclean && a.is_dc);
    let b = cib.node_status("b").unwrap();
    assert!(!b.online && !b.unclean);
}

#[test]
fn unknown_elements_are_ignored_and_bad_input_is_an_error() {
    let xml = r#"<cib future="x"><configuration><crm_config/><gizmo><a/></gizmo><nodes><node id="1" uname="a"/><node uname="noid"/></nodes></configuration></cib>"#;
    let cib = Cib::parse(xml).unwrap();
    assert_eq!(cib.nodes.len(), 1);
    assert_eq!(cib.warnings.len(), 1);
    assert!(Cib::parse("<cib>").is_err());
    assert!(Cib::parse("<nodes/>").is_err());
    assert!(Cib::parse("<cib/>").is_err());
}

#[test]
fn lab_cib_fence_device_for_a_remote_compute() {
    let cib = corpus("lab-healthy-3ctl-1remote.xml");
    let devices = cib.fence_devices_for("compute1");
    assert_eq!(devices.len(), 1);
    let params = devices[0].params();
    assert_eq!(params.get("ip"), Some("10.250.0.141"));
    assert_eq!(params.get("ipport"), Some("623"));
    assert_eq!(params.get("username"), Some("admin"));
    assert!(params.get("password").is_some());
    assert_eq!(params.get("lanplus"), Some("1"));
    assert_eq!(params.get("cipher"), Some("3"));
    let compute1 = cib.node_status("compute1").unwrap();
    assert_eq!(compute1.kind, NodeKind::Remote);
    assert!(compute1.online && !compute1.unclean);
}
