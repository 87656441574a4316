use super::*;
use crate::engine::{
    Config, Engine, Event, FenceHistory, FenceOutcome, NodeKind, NodeView, Snapshot,
};

fn t(s: u64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000 + s, 0)
}

/// A status answer as the daemon builds it, from a real engine: cmp1 lost and fenced (its
/// notification pending), cmp2 online.
fn answer() -> Value {
    let mut engine = Engine::new(Config::default());
    let node = |name: &str, online| NodeView {
        name: name.into(),
        kind: NodeKind::Remote,
        online,
        unclean: !online,
        fencing: FenceHistory::default(),
    };
    engine.on_event(
        t(0),
        Event::Snapshot(Snapshot {
            taken_at: t(0),
            local_node: "ctl1".into(),
            quorate: true,
            nodes: vec![node("cmp1", true), node("cmp2", true)],
        }),
    );
    engine.on_event(
        t(10),
        Event::NodeLost {
            node: "cmp1".into(),
        },
    );
    engine.on_event(
        t(14),
        Event::Fencing {
            target: "cmp1".into(),
            outcome: FenceOutcome::Succeeded,
            at: t(14),
        },
    );
    let status = engine.status();
    serde_json::json!({
        "engine": status,
        "cib_ok": true,
        "cib_error": null,
        "api_ok": false,
        "api_error": "POST http://m/v1/notifications: connection refused",
        "quorate": status.quorate,
        "corosync_quorate": null,
        "alerts_accepted": 3,
        "alerts_refused": 1,
    })
}

fn render(answer: &Value) -> String {
    let mut out = Vec::new();
    write(answer, t(20), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn shows_health_hosts_and_pending_notifications() {
    let text = render(&answer());
    let expected_lines = [
        "quorum:        yes (corosync: not reachable)",
        "hold:          none",
        "pacemaker:     ok",
        "masakari api:  FAILING: POST http://m/v1/notifications: connection refused",
        "alerts:        3 accepted, 1 refused",
    ];
    for line in expected_lines {
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
    let cmp1 = text.lines().find(|l| l.starts_with("cmp1 ")).unwrap();
    assert!(cmp1.contains("remote"), "{cmp1}");
    assert!(
        cmp1.contains("LOST 2023-11-14T22:13:30Z (10s ago), confirmed off"),
        "{cmp1}"
    );
    let cmp2 = text.lines().find(|l| l.starts_with("cmp2 ")).unwrap();
    assert!(cmp2.contains("online"), "{cmp2}");
    let pending = text
        .lines()
        .find(|l| l.starts_with("cmp1/1/stopped-normal"))
        .unwrap();
    assert!(pending.contains("STOPPED/OFFLINE/NORMAL"), "{pending}");
    assert!(pending.contains("sending now"), "{pending}");
}

#[test]
fn a_hold_and_lost_quorum_are_loud() {
    let mut a = answer();
    a["engine"]["mass_failure_hold"] = true.into();
    a["quorate"] = false.into();
    let text = render(&a);
    assert!(
        text.contains("MASS FAILURE:  holding all notifications"),
        "{text}"
    );
    assert!(text.contains("quorum:        NO (holding"), "{text}");
}

#[test]
fn an_empty_or_foreign_answer_still_renders() {
    let text = render(&serde_json::json!({}));
    assert!(text.contains("quorum:        unknown yet"), "{text}");
    assert!(text.contains("no watched hosts"), "{text}");
    assert!(text.contains("no pending notifications"), "{text}");
    let odd = serde_json::json!({"engine": {"hosts": [{"name": 5, "pending": [
        {"retry_at": 1, "attempts": 14, "overdue": true, "last_error": "503 from http://api"}]}]}});
    let text = render(&odd);
    assert!(text.contains("retry 1970-01-01T00:00:00Z"), "{text}");
    assert!(text.contains("14 OVERDUE"), "{text}");
    assert!(text.contains("503 from http://api"), "{text}");
}
