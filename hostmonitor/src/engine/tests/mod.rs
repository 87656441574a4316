//! Tests of the engine through its public API: a harness with a virtual clock, scenarios
//! by theme, and the state x event matrix.

use std::time::Duration;

use super::*;

mod delivery;
mod dismiss;
mod episodes;
mod holds;
mod matrix;
mod processes;
mod reconcile;

const BASE: u64 = 1_700_000_000;

/// Drives an engine with a virtual clock that moves one second per step.
struct Harness {
    engine: Engine,
    now: Timestamp,
    nodes: Vec<(String, NodeKind)>,
}

fn secs(s: u64) -> Timestamp {
    Timestamp::from_unix(BASE + s, 0)
}

fn view(name: &str, kind: NodeKind, online: bool) -> NodeView {
    NodeView {
        name: name.into(),
        kind,
        online,
        unclean: !online,
        fencing: FenceHistory::default(),
    }
}

impl Harness {
    /// Remote computes c1..=cN online, quorate, local node ctl1.
    fn new(config: Config, computes: usize) -> Self {
        let nodes = (1..=computes)
            .map(|i| (format!("c{i}"), NodeKind::Remote))
            .chain([
                ("ctl1".to_owned(), NodeKind::Member),
                ("ctl2".to_owned(), NodeKind::Member),
            ])
            .collect();
        let mut h = Self {
            engine: Engine::new(config),
            now: secs(0),
            nodes,
        };
        let views = h.views(&[]);
        h.snapshot(views);
        h
    }

    fn views(&self, offline: &[&str]) -> Vec<NodeView> {
        self.nodes
            .iter()
            .map(|(name, kind)| view(name, *kind, !offline.contains(&name.as_str())))
            .collect()
    }

    fn step(&mut self) -> Timestamp {
        self.now = self.now.saturating_add(Duration::from_secs(1));
        self.now
    }

    fn event(&mut self, event: Event) -> Vec<Action> {
        let now = self.step();
        self.engine.on_event(now, event)
    }

    fn snapshot(&mut self, nodes: Vec<NodeView>) -> Vec<Action> {
        let taken_at = self.step();
        self.snapshot_from("ctl1", taken_at, true, nodes)
    }

    /// A reconcile by the monitor on `local`, taken at `taken_at`.
    fn snapshot_from(
        &mut self,
        local: &str,
        taken_at: Timestamp,
        quorate: bool,
        nodes: Vec<NodeView>,
    ) -> Vec<Action> {
        let local_node = local.to_owned();
        self.event(Event::Snapshot(Snapshot {
            taken_at,
            local_node,
            quorate,
            nodes,
        }))
    }

    fn lost(&mut self, node: &str) -> Vec<Action> {
        self.event(Event::NodeLost { node: node.into() })
    }

    fn member(&mut self, node: &str) -> Vec<Action> {
        self.event(Event::NodeMember { node: node.into() })
    }

    fn fenced(&mut self, node: &str, outcome: FenceOutcome) -> Vec<Action> {
        let at = self.now;
        self.event(Event::Fencing {
            target: node.into(),
            outcome,
            at,
        })
    }

    /// `node` lost and fenced: the `STOPPED`/`NORMAL` notification handed out.
    fn stopped(&mut self, node: &str) -> Notification {
        self.lost(node);
        let actions = self.fenced(node, FenceOutcome::Succeeded);
        notifications(&actions)[0].clone()
    }

    /// What is sent when Pacemaker reports `node` fenced now.
    fn sent_on_fence(&mut self, node: &str) -> Vec<String> {
        let actions = self.fenced(node, FenceOutcome::Succeeded);
        sent(&actions)
    }

    /// A transient failure of the delivery of `id`.
    fn fail_delivery(&mut self, id: &NotificationId, reason: &str) -> Vec<Action> {
        let reason = reason.to_owned();
        self.deliver(id, DeliveryOutcome::Transient { reason })
    }

    fn deliver(&mut self, id: &NotificationId, outcome: DeliveryOutcome) -> Vec<Action> {
        self.event(Event::Delivery {
            id: id.clone(),
            outcome,
        })
    }

    fn timeout(&mut self, at: Timestamp) -> Vec<Action> {
        self.now = at;
        self.engine.on_timeout(at)
    }

    fn state(&self, node: &str) -> Option<HostState> {
        self.engine
            .status()
            .hosts
            .into_iter()
            .find(|h| h.name == node)
            .map(|h| h.state)
    }

    fn in_flight(&self, node: &str) -> Option<NotificationId> {
        let hosts = self.engine.status().hosts;
        let host = hosts.into_iter().find(|h| h.name == node)?;
        host.pending.into_iter().find(|p| p.in_flight).map(|p| p.id)
    }
}

fn watching_members() -> Config {
    let watch = Watch {
        members: true,
        ..Watch::default()
    };
    Config {
        watch,
        ..Config::default()
    }
}

fn notifications(actions: &[Action]) -> Vec<&Notification> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Notify(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn words(payload: HostPayload) -> &'static str {
    match payload {
        HostPayload::STOPPED_FENCED => "STOPPED/NORMAL",
        HostPayload::STOPPED_UNCONFIRMED => "STOPPED/UNKNOWN",
        HostPayload::STARTED => "STARTED",
        _ => "other",
    }
}

/// `host:EVENT/STATUS` of every notification in `actions`.
fn sent(actions: &[Action]) -> Vec<String> {
    notifications(actions)
        .iter()
        .map(|n| format!("{}:{}", n.hostname, words(n.payload)))
        .collect()
}

/// Whether a report in `actions` is one `wanted` picks.
fn reported(actions: &[Action], wanted: impl Fn(&Report) -> bool) -> bool {
    reports(actions).into_iter().any(wanted)
}

fn reports(actions: &[Action]) -> Vec<&Report> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Report(r) => Some(r),
            _ => None,
        })
        .collect()
}
