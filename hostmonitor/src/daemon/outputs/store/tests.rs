//! The store against an in-memory cluster of attribute daemons.

use std::path::PathBuf;

use super::*;
use crate::daemon::outputs::attrd::fake::FakeAttrd;
use crate::engine::{
    Action, Config, Engine, Event, FenceHistory, NodeKind, NodeView, Snapshot, Timestamp,
};

/// A directory of its own per test.
fn dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hm-store-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Engine updates: computes c1..c3 seen online, then c1 lost.
fn updates() -> (RecordUpdate, RecordUpdate) {
    let mut engine = Engine::new(Config::default());
    let at = Timestamp::from_unix(1_700_000_000, 0);
    let nodes = (1..=3)
        .map(|i| NodeView {
            name: format!("c{i}"),
            kind: NodeKind::Remote,
            online: true,
            unclean: false,
            fencing: FenceHistory::default(),
        })
        .collect();
    let snapshot = Snapshot {
        taken_at: at,
        local_node: "ctl1".into(),
        quorate: true,
        nodes,
    };
    let first = persist(engine.on_event(at, Event::Snapshot(snapshot)));
    let lost = Event::NodeLost { node: "c1".into() };
    let second = persist(engine.on_event(at.saturating_add(Duration::from_secs(1)), lost));
    (first, second)
}

fn persist(actions: Vec<Action>) -> RecordUpdate {
    actions
        .into_iter()
        .find_map(|a| match a {
            Action::Persist(u) => Some(u),
            _ => None,
        })
        .unwrap()
}

async fn started<'a>(path: &Path, attrd: &'a FakeAttrd) -> Store<&'a FakeAttrd> {
    let mut store = Store::open(path, attrd).unwrap();
    store.load().await.unwrap();
    store
}

#[tokio::test]
async fn a_write_is_durable_only_once_the_cluster_took_it_and_is_retried_until_then() {
    let dir = dir("durable");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let (first, second) = updates();
    let mut store = started(&dir.join("state.json"), &attrd).await;
    store.apply(&[first]).await.unwrap();
    attrd.fail(true);
    assert!(matches!(
        store.apply(std::slice::from_ref(&second)).await,
        Err(StoreError::Cluster(_))
    ));
    assert!(store.retry_at().is_some(), "the cluster write is retried");
    assert!(!store.view().cluster_current);
    assert!(store.retry().await.is_err(), "still failing");
    attrd.fail(false);
    store.retry().await.unwrap();
    assert!(store.retry_at().is_none());
    assert!(store.view().cluster_current);
    let cluster = cluster_store::load(&attrd).await.unwrap().unwrap();
    assert_eq!(cluster.record, store.stored.record);
    assert!(cluster.record.hosts.contains_key("c1"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_stale_local_file_never_wins_over_a_newer_cluster_record() {
    let dir = dir("stale");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let (first, second) = updates();
    let mut on_ctl1 = started(&dir.join("ctl1.json"), &attrd).await;
    on_ctl1.apply(&[first]).await.unwrap();
    drop(on_ctl1);
    let mut on_ctl2 = started(&dir.join("ctl2.json"), &attrd).await;
    assert_eq!(on_ctl2.view().source, Source::Cluster);
    on_ctl2.apply(&[second]).await.unwrap();
    let newest = on_ctl2.stored.record.clone();
    drop(on_ctl2);
    let mut back_on_ctl1 = Store::open(&dir.join("ctl1.json"), &attrd).unwrap();
    let resumed = back_on_ctl1.load().await.unwrap();
    assert_eq!(resumed, Some(newest));
    let view = back_on_ctl1.view();
    assert_eq!(view.source, Source::Cluster, "{view:?}");
    assert!(view.reason.contains("is not newer"), "{view:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_local_file_newer_than_the_cluster_wins_and_is_written_to_it_whole() {
    let dir = dir("newer");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let (first, second) = updates();
    let path = dir.join("state.json");
    let mut store = started(&path, &attrd).await;
    store.apply(&[first]).await.unwrap();
    attrd.fail(true);
    assert!(store.apply(&[second]).await.is_err());
    let newest = store.stored.clone();
    drop(store);
    attrd.fail(false);
    let mut restarted = started(&path, &attrd).await;
    assert_eq!(restarted.view().source, Source::LocalFile);
    assert_eq!(restarted.stored, newest);
    assert!(!restarted.view().cluster_current);
    restarted.retry().await.unwrap();
    let cluster = cluster_store::load(&attrd).await.unwrap().unwrap();
    assert_eq!(cluster, newest);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn after_a_full_cluster_restart_the_local_file_is_resumed_and_pushed() {
    let dir = dir("restart");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let (first, _) = updates();
    let path = dir.join("state.json");
    let mut store = started(&path, &attrd).await;
    store.apply(&[first]).await.unwrap();
    let written = store.stored.clone();
    drop(store);
    attrd.restart();
    let mut restarted = started(&path, &attrd).await;
    let view = restarted.view();
    assert_eq!(view.source, Source::LocalFile);
    assert!(view.reason.contains("holds no record"), "{view:?}");
    restarted.retry().await.unwrap();
    assert_eq!(cluster_store::load(&attrd).await.unwrap(), Some(written));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_monitor_started_before_the_cluster_answers_counts_nothing_durable_until_it_compares() {
    let dir = dir("unverified");
    let attrd = FakeAttrd::new(&["ctl1"]);
    let (first, second) = updates();
    let path = dir.join("state.json");
    let mut store = started(&path, &attrd).await;
    store.apply(&[first]).await.unwrap();
    drop(store);
    attrd.fail(true);
    let mut early = started(&path, &attrd).await;
    assert!(early.view().reason.contains("cannot be read"));
    attrd.fail(false);
    assert_eq!(early.retry_at(), None);
    early.apply(&[second]).await.unwrap();
    assert!(early.view().cluster_current);
    assert_eq!(
        cluster_store::load(&attrd).await.unwrap().unwrap().record,
        early.stored.record
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_cluster_record_found_newer_once_readable_stops_the_monitor() {
    let dir = dir("superseded");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let (first, second) = updates();
    let mut elsewhere = started(&dir.join("ctl2.json"), &attrd).await;
    attrd.fail(true);
    let mut early = started(&dir.join("ctl1.json"), &attrd).await;
    attrd.fail(false);
    elsewhere.apply(&[first]).await.unwrap();
    let result = early.apply(&[second]).await;
    assert!(
        matches!(result, Err(StoreError::Superseded { .. })),
        "{result:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_record_survives_any_controller_but_the_last_and_a_new_one_gets_it_whole() {
    let dir = dir("members");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2", "ctl3"]);
    let (first, second) = updates();
    let mut store = started(&dir.join("state.json"), &attrd).await;
    store.apply(&[first]).await.unwrap();
    attrd.lose("ctl1");
    attrd.join("ctl4");
    let before = attrd.updates();
    store.apply(&[second]).await.unwrap();
    let hosts = store.stored.record.hosts.len();
    // ctl2 and ctl3: c1's part and the commit; ctl4: every host, the guard and the commit; ctl1
    // (it held the record, and its loss is seen only while c1's part is written): c1's part.
    assert_eq!(attrd.updates() - before, 2 * 2 + hosts + 2 + 1);
    attrd.lose("ctl2");
    attrd.lose("ctl3");
    let cluster = cluster_store::load(&attrd).await.unwrap().unwrap();
    assert_eq!(cluster.record, store.stored.record);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_node_back_without_its_values_gets_the_record_whole_and_each_commit_follows_its_parts() {
    let dir = dir("rejoined");
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let (first, second) = updates();
    let mut store = started(&dir.join("state.json"), &attrd).await;
    store.apply(&[first]).await.unwrap();
    // ctl2 held the record; it leaves and comes back between two writes, its values gone.
    attrd.lose("ctl2");
    attrd.join("ctl2");
    let before = attrd.updates();
    store.apply(&[second]).await.unwrap();
    let log = attrd.log().split_off(before);
    let written = |node: &str| {
        log.iter()
            .filter(|(_, n)| n == node)
            .map(|(a, _)| a.as_str())
            .collect::<Vec<_>>()
    };
    let hosts = store.stored.record.hosts.len();
    assert_eq!(
        written("ctl1").len(),
        2,
        "c1's part and the commit: {log:?}"
    );
    assert_eq!(
        written("ctl2").len(),
        1 + hosts + 2,
        "c1's part, then all: {log:?}"
    );
    for node in ["ctl1", "ctl2"] {
        assert_eq!(
            written(node).last(),
            Some(&cluster_store::COMMIT),
            "{node}'s commit comes after its parts: {log:?}"
        );
    }
    attrd.lose("ctl1");
    let cluster = cluster_store::load(&attrd).await.unwrap().unwrap();
    assert_eq!(cluster.record, store.stored.record);
    std::fs::remove_dir_all(dir).unwrap();
}
