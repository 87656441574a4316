//! `alerts`: the agents Pacemaker runs on cluster events.

use crate::value::NvPairs;
use crate::xml::Element;

/// One `alert` and its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The alert id.
    pub id: String,
    /// The agent's path.
    pub path: String,
    /// `meta_attributes` (e.g. `timestamp-format`, `timeout`).
    pub meta: NvPairs,
    /// `instance_attributes` (passed to the agent as environment).
    pub params: NvPairs,
    /// Event kinds selected by `select` (empty means all).
    pub select: Vec<String>,
    /// Recipients' `value`s.
    pub recipients: Vec<String>,
}

impl Alert {
    /// Reads every `alert` under `alerts`; those without id or path are skipped with a warning.
    pub(crate) fn parse_all(alerts: Option<Element<'_>>, warnings: &mut Vec<String>) -> Vec<Self> {
        let Some(alerts) = alerts else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for alert in alerts.children_named("alert") {
            let (Some(id), Some(path)) = (alert.attr("id"), alert.attr("path")) else {
                warnings.push(format!("ignoring {} without id or path", alert.describe()));
                continue;
            };
            out.push(Self {
                id: id.to_owned(),
                path: path.to_owned(),
                meta: NvPairs::from_sets(alert, "meta_attributes", warnings),
                params: NvPairs::from_sets(alert, "instance_attributes", warnings),
                select: alert
                    .children_named("select")
                    .flat_map(|s| s.children())
                    .filter_map(|kind| kind.name().strip_prefix("select_").map(str::to_owned))
                    .collect(),
                recipients: alert
                    .children_named("recipient")
                    .filter_map(|r| r.attr("value").map(str::to_owned))
                    .collect(),
            });
        }
        out
    }
}
