//! `fencing-topology`: which devices to try, level by level, for which targets.

use crate::xml::Element;

/// Whom a fencing level applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LevelTarget {
    /// One node, by name (`target`).
    Name(String),
    /// Node names matching a regular expression (`target-pattern`).
    Pattern(String),
    /// Nodes whose attribute has a value (`target-attribute` and `target-value`).
    Attribute {
        /// Attribute name.
        name: String,
        /// Required value.
        value: String,
    },
}

/// One `fencing-level`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FencingLevel {
    /// The level's id.
    pub id: String,
    /// Its index (1-9): lower levels are tried first.
    pub index: u8,
    /// Whom it applies to.
    pub target: LevelTarget,
    /// Devices that must all succeed, in order.
    pub devices: Vec<String>,
}

impl FencingLevel {
    /// Reads all levels; malformed ones are skipped with a warning (the fencer rejects them).
    pub(crate) fn parse_all(
        topology: Option<Element<'_>>,
        warnings: &mut Vec<String>,
    ) -> Vec<Self> {
        let Some(topology) = topology else {
            return Vec::new();
        };
        let mut levels = Vec::new();
        for level in topology.children_named("fencing-level") {
            match Self::parse(level) {
                Some(parsed) => levels.push(parsed),
                None => warnings.push(format!("ignoring malformed {}", level.describe())),
            }
        }
        levels
    }

    fn parse(level: Element<'_>) -> Option<Self> {
        let index = level
            .attr("index")?
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|i| (1..=9).contains(i))?;
        let target = if let Some(name) = level.attr("target") {
            LevelTarget::Name(name.to_owned())
        } else if let Some(pattern) = level.attr("target-pattern") {
            LevelTarget::Pattern(pattern.to_owned())
        } else {
            LevelTarget::Attribute {
                name: level.attr("target-attribute")?.to_owned(),
                value: level.attr("target-value")?.to_owned(),
            }
        };
        let devices: Vec<String> = level
            .attr("devices")?
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
        (!devices.is_empty()).then(|| Self {
            id: level.attr("id").unwrap_or_default().to_owned(),
            index,
            target,
            devices,
        })
    }
}
