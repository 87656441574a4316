use std::time::Duration;

use super::rivals::{Rivals, Verdict};
use super::*;
use crate::daemon::outputs::attrd::fake::FakeAttrd;

const BEAT: Duration = Duration::from_millis(40);
const STALE: Duration = Duration::from_millis(120);
const FAST: Timing = Timing {
    beat: BEAT,
    stale: STALE,
};

fn claim(node: &str, pid: u32, beat: u64) -> Claim {
    Claim {
        node: node.into(),
        boot: "b1".into(),
        pid,
        beat,
    }
}

#[test]
fn a_starting_monitor_waits_on_a_claim_elsewhere_and_refuses_it_once_its_beat_moves() {
    let me = claim("ctl2", 10, 0);
    let mut rivals = Rivals::new(STALE);
    let t0 = Instant::now();
    let dead = |_| false;
    assert_eq!(
        rivals.judge(t0, &[claim("ctl1", 7, 3)], &me, false, dead),
        Verdict::Wait
    );
    let moved = claim("ctl1", 7, 4);
    let t1 = t0 + BEAT;
    assert_eq!(
        rivals.judge(t1, std::slice::from_ref(&moved), &me, false, dead),
        Verdict::Refuse(moved)
    );
}

#[test]
fn a_claim_whose_beat_stands_still_goes_stale() {
    let me = claim("ctl2", 10, 0);
    let mut rivals = Rivals::new(STALE);
    let t0 = Instant::now();
    let old = [claim("ctl1", 7, 3)];
    assert_eq!(rivals.judge(t0, &old, &me, false, |_| false), Verdict::Wait);
    assert_eq!(
        rivals.judge(t0 + STALE, &old, &me, false, |_| false),
        Verdict::Clear
    );
}

#[test]
fn on_this_node_a_claim_is_judged_at_once_by_its_process() {
    let me = claim("ctl1", 10, 0);
    let other = claim("ctl1", 7, 3);
    let t0 = Instant::now();
    let verdict =
        Rivals::new(STALE).judge(t0, std::slice::from_ref(&other), &me, false, |pid| pid == 7);
    assert_eq!(verdict, Verdict::Refuse(other.clone()));
    let verdict = Rivals::new(STALE).judge(t0, &[other], &me, false, |_| false);
    assert_eq!(verdict, Verdict::Clear);
    let rebooted = Claim {
        boot: "b0".into(),
        ..claim("ctl1", 7, 3)
    };
    assert_eq!(
        Rivals::new(STALE).judge(t0, &[rebooted], &me, false, |_| true),
        Verdict::Clear
    );
}

#[test]
fn of_two_started_at_once_the_node_sorting_first_stays() {
    let t0 = Instant::now();
    let t1 = t0 + BEAT;
    let (on_ctl1, on_ctl2) = (claim("ctl1", 7, 1), claim("ctl2", 9, 1));
    let mut at_ctl1 = Rivals::new(STALE);
    let mut at_ctl2 = Rivals::new(STALE);
    assert_eq!(
        at_ctl1.judge(t0, std::slice::from_ref(&on_ctl2), &on_ctl1, true, |_| {
            false
        }),
        Verdict::Clear
    );
    assert_eq!(
        at_ctl2.judge(t0, std::slice::from_ref(&on_ctl1), &on_ctl2, true, |_| {
            false
        }),
        Verdict::Clear
    );
    let (moved1, moved2) = (claim("ctl1", 7, 2), claim("ctl2", 9, 2));
    assert_eq!(
        at_ctl1.judge(t1, &[moved2], &on_ctl1, true, |_| false),
        Verdict::Clear
    );
    assert_eq!(
        at_ctl2.judge(t1, std::slice::from_ref(&moved1), &on_ctl2, true, |_| false),
        Verdict::Refuse(moved1)
    );
}

#[tokio::test]
async fn a_second_monitor_is_refused_while_the_first_beats_and_starts_once_it_stopped() {
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let mut first = Lease::new(&attrd, claim("ctl1", 7, 0), FAST);
    first.claim().await.unwrap();
    let (stop, stopped) = watch::channel(false);
    let mut second = Lease::new(&attrd, claim("ctl2", 9, 0), FAST);
    let refused = tokio::join!(first.run(stopped), async {
        let refused = second.claim().await;
        let _ = stop.send(true);
        refused
    });
    assert!(
        matches!(refused.1, Err(OwnerError::Active { ref node, .. }) if node == "ctl1"),
        "{refused:?}"
    );
    refused.0.unwrap();
    let mut third = Lease::new(&attrd, claim("ctl2", 9, 0), FAST);
    tokio::time::timeout(Duration::from_secs(1), third.claim())
        .await
        .expect("a cleared lease is claimed at once")
        .unwrap();
}

/// A claim of `node`'s monitor beating every [`BEAT`], `beats` times, as another monitor would.
async fn rival(attrd: &FakeAttrd, node: &str, beats: u64) {
    for beat in 1..=beats {
        let value = serde_json::to_string(&claim(node, 5, beat)).unwrap();
        attrd.update(OWNER, node, &value).await.unwrap();
        tokio::time::sleep(BEAT).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_settled_holder_reads_the_claims_every_third_beat_and_beats_every_beat() {
    let attrd = FakeAttrd::new(&["ctl1", "ctl2"]);
    let mut lease = Lease::new(&attrd, claim("ctl1", 7, 0), FAST);
    lease.claim().await.unwrap();
    let (stop, stopped) = watch::channel(false);
    let (ran, _) = tokio::join!(lease.run(stopped), async {
        tokio::time::sleep(BEAT * 30 + BEAT / 2).await;
        let _ = stop.send(true);
    });
    ran.unwrap();
    // 1 + 30 beats and the clearing write; every beat read while it settled (stale = 3 beats),
    // then every third.
    assert_eq!(attrd.updates(), 32);
    assert!(
        attrd.queries() <= 1 + 3 + 30 / 3,
        "{} reads",
        attrd.queries()
    );
}

#[tokio::test(start_paused = true)]
async fn a_settled_holder_still_yields_to_a_live_claim_of_a_node_sorting_first() {
    let attrd = FakeAttrd::new(&["ctl0", "ctl1"]);
    let mut lease = Lease::new(&attrd, claim("ctl1", 7, 0), FAST);
    lease.claim().await.unwrap();
    let (_stop, stopped) = watch::channel(false);
    let (ran, ()) = tokio::join!(
        tokio::time::timeout(BEAT * 100, lease.run(stopped)),
        async {
            tokio::time::sleep(BEAT * 10).await;
            rival(&attrd, "ctl0", 20).await;
        }
    );
    let ran = ran.expect("the holder yields while the rival beats");
    assert!(
        matches!(ran, Err(OwnerError::Active { ref node, .. }) if node == "ctl0"),
        "{ran:?}"
    );
}

#[test]
fn a_killed_unreaped_or_recycled_pid_holds_no_lease() {
    let own = "4242 (masakari-hostm) S 1 4242 4242 0 -1 4194560 1 0 0 0";
    let running = "1234 (masakari-hostm) S 1 1234 1234 0 -1 4194560 1 0 0 0";
    let zombie = "1234 (masakari-hostm) Z 1 1234 1234 0 -1 4194564 1 0 0 0";
    let recycled = "1234 (sleep) S 1 1234 1234 0 -1 4194560 1 0 0 0";
    let odd_name = "1234 (a) b (c) R 1 1234";
    assert!(runs_as(running, own));
    assert!(!runs_as(zombie, own));
    assert!(!runs_as(recycled, own));
    assert!(!runs_as(odd_name, own));
    assert!(!runs_as("", own));
    assert!(!runs_as("1234 (masakari-hostm", own));
    assert!(alive(std::process::id()));
}
