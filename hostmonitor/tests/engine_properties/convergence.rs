//! Exactly once, end to end: a simulated cluster lives through a known history (hosts
//! fail and are fenced, come back before fencing, fail to be fenced, reboot after a
//! fence), told to the engine the way the daemon would: alerts that are dropped,
//! duplicated and delayed, reconciles every few seconds that arrive late, deliveries that
//! time out after the API stored them, and monitor restarts from the stored record. A
//! simulated Masakari API applies its duplicate rule. However the telling goes, the API
//! must end up with exactly the notifications the history calls for.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use super::rng::Rng;
use super::support::{START, restart, view};
use hostmonitor::engine::{
    Action, Config, DeliveryOutcome, Engine, Event, FailurePolicy, FenceHistory, FenceOutcome,
    HostPayload, MassFailure, NodeKind, Notification, NotificationId, Record, Retry, Snapshot,
    Timestamp,
};

const HOSTS: usize = 6;
const LOCAL: &str = "ctl";
const TICK: Duration = Duration::from_millis(100);
const RECONCILE_EVERY: u64 = 50;
const END: u64 = 4000;

/// What happens to a host, starting `at` ticks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    /// Lost, fenced 4 s later, stays down.
    Fenced,
    /// Lost, back 2 s later, never fenced.
    Blip,
    /// Lost, fencing fails 4 s later, stays down.
    FenceFails,
    /// Lost, fenced (reboot) 4 s later, back 60 s later.
    Rebooted,
    /// Nothing happens.
    Healthy,
}

/// A true fact of the history.
#[derive(Debug, Clone, Copy)]
enum Fact {
    Lost,
    Member,
    Fenced(FenceOutcome),
}

/// The cluster as it really is.
#[derive(Default)]
struct World {
    online: BTreeMap<String, bool>,
    fences: BTreeMap<String, FenceHistory>,
}

/// Masakari's API with its duplicate check at its strictest: it stores a notification
/// unless one with the same host, payload and `generated_time` is stored (the real API
/// also counts those generated within 180 s, which would hide a re-send with a new
/// `generated_time`).
#[derive(Default)]
struct Api {
    stored: Vec<Notification>,
}

impl Api {
    fn post(&mut self, n: &Notification) -> DeliveryOutcome {
        let duplicate = self.stored.iter().any(|s| {
            s.hostname == n.hostname
                && s.payload == n.payload
                && s.generated_time == n.generated_time
        });
        if duplicate {
            return DeliveryOutcome::Duplicate {
                message: "duplicate".into(),
            };
        }
        self.stored.push(n.clone());
        DeliveryOutcome::Accepted
    }

    fn count(&self, host: &str, payload: HostPayload) -> usize {
        self.stored
            .iter()
            .filter(|n| n.hostname == host && n.payload == payload)
            .count()
    }
}

struct Sim {
    seed: u64,
    rng: Rng,
    config: Config,
    engine: Engine,
    tick: u64,
    world: World,
    stories: Vec<(String, Story, u64)>,
    /// Facts of the history by the tick they happen.
    history: BTreeMap<u64, Vec<(String, Fact)>>,
    /// Events on their way to the engine, by the tick they arrive.
    inbox: BTreeMap<u64, VecDeque<Event>>,
    /// Notifications handed out, with the tick their delivery finishes; lost at a restart.
    deliveries: Vec<(u64, Notification)>,
    stored: Record,
    api: Api,
    sent: BTreeMap<NotificationId, Notification>,
    restarts: usize,
}

impl Sim {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let config = Config {
            fence_timeout: Duration::from_secs(30),
            on_fence_failure: if rng.chance(50) {
                FailurePolicy::SendUnknown
            } else {
                FailurePolicy::KeepWaiting
            },
            mass_failure: MassFailure {
                percent: 100,
                ..MassFailure::default()
            },
            retry: Retry {
                alert_after: 1000,
                interval: Duration::from_secs(1),
                max_interval: Duration::from_secs(2),
            },
            ..Config::default()
        };
        let stories = [
            Story::Fenced,
            Story::Blip,
            Story::FenceFails,
            Story::Rebooted,
            Story::Healthy,
        ];
        let mut sim = Self {
            seed,
            engine: Engine::new(config.clone()),
            config,
            tick: 0,
            world: World::default(),
            stories: Vec::new(),
            history: BTreeMap::new(),
            inbox: BTreeMap::new(),
            deliveries: Vec::new(),
            stored: Record::default(),
            api: Api::default(),
            sent: BTreeMap::new(),
            restarts: 0,
            rng,
        };
        for i in 1..=HOSTS {
            let name = format!("c{i}");
            let story = stories[sim.rng.below(stories.len() as u64) as usize];
            let at = 100 + sim.rng.below(1000);
            sim.world.online.insert(name.clone(), true);
            sim.plan(&name, story, at);
            sim.stories.push((name, story, at));
        }
        sim.world.online.insert(LOCAL.into(), true);
        sim
    }

    fn plan(&mut self, host: &str, story: Story, at: u64) {
        let mut fact = |tick: u64, fact: Fact| {
            self.history
                .entry(tick)
                .or_default()
                .push((host.to_owned(), fact));
        };
        match story {
            Story::Fenced => {
                fact(at, Fact::Lost);
                fact(at + 40, Fact::Fenced(FenceOutcome::Succeeded));
            }
            Story::Blip => {
                fact(at, Fact::Lost);
                fact(at + 20, Fact::Member);
            }
            Story::FenceFails => {
                fact(at, Fact::Lost);
                fact(at + 40, Fact::Fenced(FenceOutcome::Failed));
            }
            Story::Rebooted => {
                fact(at, Fact::Lost);
                fact(at + 40, Fact::Fenced(FenceOutcome::Succeeded));
                fact(at + 640, Fact::Member);
            }
            Story::Healthy => {}
        }
    }

    fn now(&self) -> Timestamp {
        START.saturating_add(TICK.saturating_mul(u32::try_from(self.tick).unwrap_or(u32::MAX)))
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "seed {} tick {}: {what}\nstories: {:?}",
            self.seed, self.tick, self.stories
        );
    }

    /// Sends an event to arrive `delay` ticks from now.
    fn post(&mut self, delay: u64, event: Event) {
        self.inbox
            .entry(self.tick + delay)
            .or_default()
            .push_back(event);
    }

    /// The history advances one tick; the facts go out as alerts, some lost, some twice.
    fn happen(&mut self) {
        let now = self.now();
        for (host, fact) in self.history.remove(&self.tick).unwrap_or_default() {
            let event = match fact {
                Fact::Lost => {
                    self.world.online.insert(host.clone(), false);
                    Event::NodeLost { node: host }
                }
                Fact::Member => {
                    self.world.online.insert(host.clone(), true);
                    Event::NodeMember { node: host }
                }
                Fact::Fenced(outcome) => {
                    let fences = self.world.fences.entry(host.clone()).or_default();
                    match outcome {
                        FenceOutcome::Succeeded => fences.last_success = Some(now),
                        FenceOutcome::Failed => fences.last_failure = Some(now),
                    }
                    Event::Fencing {
                        target: host,
                        outcome,
                        at: now,
                    }
                }
            };
            if self.rng.chance(70) {
                self.post(3, event.clone());
            }
            if self.rng.chance(20) {
                self.post(30, event);
            }
        }
        if self.tick.is_multiple_of(RECONCILE_EVERY) {
            let snapshot = self.snapshot();
            self.post(15, Event::Snapshot(snapshot));
        }
    }

    fn snapshot(&self) -> Snapshot {
        let nodes = self
            .world
            .online
            .iter()
            .map(|(name, online)| {
                let kind = if name == LOCAL {
                    NodeKind::Member
                } else {
                    NodeKind::Remote
                };
                let fencing = self.world.fences.get(name).copied().unwrap_or_default();
                view(name, kind, *online, !*online, fencing)
            })
            .collect();
        Snapshot {
            taken_at: self.now(),
            local_node: LOCAL.into(),
            quorate: true,
            nodes,
        }
    }

    /// The engine takes in what arrives this tick, and whatever falls due.
    fn deliver(&mut self) {
        let now = self.now();
        let mut actions = Vec::new();
        for event in self.inbox.remove(&self.tick).unwrap_or_default() {
            actions.extend(self.engine.on_event(now, event));
        }
        let done: Vec<Notification> = self.take_finished_deliveries();
        for n in done {
            let outcome = self.api_outcome(&n);
            actions.extend(
                self.engine
                    .on_event(now, Event::Delivery { id: n.id, outcome }),
            );
        }
        if self.engine.poll_timeout().is_some_and(|due| due <= now) {
            actions.extend(self.engine.on_timeout(now));
        }
        self.carry_out(actions);
    }

    fn take_finished_deliveries(&mut self) -> Vec<Notification> {
        let tick = self.tick;
        let (done, waiting) = self.deliveries.drain(..).partition(|(at, _)| *at <= tick);
        self.deliveries = waiting;
        done.into_iter().map(|(_, n)| n).collect()
    }

    /// The API answers; sometimes the answer is lost after it stored the notification.
    fn api_outcome(&mut self, n: &Notification) -> DeliveryOutcome {
        let reached = !self.rng.chance(10);
        let outcome = if reached {
            self.api.post(n)
        } else {
            DeliveryOutcome::Accepted
        };
        if !reached || self.rng.chance(10) {
            return DeliveryOutcome::Transient {
                reason: "timeout".into(),
            };
        }
        outcome
    }

    /// Carries the actions out in order; the monitor may die before it is done.
    fn carry_out(&mut self, actions: Vec<Action>) {
        let dies_after = self
            .rng
            .chance(1)
            .then(|| self.rng.below(actions.len() as u64 + 1));
        for (done, action) in actions.into_iter().enumerate() {
            if dies_after == Some(done as u64) {
                return self.restart();
            }
            match action {
                Action::Persist(update) => self.stored.apply(&update),
                Action::Notify(n) => {
                    if self.sent.get(&n.id).is_some_and(|earlier| *earlier != n) {
                        self.fail(&format!("{} sent again with different content", n.id));
                    }
                    self.sent.insert(n.id.clone(), n.clone());
                    let at = self.tick + self.rng.below(5);
                    self.deliveries.push((at, n));
                }
                Action::NotifyProcess(n) => {
                    self.fail(&format!("{}: no services are simulated here", n.id));
                }
                Action::CheckPower { .. } | Action::Report(_) => {}
            }
        }
        if dies_after.is_some() {
            self.restart();
        }
    }

    /// The monitor dies and another resumes from the stored record; deliveries under way
    /// are never reported.
    fn restart(&mut self) {
        self.engine = restart(&self.config, &self.stored).unwrap_or_else(|e| self.fail(&e));
        self.deliveries.clear();
        self.restarts += 1;
        let snapshot = Event::Snapshot(self.snapshot());
        self.inbox
            .entry(self.tick + 1)
            .or_default()
            .push_back(snapshot);
    }

    fn run(&mut self) {
        while self.tick < END {
            self.happen();
            self.deliver();
            self.tick += 1;
        }
    }

    fn check(&self) {
        let normal = HostPayload::STOPPED_FENCED;
        let unknown = HostPayload::STOPPED_UNCONFIRMED;
        let started = HostPayload::STARTED;
        let unknowns = usize::from(self.config.on_fence_failure == FailurePolicy::SendUnknown);
        for (host, story, _) in &self.stories {
            let expected = match story {
                Story::Fenced => [1, 0, 0],
                Story::Rebooted => [1, 0, 1],
                Story::FenceFails => [0, unknowns, 0],
                Story::Blip | Story::Healthy => [0, 0, 0],
            };
            let got = [normal, unknown, started].map(|p| self.api.count(host, p));
            if got != expected {
                self.fail(&format!(
                    "{host} ({story:?}): the API stored [NORMAL, UNKNOWN, STARTED] = {got:?}, want {expected:?}"
                ));
            }
        }
    }
}

#[test]
fn the_api_gets_exactly_what_the_history_calls_for() {
    let mut restarts = 0;
    let mut notifications = 0;
    for seed in 0..100 {
        let mut sim = Sim::new(seed);
        sim.run();
        sim.check();
        restarts += sim.restarts;
        notifications += sim.api.stored.len();
    }
    assert!(
        restarts > 1000 && notifications > 150,
        "{restarts} restarts, {notifications} stored"
    );
}
