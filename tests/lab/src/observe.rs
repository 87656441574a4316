//! What the lab reads back from Pacemaker: `crm_mon` and `stonith_admin --history` XML, reduced to what
//! lab operations and tests wait for. (The product's full reading of this XML is the `cib` crate.)

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde::Serialize;

use crate::error::{LabError, Result};

/// The cluster as one controller's `crm_mon` sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClusterView {
    /// The DC's node name, when there is one.
    pub dc: Option<String>,
    /// Whether the partition has quorum.
    pub quorum: bool,
    /// Every node crm_mon lists.
    pub nodes: Vec<NodeView>,
}

/// One node in `crm_mon`'s view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NodeView {
    /// Its name.
    pub name: String,
    /// `member` or `remote`.
    pub kind: String,
    /// Online (for a remote: its connection is up).
    pub online: bool,
    /// Unclean: must be fenced.
    pub unclean: bool,
}

/// One fencing operation from the fencer's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FenceEvent {
    /// off, on, reboot.
    pub action: String,
    /// The node fenced.
    pub target: String,
    /// success, failed or pending.
    pub status: String,
    /// When it completed, as the fencer prints it.
    pub completed: Option<String>,
}

impl ClusterView {
    /// The named node, if crm_mon lists it.
    pub fn node(&self, name: &str) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.name == name)
    }
}

/// Reads `crm_mon -1 --output-as=xml`.
pub fn parse_crm_mon(xml: &str) -> Result<ClusterView> {
    let mut view = ClusterView::default();
    each_element(xml, "crm_mon", |name, e| match name {
        b"current_dc" => {
            if attr(e, "present").as_deref() == Some("true") {
                view.dc = attr(e, "name");
            }
            view.quorum = attr(e, "with_quorum").as_deref() == Some("true");
        }
        b"node" if attr(e, "type").is_some() => view.nodes.push(NodeView {
            name: attr(e, "name").unwrap_or_default(),
            kind: attr(e, "type").unwrap_or_default(),
            online: attr(e, "online").as_deref() == Some("true"),
            unclean: attr(e, "unclean").as_deref() == Some("true"),
        }),
        _ => {}
    })?;
    Ok(view)
}

/// Reads `stonith_admin --history '*' --verbose --output-as=xml`.
pub fn parse_fence_history(xml: &str) -> Result<Vec<FenceEvent>> {
    let mut events = Vec::new();
    each_element(xml, "stonith_admin", |name, e| {
        if name == b"fence_event" {
            events.push(FenceEvent {
                action: attr(e, "action").unwrap_or_default(),
                target: attr(e, "target").unwrap_or_default(),
                status: attr(e, "status").unwrap_or_default(),
                completed: attr(e, "completed"),
            });
        }
    })?;
    Ok(events)
}

fn each_element(
    xml: &str,
    peer: &str,
    mut visit: impl FnMut(&[u8], &BytesStart<'_>),
) -> Result<()> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => visit(e.name().as_ref(), &e),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(err) => {
                return Err(LabError::Answer {
                    peer: peer.to_owned(),
                    detail: format!("{err} at byte {}", reader.buffer_position()),
                });
            }
        }
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    a.unescape_value().ok().map(|v| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dc_quorum_and_nodes() {
        let xml = r#"<pacemaker-result><summary>
            <current_dc present="true" name="ctl1" id="1" with_quorum="true"/></summary>
            <nodes><node name="ctl1" id="1" online="true" unclean="false" type="member"/>
            <node name="compute1" id="compute1" online="false" unclean="true" type="remote"/></nodes>
            <resources><resource id="compute1"><node name="ctl1" id="1" cached="true"/></resource></resources>
            </pacemaker-result>"#;
        let view = parse_crm_mon(xml).unwrap();
        assert_eq!(view.dc.as_deref(), Some("ctl1"));
        assert!(view.quorum);
        assert_eq!(view.nodes.len(), 2);
        let c1 = view.node("compute1").unwrap();
        assert!(!c1.online && c1.unclean && c1.kind == "remote");
    }

    #[test]
    fn reads_fence_events() {
        let xml = r#"<pacemaker-result><fence_history>
            <fence_event action="off" target="compute1" status="success" completed="2026-11-26 07:00:00.1"/>
            <fence_event action="reboot" target="compute2" status="pending"/></fence_history></pacemaker-result>"#;
        let events = parse_fence_history(xml).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].status, "success");
        assert_eq!(events[1].completed, None);
    }

    #[test]
    fn malformed_xml_is_an_error_with_a_position() {
        let err = parse_crm_mon("<a><b></a>").unwrap_err();
        assert!(err.to_string().contains("byte"), "{err}");
    }
}
