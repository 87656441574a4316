//! `crm_mon --output-as=xml` (and `stonith_admin --history --output-as=xml`) output.

use crate::value::is_true;
use crate::xml::Element;
use crate::{Error, Limits};

/// What `crm_mon` reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrmMon {
    /// The DC's name, when one is elected.
    pub dc: Option<String>,
    /// Whether the partition has quorum (from the DC summary).
    pub with_quorum: Option<bool>,
    /// One entry per node.
    pub nodes: Vec<MonNode>,
    /// Fencing history, as listed.
    pub fence_history: Vec<FenceEvent>,
    /// Every primitive resource instance, inside groups, clones and bundles too.
    pub resources: Vec<MonResource>,
}

/// A primitive `resource` element of `crm_mon` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonResource {
    /// Resource id.
    pub id: String,
    /// `class:provider:type`, e.g. `ocf:pacemaker:remote`.
    pub agent: String,
    /// `Started`, `Starting`, `Stopped`, `Stopping`, ...
    pub role: String,
    /// `failed`
    pub failed: bool,
}

/// A `node` element of `crm_mon` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonNode {
    /// Node name.
    pub name: String,
    /// Node id.
    pub id: String,
    /// `member`, `remote` or `ping` (guests are `remote` with an `id_as_resource`).
    pub node_type: String,
    /// The guest's container resource, for guest nodes.
    pub id_as_resource: Option<String>,
    /// `online`
    pub online: bool,
    /// `standby`
    pub standby: bool,
    /// `standby_onfail`
    pub standby_onfail: bool,
    /// `maintenance`
    pub maintenance: bool,
    /// `pending`
    pub pending: bool,
    /// `unclean`
    pub unclean: bool,
    /// `shutdown`
    pub shutdown: bool,
    /// `expected_up`
    pub expected_up: bool,
    /// `is_dc`
    pub is_dc: bool,
}

/// Outcome of a fencing operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FenceStatus {
    /// Completed successfully.
    Success,
    /// Failed.
    Failed,
    /// Still in progress.
    Pending,
    /// Any other status, as written.
    Other(String),
}

/// A `fence_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceEvent {
    /// `reboot`, `off`, `on`.
    pub action: String,
    /// The node fenced.
    pub target: String,
    /// The outcome.
    pub status: FenceStatus,
    /// Who carried it out (`delegate`), if known.
    pub delegate: Option<String>,
    /// Who asked (`client`).
    pub client: Option<String>,
    /// The node that originated the request (`origin`).
    pub origin: Option<String>,
    /// When it completed, as written (`completed`), if it did.
    pub completed: Option<String>,
    /// The reason for a failure (`exit-reason`).
    pub exit_reason: Option<String>,
}

impl CrmMon {
    /// Parses `crm_mon`/`stonith_admin` XML (the `pacemaker-result` form, or the older
    /// `crm_mon` root).
    pub fn parse(text: &str) -> Result<Self, Error> {
        Self::parse_with(text, &Limits::default())
    }

    /// Parses with explicit limits.
    pub fn parse_with(text: &str, limits: &Limits) -> Result<Self, Error> {
        let doc = crate::xml::parse(text, limits, |_| crate::xml::Keep::All)?;
        let root = doc.root();
        if !matches!(root.name(), "pacemaker-result" | "crm_mon") {
            return Err(Error::UnexpectedRoot {
                found: root.name().to_string(),
                expected: "pacemaker-result",
                position: root.position(),
            });
        }
        let dc = root.child("summary").and_then(|s| s.child("current_dc"));
        let present = dc.is_some_and(|d| d.attr("present").is_some_and(is_true));
        Ok(Self {
            dc: dc
                .filter(|_| present)
                .and_then(|d| d.attr("name"))
                .map(str::to_owned),
            with_quorum: dc
                .filter(|_| present)
                .and_then(|d| d.attr("with_quorum"))
                .map(is_true),
            nodes: match root.child("nodes") {
                Some(nodes) => nodes
                    .children_named("node")
                    .map(MonNode::parse)
                    .collect::<Result<_, _>>()?,
                None => Vec::new(),
            },
            fence_history: root
                .children()
                .filter(|c| is_fence_history(*c))
                .flat_map(|h| h.children_named("fence_event"))
                .map(FenceEvent::parse)
                .collect::<Result<_, _>>()?,
            resources: root.child("resources").map(primitives).unwrap_or_default(),
        })
    }

    /// The node with this name, if listed.
    pub fn node(&self, name: &str) -> Option<&MonNode> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The resource with this id (the first instance, for clones).
    pub fn resource(&self, id: &str) -> Option<&MonResource> {
        self.resources.iter().find(|r| r.id == id)
    }
}

/// `crm_mon` lists fencing under `fence_history`; `stonith_admin --history` under
/// `list name="fencing history"`.
fn is_fence_history(e: Element<'_>) -> bool {
    match e.name() {
        "fence_history" => true,
        "list" => e.attr("name") == Some("fencing history"),
        _ => false,
    }
}

/// The primitives below a `resources` element, depth first.
fn primitives(e: Element<'_>) -> Vec<MonResource> {
    let mut out = Vec::new();
    let mut stack: Vec<Element<'_>> = e.children().collect();
    stack.reverse();
    while let Some(child) = stack.pop() {
        if child.name() == "resource" {
            out.push(MonResource {
                id: child.attr("id").unwrap_or_default().to_owned(),
                agent: child.attr("resource_agent").unwrap_or_default().to_owned(),
                role: child.attr("role").unwrap_or_default().to_owned(),
                failed: child.attr("failed").is_some_and(is_true),
            });
        } else {
            let mut inner: Vec<Element<'_>> = child.children().collect();
            inner.reverse();
            stack.extend(inner);
        }
    }
    out
}

impl MonNode {
    fn parse(e: Element<'_>) -> Result<Self, Error> {
        let flag = |name: &str| e.attr(name).is_some_and(is_true);
        Ok(Self {
            name: e.required("name")?.to_owned(),
            id: e.attr("id").unwrap_or_default().to_owned(),
            node_type: e.attr("type").unwrap_or("unknown").to_owned(),
            id_as_resource: e.attr("id_as_resource").map(str::to_owned),
            online: flag("online"),
            standby: flag("standby"),
            standby_onfail: flag("standby_onfail"),
            maintenance: flag("maintenance"),
            pending: flag("pending"),
            unclean: flag("unclean"),
            shutdown: flag("shutdown"),
            expected_up: flag("expected_up"),
            is_dc: flag("is_dc"),
        })
    }

    /// `member`, `remote` or `guest` (a remote with a container), or `ping`.
    pub fn kind(&self) -> &str {
        match (self.node_type.as_str(), &self.id_as_resource) {
            ("remote", Some(_)) => "guest",
            (other, _) => other,
        }
    }
}

impl FenceStatus {
    /// As Pacemaker writes it: `success`, `failed`, `pending` or the other word.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Pending => "pending",
            Self::Other(word) => word,
        }
    }
}

impl FenceEvent {
    fn parse(e: Element<'_>) -> Result<Self, Error> {
        let text = |name: &str| e.attr(name).map(str::to_owned);
        Ok(Self {
            action: e.required("action")?.to_owned(),
            target: e.required("target")?.to_owned(),
            status: match e.required("status")? {
                "success" => FenceStatus::Success,
                "failed" => FenceStatus::Failed,
                "pending" => FenceStatus::Pending,
                other => FenceStatus::Other(other.to_owned()),
            },
            delegate: text("delegate"),
            client: text("client"),
            origin: text("origin"),
            completed: text("completed"),
            exit_reason: text("exit-reason"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_primitives_inside_groups_and_clones() {
        let xml = r#"<pacemaker-result><resources>
  <resource id="compute1" resource_agent="ocf:pacemaker:remote" role="Starting" failed="false"/>
  <group id="g"><resource id="a" resource_agent="ocf:heartbeat:Dummy" role="Started"/></group>
  <clone id="c"><resource id="b" resource_agent="ocf:heartbeat:Dummy" role="Stopped" failed="true"/></clone>
</resources></pacemaker-result>"#;
        let mon = CrmMon::parse(xml).unwrap();
        let ids: Vec<_> = mon.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["compute1", "a", "b"]);
        let c1 = mon.resource("compute1").unwrap();
        assert_eq!(
            (c1.agent.as_str(), c1.role.as_str()),
            ("ocf:pacemaker:remote", "Starting")
        );
        assert!(mon.resource("b").unwrap().failed);
    }

    #[test]
    fn reads_nodes_and_fence_history() {
        let xml = r#"<pacemaker-result api-version="2.25" request="crm_mon">
  <summary><current_dc present="true" name="ctl1" with_quorum="true"/></summary>
  <nodes>
    <node name="ctl1" id="1" online="true" standby="false" standby_onfail="false" maintenance="false" pending="false" unclean="false" shutdown="false" expected_up="true" is_dc="true" resources_running="2" type="member"/>
    <node name="vm1" id="vm1" online="false" unclean="true" type="remote" id_as_resource="vm1-dom"/>
  </nodes>
  <fence_history>
    <fence_event action="reboot" target="cmp1" client="pacemaker-controld.1" origin="ctl1" status="success" delegate="ctl2" completed="2024-01-01 00:00:00Z"/>
    <fence_event action="off" target="cmp2" status="failed" exit-reason="timed out"/>
  </fence_history>
  <status code="0" message="OK"/>
</pacemaker-result>"#;
        let mon = CrmMon::parse(xml).unwrap();
        assert_eq!(mon.dc.as_deref(), Some("ctl1"));
        assert_eq!(mon.with_quorum, Some(true));
        assert_eq!(mon.nodes.len(), 2);
        assert!(mon.nodes[0].is_dc);
        assert_eq!(mon.nodes[1].kind(), "guest");
        assert!(mon.nodes[1].unclean);
        assert_eq!(mon.fence_history[0].status, FenceStatus::Success);
        assert_eq!(
            mon.fence_history[1].exit_reason.as_deref(),
            Some("timed out")
        );
    }

    #[test]
    fn rejects_other_roots_and_nameless_nodes() {
        assert!(matches!(
            CrmMon::parse("<cib/>"),
            Err(Error::UnexpectedRoot { .. })
        ));
        let err =
            CrmMon::parse("<pacemaker-result><nodes><node id='1'/></nodes></pacemaker-result>")
                .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Attribute {
                    attribute: "name",
                    ..
                }
            ),
            "{err}"
        );
    }
}
