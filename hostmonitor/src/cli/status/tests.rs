use super::*;
use crate::control::tests::{sample, t};

fn render(answer: &StatusAnswer) -> String {
    let mut out = Vec::new();
    write(answer, t(20), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn shows_health_hosts_and_pending_notifications() {
    let text = render(&sample());
    let expected_lines = [
        "quorum:        yes (corosync: quorate)",
        "corosync link: connected since 2023-11-14T22:13:20Z (20s ago)",
        "hold:          none",
        "pacemaker:     ok (version over the CIB manager's IPC)",
        "masakari api:  FAILING: POST http://m/v1/notifications: connection refused",
        "alerts:        3 accepted, 1 refused",
        "record:        from the cluster copy: the cluster copy is the newer",
        "               generation 7; cluster copy current",
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
    let process = text
        .lines()
        .find(|l| l.starts_with("cmp2 ") && l.contains("nova-compute"));
    let process = process.unwrap_or_else(|| panic!("no process row in\n{text}"));
    assert!(
        process.contains("PACEMAKER GAVE UP 2023-11-14T22:13:35Z (5s ago)"),
        "{process}"
    );
    let pending = text
        .lines()
        .find(|l| l.starts_with("cmp2/nova-compute/1/process-stopped"))
        .unwrap_or_else(|| panic!("no pending process notification in\n{text}"));
    assert!(
        pending.contains("PROCESS STOPPED NOVA-COMPUTE"),
        "{pending}"
    );
}

#[test]
fn a_hold_lost_quorum_and_a_broken_corosync_link_are_loud() {
    let mut a = sample();
    a.engine.mass_failure_hold = true;
    a.engine.quorate = Some(false);
    a.health.corosync = Some(CorosyncLink::Reconnecting {
        since: t(5),
        last_error: "quorum dispatch ended: ERR_LIBRARY".into(),
        next_attempt: t(24),
    });
    let text = render(&a);
    assert!(
        text.contains("MASS FAILURE:  holding all notifications"),
        "{text}"
    );
    assert!(text.contains("quorum:        NO (holding"), "{text}");
    assert!(
        text.contains(
            "corosync link: RECONNECTING since 2023-11-14T22:13:25Z (15s ago) \
             (last error: quorum dispatch ended: ERR_LIBRARY; next attempt 2023-11-14T22:13:44Z (in 4s))"
        ),
        "{text}"
    );
}

#[test]
fn a_dismissed_episode_is_loud_in_its_hosts_row() {
    let mut a = sample();
    a.engine.hosts[0].pending.clear();
    a.engine.hosts[0].dismissed = true;
    a.engine.hosts[1].processes.clear();
    let text = render(&a);
    let cmp1 = text.lines().find(|l| l.starts_with("cmp1 ")).unwrap();
    assert!(
        cmp1.contains("confirmed off, DISMISSED by an operator (nothing more sent)"),
        "{text}"
    );
    assert!(text.contains("no pending notifications"), "{text}");
}

#[test]
fn a_fresh_daemon_renders() {
    let mut a = sample();
    a.engine.hosts.clear();
    a.engine.quorate = None;
    a.health = HealthView::default();
    let text = render(&a);
    assert!(text.contains("quorum:        unknown yet"), "{text}");
    assert!(
        text.contains("corosync link: ? (the daemon does not say)"),
        "{text}"
    );
    assert!(text.contains("pacemaker:     not tried yet"), "{text}");
    assert!(text.contains("no watched hosts"), "{text}");
    assert!(text.contains("no pending notifications"), "{text}");
}

#[test]
fn the_pacemaker_line_says_when_the_version_comes_from_cibadmin() {
    let mut a = sample();
    a.health.cib_ipc = Some(false);
    let text = render(&a);
    let line = "pacemaker:     ok (version by cibadmin: the CIB manager's IPC cannot be reached)";
    assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    a.health.cib_ipc = None;
    assert!(render(&a).lines().any(|l| l == "pacemaker:     ok"));
}

#[test]
fn the_record_line_says_which_copy_and_whether_the_cluster_holds_it() {
    let mut a = sample();
    a.record = Some(StoreView {
        source: Source::LocalFile,
        reason: "the cluster holds no record".into(),
        generation: 3,
        cluster_current: false,
        cluster_error: Some("attrd_updater exited 1".into()),
        local_error: Some("disk full".into()),
    });
    let text = render(&a);
    for line in [
        "record:        from the LOCAL FILE: the cluster holds no record",
        "               generation 3; cluster copy NOT DURABLE (holding notifications): attrd_updater exited 1",
        "               local file FAILING: disk full",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
    a.record = None;
    let older = render(&a);
    assert!(
        older.contains("record:        ? (the daemon does not say)"),
        "{older}"
    );
}

#[test]
fn an_overdue_notification_shows_its_attempts_and_last_error() {
    let mut a = sample();
    let p = &mut a.engine.hosts[0].pending[0];
    p.in_flight = false;
    p.retry_at = Some(t(21));
    p.attempts = 14;
    p.overdue = true;
    p.last_error = Some("503 from http://api".into());
    let text = render(&a);
    assert!(
        text.contains("retry 2023-11-14T22:13:41Z (in 1s)"),
        "{text}"
    );
    assert!(text.contains("14 OVERDUE"), "{text}");
    assert!(text.contains("503 from http://api"), "{text}");
}
