//! Judging other claims of the lease from what successive reads showed (no I/O, no clock of its own).

use tokio::time::Instant;

use std::time::Duration;

use super::Claim;

/// What the reads so far say about the other claims.
#[derive(Debug)]
pub struct Rivals {
    stale: Duration,
    seen: Vec<Seen>,
}

#[derive(Debug)]
struct Seen {
    claim: Claim,
    /// When its beat last moved, or when it was first seen.
    since: Instant,
    moved: bool,
}

/// What to do about the other claims.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing stands against ours.
    Clear,
    /// A claim cannot be judged yet.
    Wait,
    /// A live claim wins.
    Refuse(Claim),
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    Live,
    Unknown,
    Stale,
}

impl Rivals {
    /// No claims seen yet; one whose beat stands still for `stale` is stale.
    pub fn new(stale: Duration) -> Self {
        Self {
            stale,
            seen: Vec::new(),
        }
    }

    /// Takes the claims read at `now` (ours left out) and judges them for `me`, who holds the lease
    /// already when `held`. `alive` says whether a process of this boot runs.
    pub fn judge(
        &mut self,
        now: Instant,
        claims: &[Claim],
        me: &Claim,
        held: bool,
        alive: impl Fn(u32) -> bool,
    ) -> Verdict {
        let mut seen = Vec::with_capacity(claims.len());
        let mut verdict = Verdict::Clear;
        for claim in claims {
            let state = if claim.node == me.node {
                self.on_this_node(claim, me, &alive)
            } else {
                let entry = self.track(now, claim);
                let state = entry.state(now, self.stale);
                seen.push(entry);
                state
            };
            verdict = verdict.max_with(state, claim, me, held);
        }
        self.seen = seen;
        verdict
    }

    /// Whether a claim on another node read last time could still be live (it is not stale
    /// yet): while one is, the holder keeps reading the claims every beat.
    pub fn contested(&self, now: Instant) -> bool {
        self.seen
            .iter()
            .any(|s| s.state(now, self.stale) != State::Stale)
    }

    fn on_this_node(&self, claim: &Claim, me: &Claim, alive: impl Fn(u32) -> bool) -> State {
        if claim.boot == me.boot && alive(claim.pid) {
            State::Live
        } else {
            State::Stale
        }
    }

    fn track(&self, now: Instant, claim: &Claim) -> Seen {
        let before = self.seen.iter().find(|s| s.claim.same_holder(claim));
        match before {
            Some(s) if s.claim.beat == claim.beat => Seen {
                claim: claim.clone(),
                since: s.since,
                moved: s.moved,
            },
            Some(_) => Seen {
                claim: claim.clone(),
                since: now,
                moved: true,
            },
            None => Seen {
                claim: claim.clone(),
                since: now,
                moved: false,
            },
        }
    }
}

impl Seen {
    fn state(&self, now: Instant, stale: Duration) -> State {
        if now.saturating_duration_since(self.since) >= stale {
            State::Stale
        } else if self.moved {
            State::Live
        } else {
            State::Unknown
        }
    }
}

impl Verdict {
    /// The verdict after one more claim in `state`: a starting monitor waits for an unknown claim
    /// and refuses a live one; a running one yields only to a live claim that sorts first.
    fn max_with(self, state: State, claim: &Claim, me: &Claim, held: bool) -> Self {
        if matches!(self, Self::Refuse(_)) {
            return self;
        }
        let first = (&claim.node, claim.pid) < (&me.node, me.pid);
        match state {
            State::Live if !held || first => Self::Refuse(claim.clone()),
            State::Unknown if !held => Self::Wait,
            _ => self,
        }
    }
}
