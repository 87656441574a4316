//! The `resources` section: primitives, groups, clones, bundles and their attributes.

use crate::value::NvPairs;
use crate::xml::Element;

/// What kind of resource an element declares.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceKind {
    /// A `primitive`: one agent instance.
    Primitive(Agent),
    /// A `group` of resources that run together, in order.
    Group,
    /// A `clone` (anonymous or unique) of one child.
    Clone,
    /// A promotable clone (`master`, or `clone` with `promotable=true`).
    Promotable,
    /// A `bundle` (container plus optional primitive).
    Bundle(BundleSpec),
}

/// The most bundle replicas read from one CIB, over all its bundles. Each replica is a
/// container the node-state query tracks (and, in a bundle Pacemaker can reach, a guest
/// node), so a number written into the CIB must not decide how much memory and time a
/// parse takes; real clusters run a few replicas per bundle.
const MAX_REPLICAS: u32 = 10_000;

/// What a bundle declares about its containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSpec {
    /// The container runtime element: `docker`, `podman` or `rkt`.
    pub runtime: String,
    /// Number of replicas (`replicas`, defaulting to `promoted-max`, else 1); a CIB's
    /// bundles are read with at most 10,000 replicas in all, each cut down with a warning.
    pub replicas: u32,
    /// Whether Pacemaker can reach a primitive inside (`ip-range-start` or `control-port`),
    /// which makes each replica a guest node.
    pub remote_capable: bool,
}

impl BundleSpec {
    fn parse(bundle: Element<'_>) -> Self {
        let runtime_element = ["docker", "rkt", "podman"]
            .iter()
            .find_map(|r| bundle.child(r));
        let number = |name: &str| {
            runtime_element
                .and_then(|e| e.attr(name))
                .and_then(|v| v.trim().parse::<u32>().ok())
        };
        let promoted_max = number("promoted-max")
            .or_else(|| number("masters"))
            .unwrap_or(0);
        let replicas = match runtime_element.and_then(|e| e.attr("replicas")) {
            None if promoted_max > 0 => promoted_max,
            _ => number("replicas").unwrap_or(1).max(1),
        };
        let network = bundle.child("network");
        Self {
            runtime: runtime_element.map_or("unknown", |e| e.name()).to_owned(),
            replicas,
            remote_capable: network.is_some_and(|n| {
                n.attr("ip-range-start").is_some() || n.attr("control-port").is_some()
            }),
        }
    }
}

/// The agent a primitive runs: `class:provider:type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// `ocf`, `stonith`, `systemd`, ...
    pub class: String,
    /// The OCF provider, if any.
    pub provider: Option<String>,
    /// The agent name (`remote`, `fence_ipmilan`, ...).
    pub agent_type: String,
}

/// One operation configured on a resource (`op` in `operations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpConfig {
    /// The action (`monitor`, `start`, ...).
    pub name: String,
    /// The interval as written (`0`, `10s`, ...).
    pub interval: String,
    /// `on-fail`, if set.
    pub on_fail: Option<String>,
    /// `timeout` as written, if set.
    pub timeout: Option<String>,
}

/// A resource and, for collective resources, its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The resource id.
    pub id: String,
    /// What it is.
    pub kind: ResourceKind,
    /// `instance_attributes` (agent parameters) without rules.
    pub params: NvPairs,
    /// `meta_attributes` without rules.
    pub meta: NvPairs,
    /// Configured operations.
    pub ops: Vec<OpConfig>,
    /// Children of groups, clones and bundles.
    pub children: Vec<Resource>,
}

impl Resource {
    /// The primitive's agent, if this is a primitive.
    pub fn agent(&self) -> Option<&Agent> {
        match &self.kind {
            ResourceKind::Primitive(agent) => Some(agent),
            _ => None,
        }
    }

    /// Whether this primitive is a fence device (class `stonith`).
    pub fn is_stonith(&self) -> bool {
        self.agent().is_some_and(|a| a.class == "stonith")
    }

    /// Whether this primitive is a Pacemaker Remote connection (`ocf:pacemaker:remote`).
    pub fn is_remote_connection(&self) -> bool {
        self.agent().is_some_and(|a| {
            a.class == "ocf"
                && a.provider.as_deref() == Some("pacemaker")
                && a.agent_type == "remote"
        })
    }

    /// The guest node this resource hosts (its `remote-node` meta attribute).
    pub fn guest_node(&self) -> Option<&str> {
        self.meta.get("remote-node")
    }

    /// Whether the cluster manages this resource (`is-managed`, default true).
    pub fn is_managed(&self) -> bool {
        self.meta
            .get("is-managed")
            .is_none_or(crate::value::is_true)
    }

    /// Whether `target-role` stops the resource.
    pub fn is_disabled(&self) -> bool {
        self.meta
            .get("target-role")
            .is_some_and(|r| r.eq_ignore_ascii_case("stopped"))
    }

    /// This resource and all its descendants, depth first.
    pub fn walk(&self) -> Vec<&Resource> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }

    /// Reads the resources under `resources`; elements this crate does not know are
    /// ignored and resources without an id are skipped, each with a warning.
    pub(crate) fn parse_all(parent: Element<'_>, warnings: &mut Vec<String>) -> Vec<Self> {
        let templates: Vec<Element<'_>> = parent.children_named("template").collect();
        let mut resources: Vec<Self> = parent
            .children()
            .filter_map(|child| Self::parse(child, &templates, warnings))
            .collect();
        let mut budget = MAX_REPLICAS;
        for resource in &mut resources {
            resource.bound_replicas(&mut budget, warnings);
        }
        resources
    }

    /// Holds this resource's bundles, and those inside it, to what is left of `budget`
    /// replicas, with a warning for each bundle cut down.
    fn bound_replicas(&mut self, budget: &mut u32, warnings: &mut Vec<String>) {
        if let ResourceKind::Bundle(spec) = &mut self.kind {
            if spec.replicas > *budget {
                warnings.push(format!(
                    "bundle {:?}: replicas={} read as {} (at most {MAX_REPLICAS} in all bundles)",
                    self.id, spec.replicas, *budget
                ));
                spec.replicas = *budget;
            }
            *budget -= spec.replicas;
        }
        for child in &mut self.children {
            child.bound_replicas(budget, warnings);
        }
    }

    fn parse(
        element: Element<'_>,
        templates: &[Element<'_>],
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
        let kind = match element.name() {
            "primitive" => ResourceKind::Primitive(Self::agent_of(element, templates, warnings)?),
            "group" => ResourceKind::Group,
            "clone" if Self::promotable_clone(element) => ResourceKind::Promotable,
            "clone" => ResourceKind::Clone,
            "master" => ResourceKind::Promotable,
            "bundle" => ResourceKind::Bundle(BundleSpec::parse(element)),
            _ => return None,
        };
        let Some(id) = element.attr("id").filter(|id| !id.is_empty()) else {
            warnings.push(format!(
                "ignoring <{}> at byte {} without id",
                element.name(),
                element.position()
            ));
            return None;
        };
        let mut params = NvPairs::from_sets(element, "instance_attributes", warnings);
        let mut meta = NvPairs::from_sets(element, "meta_attributes", warnings);
        if let Some(template) = Self::template_of(element, templates) {
            params.extend_from_sets(template, "instance_attributes", warnings);
            meta.extend_from_sets(template, "meta_attributes", warnings);
        }
        Some(Self {
            id: id.to_owned(),
            kind,
            params,
            meta,
            ops: Self::ops_of(element),
            children: element
                .children()
                .filter_map(|c| Self::parse(c, templates, warnings))
                .collect(),
        })
    }

    fn promotable_clone(element: Element<'_>) -> bool {
        let mut skipped = Vec::new();
        NvPairs::from_sets(element, "meta_attributes", &mut skipped).is_true("promotable")
    }

    fn template_of<'t>(element: Element<'_>, templates: &[Element<'t>]) -> Option<Element<'t>> {
        let name = element.attr("template")?;
        templates
            .iter()
            .copied()
            .find(|t| t.attr("id") == Some(name))
    }

    fn agent_of(
        element: Element<'_>,
        templates: &[Element<'_>],
        warnings: &mut Vec<String>,
    ) -> Option<Agent> {
        let source = match Self::template_of(element, templates) {
            Some(t) if element.attr("type").is_none() => t,
            _ => element,
        };
        match (source.attr("class"), source.attr("type")) {
            (Some(class), Some(agent_type)) => Some(Agent {
                class: class.to_owned(),
                provider: source.attr("provider").map(str::to_owned),
                agent_type: agent_type.to_owned(),
            }),
            _ => {
                warnings.push(format!(
                    "ignoring {} without class or type",
                    element.describe()
                ));
                None
            }
        }
    }

    fn ops_of(element: Element<'_>) -> Vec<OpConfig> {
        element
            .children_named("operations")
            .flat_map(|ops| ops.children_named("op"))
            .filter_map(|op| {
                Some(OpConfig {
                    name: op.attr("name")?.to_owned(),
                    interval: op.attr("interval").unwrap_or("0").to_owned(),
                    on_fail: op.attr("on-fail").map(str::to_owned),
                    timeout: op.attr("timeout").map(str::to_owned),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cib, ResourceKind};

    fn bundle(id: &str, replicas: &str) -> String {
        format!(
            r#"<bundle id="{id}"><podman image="x" replicas="{replicas}"/><network control-port="3121"/><primitive id="{id}-app" class="ocf" provider="heartbeat" type="Dummy"/></bundle>"#
        )
    }

    /// A replica count written into the CIB must not decide the memory a parse and a
    /// query take (4,000,000,000 replicas once made the query abort on allocation).
    #[test]
    fn bundle_replicas_are_bounded_over_all_bundles() {
        let text = format!(
            "<cib><configuration><crm_config/><nodes/><resources>{}{}{}</resources></configuration><status/></cib>",
            bundle("small", "3"),
            bundle("huge", "4000000000"),
            bundle("after", "2"),
        );
        let cib = Cib::parse(&text).unwrap();
        let replicas: Vec<u32> = cib
            .resources
            .iter()
            .map(|r| match &r.kind {
                ResourceKind::Bundle(spec) => spec.replicas,
                _ => 0,
            })
            .collect();
        assert_eq!(replicas, [3, 9_997, 0]);
        assert_eq!(
            cib.warnings
                .iter()
                .filter(|w| w.contains("replicas="))
                .count(),
            2,
            "{:?}",
            cib.warnings
        );
        assert_eq!(cib.node_statuses().len(), 3 + 9_997);
    }
}
