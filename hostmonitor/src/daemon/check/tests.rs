use super::*;
use crate::engine::{FenceHistory, NodeKind, NodeView};

fn snapshot(quorate: bool, nodes: &[(&str, NodeKind, bool)]) -> Snapshot {
    Snapshot {
        taken_at: now(),
        local_node: "ctl1".into(),
        quorate,
        nodes: nodes
            .iter()
            .map(|(name, kind, online)| NodeView {
                name: (*name).into(),
                kind: *kind,
                online: *online,
                unclean: false,
                fencing: FenceHistory::default(),
            })
            .collect(),
    }
}

fn remotes(_: &str, kind: NodeKind) -> bool {
    kind == NodeKind::Remote
}

#[test]
fn the_cluster_view_is_judged() {
    let nodes = [
        ("ctl1", NodeKind::Member, true),
        ("cmp1", NodeKind::Remote, true),
        ("cmp2", NodeKind::Remote, false),
    ];
    let ok = judge_snapshot(&snapshot(true, &nodes), "ctl1", remotes);
    assert_eq!(ok.verdict, Verdict::Ok);
    assert_eq!(
        ok.detail,
        "crm_mon: 3 nodes, 2 watched (1 offline); this node is ctl1; quorate"
    );
    let no_quorum = judge_snapshot(&snapshot(false, &nodes), "ctl1", remotes);
    assert_eq!(no_quorum.verdict, Verdict::Warn);
    assert!(no_quorum.detail.contains("NO QUORUM"));
    let members_only = judge_snapshot(&snapshot(true, &nodes[..1]), "ctl1", remotes);
    assert_eq!(members_only.verdict, Verdict::Warn);
    assert!(members_only.detail.contains("monitor.watch_"));
}

#[test]
fn crm_mon_failures_get_a_reason() {
    use std::os::unix::process::ExitStatusExt as _;
    let not_connected = ProcessError::Failed {
        program: "crm_mon".into(),
        status: std::process::ExitStatus::from_raw(102 << 8),
        stderr: String::new(),
    };
    assert_eq!(
        crm_mon_failure(&not_connected),
        "crm_mon failed (exit status: 102): Pacemaker is not running on this node, or I may not \
         connect to it (root or the haclient group)"
    );
    let missing = ProcessError::Spawn {
        program: "crm_mon".into(),
        source: std::sync::Arc::new(std::io::ErrorKind::NotFound.into()),
    };
    assert!(crm_mon_failure(&missing).contains("is Pacemaker running"));
}

#[test]
fn the_running_daemons_corosync_link_is_judged() {
    use crate::control::tests::{sample, t};
    use crate::control::{CorosyncLink, client::ControlError};
    let up = daemon_link(Ok(sample()), t(20));
    assert_eq!(up.verdict, Verdict::Ok);
    assert_eq!(
        up.detail,
        "the running monitor's: connected since 2023-11-14T22:13:20Z (20s ago)"
    );
    let mut down = sample();
    down.health.corosync = Some(CorosyncLink::Reconnecting {
        since: t(5),
        last_error: "cannot connect to corosync's quorum service: CS_ERR_LIBRARY".into(),
        next_attempt: t(21),
    });
    let down = daemon_link(Ok(down), t(20));
    assert_eq!(down.verdict, Verdict::Warn);
    assert!(
        down.detail.contains("RECONNECTING since"),
        "{}",
        down.detail
    );
    assert!(down.detail.contains("CS_ERR_LIBRARY"), "{}", down.detail);
    let path = std::path::PathBuf::from("/run/hm/control.sock");
    let none = daemon_link(Err(ControlError::NotRunning { path }), t(20));
    assert_eq!(none.verdict, Verdict::Ok);
    assert!(
        none.detail.starts_with("no monitor runs here"),
        "{}",
        none.detail
    );
}

#[test]
fn hung_detection_warns_above_ten_seconds_or_when_never_fenced() {
    let cib = |ops: &str, device_params: &str| {
        cib::Cib::parse(&format!(
            "<cib><configuration><crm_config><cluster_property_set id=\"o\">\
             <nvpair id=\"s\" name=\"stonith-enabled\" value=\"true\"/></cluster_property_set>\
             </crm_config><nodes/><resources>\
             <primitive id=\"compute1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">\
             <operations>{ops}</operations></primitive>\
             <primitive id=\"f1\" class=\"stonith\" type=\"fence_ipmilan\">\
             <instance_attributes id=\"f1-ia\">\
             <nvpair id=\"f1-hl\" name=\"pcmk_host_list\" value=\"compute1\"/>{device_params}\
             </instance_attributes></primitive></resources><constraints/></configuration>\
             <status/></cib>"
        ))
        .unwrap()
        .remote_watches()
    };
    let op = |interval: &str, timeout: &str, extra: &str| {
        format!(
            "<op id=\"m\" name=\"monitor\" interval=\"{interval}\" timeout=\"{timeout}\" {extra}/>"
        )
    };
    let shipped = judge_detection(&cib(&op("3s", "5s", ""), ""));
    assert_eq!(shipped.verdict, Verdict::Ok);
    assert_eq!(shipped.detail, "if hung: compute1: found within 8.0 s");
    let defaults = judge_detection(&cib(&op("60s", "30s", ""), ""));
    assert_eq!(defaults.verdict, Verdict::Warn);
    assert!(defaults.detail.contains("compute1: found within 90.0 s"));
    let delay = "<nvpair id=\"d\" name=\"pcmk_delay_max\" value=\"5s\"/>";
    let delayed = judge_detection(&cib(&op("3s", "5s", ""), delay));
    assert_eq!(delayed.verdict, Verdict::Warn);
    assert!(
        delayed
            .detail
            .contains("fencing starts within 13.0 s (pcmk_delay_* up to 5.0 s)"),
        "{}",
        delayed.detail
    );
    let ignored = judge_detection(&cib(&op("3s", "5s", "on-fail=\"ignore\""), ""));
    assert_eq!(ignored.verdict, Verdict::Warn);
    assert!(
        ignored
            .detail
            .contains("never fenced: the monitor's on-fail=ignore replaces the reset"),
        "{}",
        ignored.detail
    );
}
