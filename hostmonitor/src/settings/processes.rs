//! `[processes]`: the compute services Pacemaker runs on the computes that the monitor watches,
//! and the process name each stands for in a `PROCESS` notification (see `engine::process`).
//!
//! Two tables, both `name = "process name"`:
//!
//! - `agents`: every primitive running this agent (`class:type` or `class:provider:type`), and
//!   so every clone of it, is watched. The defaults cover the usual names:
//!   `systemd:openstack-nova-compute` (RDO/RHEL's unit) and `systemd:nova-compute` (Debian's and
//!   Ubuntu's) stand for `nova-compute`, `systemd:libvirtd` for `libvirtd`, the names
//!   masakari-monitors' `process_list.yaml` uses.
//! - `resources`: resources by id (a primitive, or a clone or group of them), for agents not in
//!   `agents`. Empty by default.
//!
//! `process_list` names masakari-monitors' `process_list.yaml` (default: its processmonitor's
//! default path), which `masakari-hostmonitor check` compares with the watched resources.
//!
//! With both tables empty the monitor reads no more than it does for hosts. Otherwise each
//! reconcile first asks the CIB whether a watched resource is configured at all (one small
//! `cibadmin --xpath` query) and only then reads the whole CIB (`cibadmin --query`) for the
//! resources' fail counts and histories.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::SettingsError;

/// The watched services.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Processes {
    /// Agent (`class:type` or `class:provider:type`) -> process name.
    pub agents: BTreeMap<String, String>,
    /// Resource id -> process name.
    pub resources: BTreeMap<String, String>,
    /// masakari-monitors' process list, which `check` compares with the watched resources
    /// (its processmonitor's default path by default).
    pub process_list: PathBuf,
}

impl Default for Processes {
    fn default() -> Self {
        let agents = [
            ("systemd:openstack-nova-compute", "nova-compute"),
            ("systemd:nova-compute", "nova-compute"),
            ("systemd:libvirtd", "libvirtd"),
        ];
        Self {
            agents: agents
                .iter()
                .map(|(a, p)| ((*a).to_owned(), (*p).to_owned()))
                .collect(),
            resources: BTreeMap::new(),
            process_list: PathBuf::from("/etc/masakarimonitors/process_list.yaml"),
        }
    }
}

impl Processes {
    /// Whether nothing is watched.
    pub fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.resources.is_empty()
    }

    /// Every process name something watched stands for.
    pub fn process_names(&self) -> impl Iterator<Item = &str> {
        self.agents
            .values()
            .chain(self.resources.values())
            .map(String::as_str)
    }

    /// An XPath of the CIB that matches a watched resource's configuration, if one exists: every
    /// primitive running a watched agent, and every resource named in `resources`. The reconcile
    /// asks for it (small) before it reads the whole CIB (large), and skips the latter when it
    /// matches nothing. `None` when nothing is watched.
    pub fn xpath(&self) -> Option<String> {
        let agents = self.agents.keys().map(|agent| {
            let parts: Vec<&str> = agent.split(':').collect();
            let test = match parts.as_slice() {
                [class, provider, kind] => {
                    format!("@class='{class}' and @provider='{provider}' and @type='{kind}'")
                }
                [class, kind] => format!("@class='{class}' and @type='{kind}'"),
                _ => "false()".to_owned(),
            };
            format!("{RESOURCES}//primitive[{test}]")
        });
        let ids = self
            .resources
            .keys()
            .map(|id| format!("{RESOURCES}//*[@id='{id}']"));
        let paths: Vec<String> = agents.chain(ids).collect();
        (!paths.is_empty()).then(|| paths.join(" | "))
    }

    /// Checks every agent is spelt `class:type` or `class:provider:type` and every process name
    /// is one masakari-monitors could send (non-empty, no `/`: it sends the last part of a path).
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (agent, process) in &self.agents {
            let parts = agent.split(':').count();
            if !(2..=3).contains(&parts) || agent.split(':').any(str::is_empty) || quoted(agent) {
                return Err(SettingsError::invalid(
                    &format!("processes.agents.{agent}"),
                    "must be class:type or class:provider:type (e.g. systemd:libvirtd)",
                ));
            }
            check_process(&format!("processes.agents.{agent}"), process)?;
        }
        for (id, process) in &self.resources {
            let key = format!("processes.resources.{id}");
            if id.is_empty() || quoted(id) {
                return Err(SettingsError::invalid(&key, "is not a resource id"));
            }
            check_process(&key, process)?;
        }
        Ok(())
    }
}

/// Where resources are configured.
const RESOURCES: &str = "/cib/configuration/resources";

/// Whether a name holds a quote (no agent or resource id does; the XPath quotes names).
fn quoted(name: &str) -> bool {
    name.contains(['\'', '"'])
}

fn check_process(key: &str, process: &str) -> Result<(), SettingsError> {
    if process.trim().is_empty() || process.contains('/') {
        return Err(SettingsError::invalid(
            key,
            "must be a process name without '/' (as PROCESS notifications carry it)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn the_usual_names_by_default() {
        let s = Settings::parse("", &[]).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = s.processes.process_names().collect();
        assert_eq!(names, ["libvirtd", "nova-compute", "nova-compute"]);
        assert!(!s.processes.is_empty());
    }

    #[test]
    fn the_xpath_matches_watched_agents_and_ids() {
        let text = "[processes]\nagents = { \"systemd:libvirtd\" = \"libvirtd\", \"ocf:heartbeat:anything\" = \"x\" }\nresources = { nova-clone = \"nova-compute\" }\n";
        let s = Settings::parse(text, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.processes.xpath().as_deref(),
            Some(
                "/cib/configuration/resources//primitive[@class='ocf' and @provider='heartbeat' and @type='anything'] | \
                 /cib/configuration/resources//primitive[@class='systemd' and @type='libvirtd'] | \
                 /cib/configuration/resources//*[@id='nova-clone']"
            )
        );
        let none =
            Settings::parse("[processes]\nagents = {}\n", &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(none.processes.xpath(), None);
    }

    #[test]
    fn tables_replace_the_defaults_and_are_checked() {
        let text = "[processes]\nagents = {}\nresources = { nova-clone = \"nova-compute\" }\n";
        let s = Settings::parse(text, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.processes.agents.is_empty());
        assert_eq!(
            s.processes.resources.get("nova-clone").map(String::as_str),
            Some("nova-compute")
        );
        let bad = [
            "[processes]\nagents = { libvirtd = \"libvirtd\" }\n",
            "[processes]\nagents = { \"systemd::x\" = \"x\" }\n",
            "[processes]\nresources = { r = \"/usr/bin/nova-compute\" }\n",
            "[processes]\nresources = { r = \" \" }\n",
            "[processes]\nresources = { \"a'b\" = \"x\" }\n",
            "[processes]\nagents = { \"systemd:a'b\" = \"x\" }\n",
        ];
        for text in bad {
            let error = Settings::parse(text, &[])
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(error.contains("processes."), "{text}: {error}");
        }
    }
}
