//! `[host_names]`: the name Masakari knows a node's hypervisor by, where it differs from the
//! Pacemaker node name (`compute-0 = "compute-0.nova.example.org"`).
//!
//! A node not listed is sent under its node name, as masakari-monitors does. The name is the
//! host's `name` in its Masakari segment, and is checked as the notification API checks
//! `hostname` (`masakari/api/validation/parameter_types.py`: 1 to 255 of `a-z A-Z 0-9 - . _`);
//! two nodes may not claim one host.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SettingsError;

/// Masakari's longest notification `hostname`.
const LONGEST: usize = 255;

/// Node name -> Masakari host name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct HostNames(BTreeMap<String, String>);

impl HostNames {
    /// The table, for the engine.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.clone()
    }

    /// Checks every name and that no two nodes map to one host.
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
        for (node, name) in &self.0 {
            let key = format!("host_names.{node}");
            if !is_host_name(name) {
                return Err(SettingsError::invalid(
                    &key,
                    "must be 1 to 255 of a-z, A-Z, 0-9, '-', '.', '_' (as Masakari's API accepts)",
                ));
            }
            if let Some(other) = owners.insert(name, node) {
                return Err(SettingsError::invalid(
                    &key,
                    &format!("names the same Masakari host as host_names.{other}"),
                ));
            }
        }
        Ok(())
    }
}

fn is_host_name(name: &str) -> bool {
    (1..=LONGEST).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

#[cfg(test)]
mod tests {
    use crate::settings::{Override, Settings};

    #[test]
    fn a_table_maps_nodes_to_masakari_host_names() {
        let text = "[host_names]\ncompute-0 = \"compute-0.nova.example.org\"\n\
                    \"c1.lab\" = \"hv1\"\n";
        let s = Settings::parse(text, &[]).unwrap();
        let config = s.engine_config();
        assert_eq!(config.masakari_name("c1.lab"), "hv1");
        assert_eq!(config.masakari_name("compute-9"), "compute-9");
        let map = s.engine_config().host_names;
        assert_eq!(map["compute-0"], "compute-0.nova.example.org");
        assert_eq!(map["c1.lab"], "hv1");
        assert_eq!(map.len(), 2);
        assert!(
            Settings::parse("", &[])
                .unwrap()
                .engine_config()
                .host_names
                .is_empty()
        );
    }

    #[test]
    fn an_override_adds_or_replaces_one_name() {
        let o: Override = "host_names.c1.lab=hv9.example".parse().unwrap();
        let s = Settings::parse("[host_names]\n\"c1.lab\" = \"hv1\"\n", &[o]).unwrap();
        assert_eq!(s.engine_config().host_names["c1.lab"], "hv9.example");
    }

    #[test]
    fn bad_or_shared_names_are_refused_by_key() {
        let long = format!("[host_names]\nc1 = \"{}\"\n", "h".repeat(256));
        for (text, key) in [
            ("[host_names]\nc1 = \"\"\n", "host_names.c1"),
            ("[host_names]\nc1 = \" hv1\"\n", "host_names.c1"),
            ("[host_names]\nc1 = \"hv\\n1\"\n", "host_names.c1"),
            ("[host_names]\nc1 = \"hv 1\"\n", "host_names.c1"),
            ("[host_names]\nc1 = \"hv/1\"\n", "host_names.c1"),
            (
                "[host_names]\nc1 = \"hv1\"\nc2 = \"hv1\"\n",
                "host_names.c2",
            ),
            (long.as_str(), "host_names.c1"),
            ("[host_names]\nc1 = 3\n", "line 2"),
        ] {
            let e = Settings::parse(text, &[]).unwrap_err().to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
        let e = Settings::parse("[host_names]\nc1 = \"hv1\"\nc2 = \"hv1\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("host_names.c1"), "{e}");
    }
}
