use super::*;
use crate::engine::{FenceHistory, NodeKind, NodeView};
use masakari_client::fake::{Fake, Reply};

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
fn api_answers_are_judged() {
    let url = "http://m/v1/segments";
    let judge = |status: u16, body: &str| {
        judge_segments(StatusCode::from_u16(status).unwrap(), body, url, "x")
    };
    let ok = judge(200, r#"{"segments": [{}, {}]}"#);
    assert_eq!(ok.verdict, Verdict::Ok);
    assert!(
        ok.detail.ends_with("200 OK, 2 failover segments"),
        "{}",
        ok.detail
    );
    let cases = [
        (200, "<html>", "not with Masakari's segment list"),
        (401, "{}", "refused the credentials"),
        (403, "{}", "needs the admin role"),
        (404, "", "should end in /v1"),
        (300, "{}", "300 Multiple Choices: the endpoint is not"),
        (503, "down", "503 Service Unavailable down"),
    ];
    for (status, body, expected) in cases {
        let f = judge(status, body);
        assert_eq!(f.verdict, Verdict::Fail, "{status}");
        assert!(f.detail.contains(expected), "{status}: {}", f.detail);
    }
}

fn settings(text: &str) -> Settings {
    Settings::parse(text, &[]).unwrap()
}

#[tokio::test]
async fn noauth2_gets_the_segments_with_its_token() {
    let fake = Fake::start(|_| Reply::new(200, r#"{"segments": []}"#)).await;
    let s = settings(&format!("[masakari]\nendpoint = \"{}/v1\"\n", fake.url));
    let f = masakari(&s).await.0;
    assert_eq!(f.verdict, Verdict::Ok, "{}", f.detail);
    assert!(
        f.detail.contains("with noauth2 as admin:admin"),
        "{}",
        f.detail
    );
    let seen = fake.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/segments")
    );
    assert_eq!(seen[0].headers["x-auth-token"], "admin:admin");
}

#[tokio::test]
async fn keystone_failures_are_told_apart_from_api_failures() {
    let fake = Fake::start(|r| {
        if r.path == "/v3/auth/tokens" {
            Reply::new(401, r#"{"error": {"message": "bad password"}}"#)
        } else {
            Reply::new(200, r#"{"segments": []}"#)
        }
    })
    .await;
    let s = settings(&format!(
        "[masakari]\nendpoint = \"{0}/v1\"\n[masakari.auth]\nmethod = \"keystone\"\n\
         auth_url = \"{0}\"\nusername = \"mon\"\npassword = \"topsecret\"\nproject_name = \"p\"\n",
        fake.url
    ));
    let f = masakari(&s).await.0;
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.detail.starts_with("a Keystone login as mon: Keystone"),
        "{}",
        f.detail
    );
    assert!(
        f.detail
            .contains("refused the login of mon: wrong password"),
        "{}",
        f.detail
    );
    assert!(!f.detail.contains("topsecret"));
}

#[tokio::test]
async fn an_unreachable_api_is_a_failure_naming_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let f = masakari(&settings(&format!("[masakari]\nendpoint = \"{url}\"\n")))
        .await
        .0;
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(
        f.detail.starts_with(&format!("GET {url}/segments: ")),
        "{}",
        f.detail
    );
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
