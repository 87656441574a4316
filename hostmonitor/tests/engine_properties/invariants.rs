//! Random event streams from a seeded PRNG, checked by a reference model that sees only
//! the events going in and the actions coming out.
//!
//! The central invariant: a `STOPPED`/`NORMAL` notification is only ever handed out for a
//! host that was seen lost after it was last seen online, with a successful fence (or a
//! trusted power-off) that finished after it was last seen online. Around it: never
//! without quorum, never during a mass-failure hold, never for the local or an unwatched
//! node, never twice for one loss, the record persisted before every notification, no
//! notification in flight twice, nothing re-sent once resolved, and everything confirmed
//! eventually sent once the way is clear.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::rng::Rng;
use super::support::{START, restart, view};
use hostmonitor::engine::{
    Action, Command, Config, DeliveryOutcome, Engine, Event, FailurePolicy, FenceHistory,
    FenceOutcome, HostPayload, HostRecord, HostState, MassFailure, NodeKind, Notification,
    NotificationId, Record, RecordUpdate, Report, Retry, Snapshot, Timestamp, Watch,
};

const LOCAL: &str = "ctl";
const STRANGER: &str = "stranger";
const NODES: [(&str, NodeKind); 8] = [
    ("r1", NodeKind::Remote),
    ("r2", NodeKind::Remote),
    ("r3", NodeKind::Remote),
    ("r4", NodeKind::Remote),
    ("g1", NodeKind::Guest),
    ("m1", NodeKind::Member),
    ("m2", NodeKind::Member),
    (LOCAL, NodeKind::Member),
];

/// A node name for an event: mostly one of the cluster's, sometimes one nobody knows.
fn random_node(rng: &mut Rng) -> &'static str {
    if rng.chance(3) {
        return STRANGER;
    }
    NODES[rng.below(NODES.len() as u64) as usize].0
}

fn random_config(rng: &mut Rng) -> Config {
    Config {
        local_node: rng.chance(30).then(|| LOCAL.to_owned()),
        watch: Watch {
            members: rng.chance(50),
            ..Watch::default()
        },
        fence_timeout: Duration::from_secs(5 + rng.below(60)),
        on_fence_failure: if rng.chance(50) {
            FailurePolicy::SendUnknown
        } else {
            FailurePolicy::KeepWaiting
        },
        power_off_confirms: rng.chance(30),
        mass_failure: MassFailure {
            percent: if rng.chance(30) { 100 } else { 50 },
            window: Duration::from_secs(rng.below(120)),
            min_hosts: 2 + rng.below(3) as usize,
        },
        retry: Retry {
            alert_after: rng.below(4) as u32,
            interval: Duration::from_secs(1 + rng.below(10)),
            max_interval: Duration::from_secs(5 + rng.below(30)),
        },
        // The model keys stored notifications by their hostname: node names here.
        host_names: Default::default(),
        persist_every_sighting: rng.chance(50),
    }
}

/// What the reference model knows, from the events alone.
#[derive(Default)]
struct Model {
    /// Latest time each node was reported online (by any alert or reconcile).
    online: BTreeMap<String, Timestamp>,
    /// Latest time each node was reported lost.
    lost: BTreeMap<String, Timestamp>,
    /// Times of reported successful fences and trusted power-offs.
    confirms: BTreeMap<String, Vec<Timestamp>>,
    /// Quorum, with the time of the fact, applied as documented.
    quorum: Option<(bool, Timestamp)>,
    /// Every notification handed out, by id.
    seen: BTreeMap<NotificationId, Notification>,
    /// Handed out with no outcome yet.
    in_flight: BTreeSet<NotificationId>,
    /// Finished for good.
    resolved: BTreeSet<NotificationId>,
    /// Per host: the last NORMAL id, and whether it was seen online since.
    last_normal: BTreeMap<String, (NotificationId, bool)>,
    /// The parts persisted so far, each as JSON (as a daemon keeping one CIB attribute per
    /// host would store them).
    stored_hosts: BTreeMap<String, String>,
    stored_guard: Option<String>,
}

impl Model {
    fn sighting(&mut self, node: &str, at: Timestamp) {
        let slot = self.online.entry(node.to_owned()).or_default();
        *slot = (*slot).max(at);
        if let Some((_, seen_online)) = self.last_normal.get_mut(node) {
            *seen_online = true;
        }
    }

    fn loss(&mut self, node: &str, at: Timestamp) {
        let slot = self.lost.entry(node.to_owned()).or_default();
        *slot = (*slot).max(at);
    }

    fn confirm(&mut self, node: &str, at: Timestamp) {
        self.confirms.entry(node.to_owned()).or_default().push(at);
    }

    fn quorum(&mut self, quorate: bool, at: Timestamp, realtime: bool) {
        if realtime || self.quorum.is_none_or(|(_, known)| at > known) {
            self.quorum = Some((quorate, at));
        }
    }
}

struct Run {
    seed: u64,
    step: usize,
    rng: Rng,
    config: Config,
    engine: Engine,
    now: Timestamp,
    /// When the running monitor started: it cannot have a reconcile taken before that.
    restarted_at: Timestamp,
    model: Model,
    world: BTreeMap<&'static str, bool>,
    world_fences: BTreeMap<&'static str, Timestamp>,
    trace: Vec<String>,
    /// How often each interesting thing happened, to show the streams reach it.
    stats: BTreeMap<&'static str, usize>,
}

impl Run {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let config = random_config(&mut rng);
        Self {
            seed,
            step: 0,
            rng,
            engine: Engine::new(config.clone()),
            config,
            now: START,
            restarted_at: START,
            model: Model::default(),
            world: NODES.iter().map(|(n, _)| (*n, true)).collect(),
            world_fences: BTreeMap::new(),
            trace: Vec::new(),
            stats: BTreeMap::new(),
        }
    }

    fn fail(&self, what: &str) -> ! {
        let tail = self
            .trace
            .iter()
            .rev()
            .take(30)
            .rev()
            .cloned()
            .collect::<Vec<_>>();
        panic!(
            "seed {} step {}: {what}\nconfig: {:?}\nlast events:\n{}",
            self.seed,
            self.step,
            self.config,
            tail.join("\n")
        );
    }

    fn watched(&self, node: &str) -> bool {
        let Some((_, kind)) = NODES.iter().find(|(n, _)| *n == node) else {
            return false;
        };
        node != LOCAL
            && match kind {
                NodeKind::Member => self.config.watch.members,
                NodeKind::Remote | NodeKind::Guest => true,
            }
    }

    fn advance(&mut self) {
        let millis = self.rng.below(3000);
        self.now = self.now.saturating_add(Duration::from_millis(millis));
    }

    /// Picks the next event and tells the model about it.
    fn next_event(&mut self) -> Option<Event> {
        let roll = self.rng.below(100);
        let now = self.now;
        let event = match roll {
            0..=14 => self.world_change(),
            15..=19 => {
                let node = random_node(&mut self.rng).to_owned();
                if self.rng.chance(50) {
                    self.model.loss(&node, now);
                    Event::NodeLost { node }
                } else {
                    self.model.sighting(&node, now);
                    Event::NodeMember { node }
                }
            }
            20..=34 => self.fence(),
            35..=37 => {
                let node = random_node(&mut self.rng).to_owned();
                if self.config.power_off_confirms {
                    self.model.confirm(&node, now);
                }
                Event::PowerOff { node }
            }
            38..=54 => Event::Snapshot(self.snapshot()),
            55..=59 => {
                let quorate = self.rng.chance(75);
                self.model.quorum(quorate, now, true);
                Event::Quorum { quorate }
            }
            60..=84 => return self.delivery(),
            85..=94 => return None,
            95..=96 => Event::Command(Command::ReleaseHold),
            _ => {
                self.restart();
                return None;
            }
        };
        Some(event)
    }

    /// A node of the world goes down or comes back, usually with an alert.
    fn world_change(&mut self) -> Event {
        let node = NODES[self.rng.below(NODES.len() as u64) as usize].0;
        let online = !self.world[node];
        self.world.insert(node, online);
        let now = self.now;
        if online {
            self.model.sighting(node, now);
            Event::NodeMember {
                node: node.to_owned(),
            }
        } else {
            self.model.loss(node, now);
            Event::NodeLost {
                node: node.to_owned(),
            }
        }
    }

    /// A fence result: mostly of a node that is down, sometimes of anything, at any time.
    fn fence(&mut self) -> Event {
        let node = random_node(&mut self.rng);
        let ok = self.rng.chance(75);
        let at = if self.rng.chance(70) {
            self.now
        } else {
            self.now
                .saturating_sub(Duration::from_millis(self.rng.below(30_000)))
        };
        if ok {
            self.model.confirm(node, at);
            if node != STRANGER {
                let slot = self.world_fences.entry(node).or_insert(at);
                *slot = (*slot).max(at);
            }
        }
        let outcome = if ok {
            FenceOutcome::Succeeded
        } else {
            FenceOutcome::Failed
        };
        Event::Fencing {
            target: node.to_owned(),
            outcome,
            at,
        }
    }

    /// A reconcile, possibly taken a little while ago, mostly matching the world.
    fn snapshot(&mut self) -> Snapshot {
        let taken_at = self
            .now
            .saturating_sub(Duration::from_millis(self.rng.below(3000)))
            .max(self.restarted_at);
        let quorate = self.rng.chance(85);
        self.model.quorum(quorate, taken_at, false);
        let mut nodes = Vec::new();
        for (name, kind) in NODES {
            if self.rng.chance(2) {
                continue;
            }
            let online = if self.rng.chance(10) {
                !self.world[name]
            } else {
                self.world[name]
            };
            if online {
                self.model.sighting(name, taken_at);
            } else {
                self.model.loss(name, taken_at);
            }
            let last_success = self
                .world_fences
                .get(name)
                .copied()
                .filter(|_| self.rng.chance(80));
            if let Some(at) = last_success {
                self.model.confirm(name, at);
            }
            let fencing = FenceHistory {
                last_success,
                last_failure: None,
                pending: self.rng.chance(20),
            };
            let unclean = !online && self.rng.chance(80);
            nodes.push(view(name, kind, online, unclean, fencing));
        }
        Snapshot {
            taken_at,
            local_node: LOCAL.to_owned(),
            quorate,
            nodes,
        }
    }

    /// The outcome of one notification in flight (or of one that is not).
    fn delivery(&mut self) -> Option<Event> {
        let in_flight: Vec<NotificationId> = self.model.in_flight.iter().cloned().collect();
        let id = if in_flight.is_empty() || self.rng.chance(5) {
            self.model.seen.keys().next().cloned()?
        } else {
            in_flight[self.rng.below(in_flight.len() as u64) as usize].clone()
        };
        let outcome = match self.rng.below(100) {
            0..=44 => DeliveryOutcome::Accepted,
            45..=59 => DeliveryOutcome::Duplicate {
                message: "duplicate".into(),
            },
            60..=69 => DeliveryOutcome::Rejected {
                status: 400,
                message: "unknown host".into(),
            },
            _ => DeliveryOutcome::Transient {
                reason: "503".into(),
            },
        };
        if self.model.in_flight.remove(&id) && !matches!(outcome, DeliveryOutcome::Transient { .. })
        {
            self.model.resolved.insert(id.clone());
        }
        Some(Event::Delivery { id, outcome })
    }

    /// The daemon dies; a new one resumes from the persisted record.
    fn restart(&mut self) {
        if !self.config.persist_every_sighting {
            return;
        }
        let mut record = Record::default();
        for (name, json) in &self.model.stored_hosts {
            let part = serde_json::from_str(json)
                .unwrap_or_else(|e| self.fail(&format!("host record: {e}")));
            record.hosts.insert(name.clone(), part);
        }
        if let Some(json) = &self.model.stored_guard {
            record.guard = serde_json::from_str(json)
                .unwrap_or_else(|e| self.fail(&format!("guard record: {e}")));
        }
        let engine = self.engine.record();
        if record != engine {
            self.fail("the stored parts differ from the engine's own record");
        }
        self.engine = restart(&self.config, &record).unwrap_or_else(|e| self.fail(&e));
        self.restarted_at = self.now;
        self.model.in_flight.clear();
        self.model.quorum = None;
        *self.stats.entry("restart").or_default() += 1;
        self.trace
            .push(format!("{} restart", self.now.unix_micros()));
    }

    fn run_step(&mut self) {
        self.step += 1;
        self.advance();
        let actions = match self.next_event() {
            Some(event) => {
                self.trace
                    .push(format!("{} {}", self.now.unix_micros(), short(&event)));
                self.engine.on_event(self.now, event)
            }
            None => {
                if let Some(due) = self.engine.poll_timeout().filter(|_| self.rng.chance(70)) {
                    self.now = self.now.max(due);
                }
                self.trace
                    .push(format!("{} timeout", self.now.unix_micros()));
                self.engine.on_timeout(self.now)
            }
        };
        self.check(&actions);
    }

    fn check(&mut self, actions: &[Action]) {
        let hold = self.engine.status().mass_failure_hold;
        for action in actions {
            match action {
                Action::Persist(update) => self.store(update),
                Action::Notify(n) => {
                    let kind = match n.payload {
                        HostPayload::STOPPED_FENCED => "normal",
                        HostPayload::STOPPED_UNCONFIRMED => "unknown",
                        _ => "started",
                    };
                    *self.stats.entry(kind).or_default() += 1;
                    if hold {
                        self.fail(&format!("{} sent during a mass-failure hold", n.id));
                    }
                    self.check_notify(n);
                }
                Action::NotifyProcess(n) => {
                    self.fail(&format!("{}: no services are simulated here", n.id));
                }
                Action::Report(Report::Dropped { id, .. }) => {
                    self.model.resolved.insert(id.clone());
                    *self.stats.entry("dropped").or_default() += 1;
                }
                Action::Report(Report::MassFailureHold { .. }) => {
                    *self.stats.entry("hold").or_default() += 1;
                }
                Action::Report(Report::ConfirmationWithdrawn { .. }) => {
                    *self.stats.entry("withdrawn").or_default() += 1;
                }
                Action::CheckPower { .. } | Action::Report(_) => {}
            }
        }
        self.trace.push(format!("  -> {:?}", notify_ids(actions)));
    }

    /// Stores an update's parts as JSON, checking each survives the round trip.
    fn store(&mut self, update: &RecordUpdate) {
        for (name, part) in &update.hosts {
            let json = serde_json::to_string(part).unwrap_or_else(|e| self.fail(&e.to_string()));
            let back: HostRecord =
                serde_json::from_str(&json).unwrap_or_else(|e| self.fail(&e.to_string()));
            if &back != part {
                self.fail("a host record does not survive a JSON round trip");
            }
            self.model.stored_hosts.insert(name.clone(), json);
        }
        if let Some(guard) = update.guard {
            let json = serde_json::to_string(&guard).unwrap_or_else(|e| self.fail(&e.to_string()));
            self.model.stored_guard = Some(json);
        }
    }

    fn check_notify(&mut self, n: &Notification) {
        let id = n.id.clone();
        if self.model.quorum.is_none_or(|(quorate, _)| !quorate) {
            self.fail(&format!("{id} sent without quorum"));
        }
        if !self.watched(&n.hostname) {
            self.fail(&format!(
                "{id} sent for unwatched or local node {}",
                n.hostname
            ));
        }
        let stored = self.model.stored_hosts.get(&n.hostname);
        if !stored.is_some_and(|json| json.contains(&format!("\"{id}\""))) {
            self.fail(&format!(
                "{id} sent before the record naming it was persisted"
            ));
        }
        if self.model.in_flight.contains(&id) {
            self.fail(&format!("{id} sent while already in flight"));
        }
        if self.model.resolved.contains(&id) {
            self.fail(&format!("{id} sent again after it was resolved"));
        }
        self.model.in_flight.insert(id.clone());
        if let Some(earlier) = self.model.seen.get(&id) {
            if earlier != n {
                self.fail(&format!("{id} sent again with different content"));
            }
            return;
        }
        self.check_first_send(n);
        self.model.seen.insert(id, n.clone());
    }

    fn check_first_send(&mut self, n: &Notification) {
        let host = n.hostname.clone();
        let (prefix, _) =
            n.id.as_str()
                .rsplit_once('/')
                .unwrap_or_else(|| self.fail("id without episode"));
        match n.payload {
            HostPayload::STOPPED_FENCED => self.check_normal(n),
            HostPayload::STARTED => {
                if self.last_lost(&host) > self.last_online(&host) {
                    self.fail(&format!("{} sent for {host}, which is lost", n.id));
                }
                let stopped = self
                    .model
                    .seen
                    .keys()
                    .any(|id| id.as_str().starts_with(&format!("{prefix}/stopped")));
                if !stopped {
                    self.fail(&format!("{} sent with no STOPPED before it", n.id));
                }
            }
            HostPayload::STOPPED_UNCONFIRMED => {
                if self.last_lost(&host) < self.last_online(&host) {
                    self.fail(&format!("{} sent for {host}, which is online", n.id));
                }
                if self.config.on_fence_failure == FailurePolicy::KeepWaiting {
                    self.fail(&format!(
                        "{} sent although the policy is to keep waiting",
                        n.id
                    ));
                }
            }
            _ => self.fail(&format!("{} has an unexpected payload for {host}", n.id)),
        }
    }

    fn last_online(&self, host: &str) -> Option<Timestamp> {
        self.model.online.get(host).copied()
    }

    fn last_lost(&self, host: &str) -> Option<Timestamp> {
        self.model.lost.get(host).copied()
    }

    /// The safety invariant.
    fn check_normal(&mut self, n: &Notification) {
        let host = &n.hostname;
        let Some(online) = self.model.online.get(host).copied() else {
            self.fail(&format!("NORMAL {} for a host never seen online", n.id));
        };
        let lost = self.model.lost.get(host).copied();
        if lost.is_none_or(|lost| lost < online) {
            self.fail(&format!(
                "NORMAL {} for {host}, not seen lost since last seen online at {online}",
                n.id
            ));
        }
        let fenced = self
            .model
            .confirms
            .get(host)
            .is_some_and(|times| times.iter().any(|at| *at > online));
        if !fenced {
            self.fail(&format!(
                "NORMAL {} for {host} without a fence after it was last seen online at {online}",
                n.id
            ));
        }
        if let Some((previous, seen_online)) = self.model.last_normal.get(host)
            && !seen_online
        {
            self.fail(&format!(
                "NORMAL {} for {host} after {previous} with no sighting between",
                n.id
            ));
        }
        self.model
            .last_normal
            .insert(host.clone(), (n.id.clone(), false));
    }

    /// Clears the way (quorum, hold released, deliveries accepted, time passes) and checks
    /// that every host the engine holds confirmed off has had its NORMAL sent.
    fn drain(&mut self) {
        let mut events = vec![
            Event::Quorum { quorate: true },
            Event::Command(Command::ReleaseHold),
        ];
        self.model.quorum(true, self.now, true);
        for _ in 0..50 {
            for event in events.drain(..) {
                self.now = self.now.saturating_add(Duration::from_millis(1));
                let actions = self.engine.on_event(self.now, event);
                self.check(&actions);
            }
            for id in std::mem::take(&mut self.model.in_flight) {
                self.model.resolved.insert(id.clone());
                events.push(Event::Delivery {
                    id,
                    outcome: DeliveryOutcome::Accepted,
                });
            }
            if events.is_empty() {
                let Some(due) = self.engine.poll_timeout() else {
                    break;
                };
                self.now = self.now.max(due);
                let actions = self.engine.on_timeout(self.now);
                self.check(&actions);
            }
        }
        for host in self.engine.status().hosts {
            if let HostState::Lost {
                confirmed: true, ..
            } = host.state
            {
                let id = format!("{}/{}/stopped-normal", host.name, host.episode);
                if !self.model.seen.keys().any(|seen| seen.as_str() == id) {
                    self.fail(&format!("{} confirmed off but {id} never sent", host.name));
                }
            }
            if !host.pending.is_empty() {
                self.fail(&format!(
                    "{} still has pending notifications after draining",
                    host.name
                ));
            }
        }
    }
}

/// An event in a line, for failure traces.
fn short(event: &Event) -> String {
    match event {
        Event::Snapshot(s) => {
            let nodes: Vec<String> = s
                .nodes
                .iter()
                .map(|n| {
                    let state = if n.online { "up" } else { "down" };
                    let fence = n.fencing.last_success.map_or(0, Timestamp::unix_micros);
                    format!("{}:{state}:fenced@{fence}", n.name)
                })
                .collect();
            format!(
                "snapshot taken {} quorate {} [{}]",
                s.taken_at.unix_micros(),
                s.quorate,
                nodes.join(" ")
            )
        }
        Event::Fencing {
            target,
            outcome,
            at,
        } => format!("fencing {target} {outcome:?} at {}", at.unix_micros()),
        other => format!("{other:?}"),
    }
}

fn notify_ids(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some(n.id.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn random_event_streams_keep_every_invariant() {
    let mut stats: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..300 {
        let mut run = Run::new(seed);
        for _ in 0..300 {
            run.run_step();
        }
        run.drain();
        for (what, count) in run.stats {
            *stats.entry(what).or_default() += count;
        }
    }
    let reached = [
        "normal",
        "unknown",
        "started",
        "restart",
        "hold",
        "dropped",
        "withdrawn",
    ];
    for what in reached {
        assert!(
            stats.get(what).copied().unwrap_or(0) >= 20,
            "too few {what}: {stats:?}"
        );
    }
}
