//! The protocol's tests, and [`sample`]: a status answer from a real engine for the readers' tests.

use serde_json::{Value, json};

use super::*;
use crate::engine::{
    Config, Engine, Event, FenceHistory, FenceOutcome, NodeKind, NodeView, NotificationId,
    ProcessState, ServiceView, Snapshot, Timestamp,
};

/// `s` seconds after 2023-11-14T22:13:20Z.
pub(crate) fn t(s: u64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000 + s, 0)
}

/// A status answer as the daemon builds it, from a real engine at `t(14)`: cmp1 lost at `t(10)`
/// and fenced at `t(14)` (its STOPPED notification pending, in flight), cmp2 online; the API
/// failing, Pacemaker read, corosync connected.
pub(crate) fn sample() -> StatusAnswer {
    let mut engine = Engine::new(Config::default());
    let node = |name: &str, online| NodeView {
        name: name.into(),
        kind: NodeKind::Remote,
        online,
        unclean: !online,
        fencing: FenceHistory::default(),
    };
    let snapshot = Snapshot {
        taken_at: t(0),
        local_node: "ctl1".into(),
        quorate: true,
        nodes: vec![node("cmp1", true), node("cmp2", true)],
    };
    engine.on_event(t(0), Event::Snapshot(snapshot));
    engine.on_event(
        t(10),
        Event::NodeLost {
            node: "cmp1".into(),
        },
    );
    let fenced = Event::Fencing {
        target: "cmp1".into(),
        outcome: FenceOutcome::Succeeded,
        at: t(14),
    };
    engine.on_event(t(14), fenced);
    let nova = ServiceView {
        host: "cmp2".into(),
        process_name: "nova-compute".into(),
        state: ProcessState::GaveUp,
    };
    engine.on_event(t(15), Event::Services(vec![nova]));
    StatusAnswer {
        engine: engine.status(),
        health: HealthView {
            cib_ok: Some(true),
            cib_ipc: Some(true),
            api_ok: Some(false),
            api_error: Some("POST http://m/v1/notifications: connection refused".into()),
            corosync_quorate: Some(true),
            corosync: Some(CorosyncLink::Connected { since: t(0) }),
            alerts_accepted: 3,
            alerts_refused: 1,
            ..HealthView::default()
        },
        record: Some(StoreView {
            source: Source::Cluster,
            reason: "the cluster copy is the newer".into(),
            generation: 7,
            cluster_current: true,
            ..StoreView::default()
        }),
    }
}

fn answer() -> StatusAnswer {
    let mut answer = sample();
    answer.health.corosync = Some(CorosyncLink::Reconnecting {
        since: t(0),
        last_error: "CS_ERR_LIBRARY".into(),
        next_attempt: t(2),
    });
    answer
}

#[test]
fn sample_has_a_lost_host_and_a_pending_notification() {
    let hosts = &sample().engine.hosts;
    assert_eq!(hosts.len(), 2);
    assert_eq!(hosts.iter().map(|h| h.pending.len()).sum::<usize>(), 1);
}
fn line(a: &StatusAnswer) -> String {
    Answer::Status(Box::new(a.clone())).to_line()
}

#[test]
fn the_status_line_keeps_its_shape() {
    let text = line(&answer());
    assert!(text.ends_with('\n') && !text.trim_end().contains('\n'));
    let value: Value = serde_json::from_str(&text).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "alerts_accepted",
            "alerts_refused",
            "api_error",
            "api_ok",
            "cib_error",
            "cib_ipc",
            "cib_ok",
            "corosync",
            "corosync_quorate",
            "engine",
            "quorate",
            "record",
        ]
    );
    assert_eq!(value["quorate"], true);
    assert_eq!(value["quorate"], value["engine"]["quorate"]);
    assert_eq!(value["corosync"]["state"], "reconnecting");
    assert_eq!(value["corosync"]["last_error"], "CS_ERR_LIBRARY");
    assert_eq!(value["record"]["source"], "cluster");
    assert_eq!(value["record"]["cluster_current"], true);
}

#[test]
fn a_status_line_reads_back() {
    let a = answer();
    let back: StatusAnswer = parse_answer(line(&a).as_bytes()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn a_newer_daemons_fields_and_an_older_daemons_gaps_are_accepted() {
    let mut value = serde_json::to_value(answer()).unwrap();
    value["from_the_future"] = json!({"x": 1});
    value["engine"]["from_the_future"] = json!(2);
    value["engine"]["hosts"][0]["from_the_future"] = json!(3);
    let newer: StatusAnswer = parse_answer(value.to_string().as_bytes()).unwrap();
    assert_eq!(newer, answer());
    value.as_object_mut().unwrap().remove("corosync");
    value.as_object_mut().unwrap().remove("record");
    let older: StatusAnswer = parse_answer(value.to_string().as_bytes()).unwrap();
    assert_eq!(older.health.corosync, None);
    assert_eq!(older.record, None);
}

#[test]
fn other_lines_are_refusals_or_malformed() {
    let refused = parse_answer::<StatusAnswer>(b"{\"error\":\"the engine has stopped\"}\n");
    assert!(matches!(refused, Err(AnswerError::Refused(e)) if e == "the engine has stopped"));
    let mut wrong_type = serde_json::to_value(answer()).unwrap();
    wrong_type["cib_ok"] = json!("no");
    let mut no_engine = serde_json::to_value(answer()).unwrap();
    no_engine.as_object_mut().unwrap().remove("engine");
    for odd in [
        b"".to_vec(),
        b"{\"cib_ok\":tr".to_vec(),
        b"[1,2]".to_vec(),
        b"null".to_vec(),
        wrong_type.to_string().into_bytes(),
        no_engine.to_string().into_bytes(),
    ] {
        let read = parse_answer::<StatusAnswer>(&odd);
        assert!(matches!(read, Err(AnswerError::Malformed(_))), "{read:?}");
    }
}

#[test]
fn release_and_error_answers() {
    let released = Answer::Released(Released { released: true }).to_line();
    assert_eq!(released, "{\"released\":true}\n");
    let error = Answer::error("only root may release held notifications").to_line();
    assert_eq!(
        error,
        "{\"error\":\"only root may release held notifications\"}\n"
    );
}

#[test]
fn requests_by_word() {
    assert_eq!("status\n".parse(), Ok(Request::Status));
    assert_eq!(" release ".parse(), Ok(Request::Release));
    let unknown = "stat".parse::<Request>().unwrap_err();
    assert_eq!(unknown.to_string(), "unknown request \"stat\"");
    assert_eq!(Request::Release.to_string(), "release");
}

#[test]
fn a_dismissal_carries_its_host_and_episode_both_ways() {
    for (dismiss, line) in [
        (
            Dismiss::new("compute-1", Some(4)).unwrap(),
            "dismiss compute-1 4",
        ),
        (Dismiss::new("rack/c1", None).unwrap(), "dismiss rack/c1"),
        (
            Dismiss::new("c1", Some(2))
                .and_then(|d| d.of_process("nova-compute"))
                .unwrap(),
            "dismiss-process c1 nova-compute 2",
        ),
        (
            Dismiss::new("c1", None)
                .and_then(|d| d.of_process("libvirtd"))
                .unwrap(),
            "dismiss-process c1 libvirtd",
        ),
    ] {
        let request = Request::Dismiss(dismiss);
        assert_eq!(request.to_string(), line);
        assert_eq!(format!("{line}\n").parse(), Ok(request));
    }
    for odd in [
        "dismiss",
        "dismiss c1 x",
        "dismiss c1 -1",
        "dismiss c1 1 2",
        "dismiss-process c1",
        "dismiss-process c1 nova x",
        "dismiss-process c1 nova 1 2",
        "status c1",
        "dismissc1",
    ] {
        assert!(odd.parse::<Request>().is_err(), "{odd}");
    }
    let long = "c".repeat(201);
    for bad in ["", "c 1", "c\n1", "c\u{7}", long.as_str()] {
        let refused = Dismiss::new(bad, None).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("is not a node or process name"),
            "{refused}"
        );
    }
    assert!(Dismiss::new(&"c".repeat(200), None).is_ok());
}

#[test]
fn a_dismissed_answer_reads_back() {
    let ids = ["c1/2/stopped-normal", "c1/2/started"];
    let dismissed = Dismissed {
        host: "c1".into(),
        process: None,
        episode: 2,
        dropped: ["stopped-normal", "started"]
            .map(|kind| NotificationId::new("c1", 2, kind))
            .to_vec(),
        in_flight: None,
        durable: true,
    };
    let line = Answer::Dismissed(dismissed.clone()).to_line();
    let value: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(value["dropped"], json!(ids));
    assert_eq!(value["in_flight"], Value::Null);
    assert_eq!(
        parse_answer::<Dismissed>(line.as_bytes()).unwrap(),
        dismissed
    );
    let refused =
        Answer::error("dismissal of host c1 refused: nothing of its episode 2 is pending");
    let read = parse_answer::<Dismissed>(refused.to_line().as_bytes());
    assert!(matches!(read, Err(AnswerError::Refused(e)) if e.contains("nothing of its episode")));
}
