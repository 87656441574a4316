//! The watched compute services ([`Processes`]) on every node, as Pacemaker stands with them
//! (`cib::Cib::service_states`, judged at the reconcile's time), as the engine's
//! [`ServiceView`]s. Pure: the reconcile task reads the CIB and hands it here.

use std::collections::BTreeMap;

use cib::{Cib, Resource, ServiceState};

use crate::engine::{ProcessState, ServiceView, Timestamp};
use crate::settings::Processes;

/// The watched resources a CIB configures: resource id -> process name. A primitive running a
/// watched agent is watched under its own id; resources named in `resources` under theirs.
pub fn watched(cib: &Cib, processes: &Processes) -> BTreeMap<String, String> {
    let by_agent = cib.all_resources().filter_map(|r| {
        let process = agent_names(r).find_map(|name| processes.agents.get(&name))?;
        Some((r.id.clone(), process.clone()))
    });
    let by_id = processes
        .resources
        .iter()
        .filter(|(id, _)| cib.resource(id).is_some())
        .map(|(id, process)| (id.clone(), process.clone()));
    by_agent.chain(by_id).collect()
}

/// The resource ids Pacemaker's resource alerts about the watched resources name: each watched
/// resource's and its descendants' (an alert about a clone's instance names its primitive, as
/// `rsc` or `rsc:N`), sorted, each once.
pub fn alerted_ids(cib: &Cib, watched: &BTreeMap<String, String>) -> Vec<String> {
    let mut ids: Vec<String> = watched
        .keys()
        .flat_map(|id| match cib.resource(id) {
            Some(r) => r.walk().into_iter().map(|r| r.id.clone()).collect(),
            None => vec![id.clone()],
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The spellings a primitive's agent may be watched by: `class:type` and, with a provider,
/// `class:provider:type`.
fn agent_names(r: &Resource) -> impl Iterator<Item = String> {
    let agent = r.agent();
    let short = agent.map(|a| format!("{}:{}", a.class, a.agent_type));
    let long = agent.and_then(|a| {
        let provider = a.provider.as_deref()?;
        Some(format!("{}:{provider}:{}", a.class, a.agent_type))
    });
    short.into_iter().chain(long)
}

/// Every watched service on every node with a `node_state`, at `now`. Several watched resources
/// standing for one process name on one node count as one service: Pacemaker gave up on it if
/// it gave up on any of them, and it runs only if all of them run.
pub fn views(cib: &Cib, watched: &BTreeMap<String, String>, now: Timestamp) -> Vec<ServiceView> {
    let secs = now.unix_micros() / 1_000_000;
    let mut states: BTreeMap<(String, String), ProcessState> = BTreeMap::new();
    for (id, process) in watched {
        for (node, state) in cib.service_states(id, Some(secs)).unwrap_or_default() {
            let state = process_state(state);
            let key = (node.to_owned(), process.clone());
            let slot = states.entry(key).or_insert(state);
            *slot = worst(*slot, state);
        }
    }
    states
        .into_iter()
        .map(|((host, process_name), state)| ServiceView {
            host,
            process_name,
            state,
        })
        .collect()
}

fn process_state(state: ServiceState) -> ProcessState {
    match state {
        ServiceState::Running => ProcessState::Running,
        ServiceState::NotRunning => ProcessState::NotRunning,
        ServiceState::GaveUp(_) => ProcessState::GaveUp,
    }
}

fn worst(a: ProcessState, b: ProcessState) -> ProcessState {
    let rank = |s| match s {
        ProcessState::Running => 0,
        ProcessState::NotRunning => 1,
        ProcessState::GaveUp => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    fn cib(name: &str) -> Cib {
        let path = format!(
            "{}/../cib/tests/data/services/{name}.xml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Cib::parse(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn settings(text: &str) -> Processes {
        Settings::parse(text, &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .processes
    }

    #[test]
    fn agents_and_ids_find_the_watched_resources() {
        let cib = cib("threshold-reached");
        assert!(
            watched(&cib, &settings("")).is_empty(),
            "ocf:pacemaker:Dummy is no default"
        );
        let by_agent = settings("[processes.agents]\n\"ocf:pacemaker:Dummy\" = \"nova-compute\"\n");
        let found = watched(&cib, &by_agent);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            [("nova".to_owned(), "nova-compute".to_owned())]
        );
        let by_id =
            settings("[processes.resources]\nnova-clone = \"nova-compute\"\nmissing = \"x\"\n");
        assert_eq!(
            watched(&cib, &by_id).keys().collect::<Vec<_>>(),
            ["nova-clone"]
        );
        let short = settings("[processes.agents]\n\"ocf:Dummy\" = \"nova-compute\"\n");
        assert_eq!(watched(&cib, &short).len(), 1);
    }

    #[test]
    fn alerts_about_a_watched_clone_name_its_primitive() {
        let cib = cib("threshold-reached");
        let watched = BTreeMap::from([("nova-clone".to_owned(), "nova-compute".to_owned())]);
        assert_eq!(alerted_ids(&cib, &watched), ["nova", "nova-clone"]);
    }

    #[test]
    fn views_say_where_pacemaker_gave_up() {
        let cib = cib("threshold-reached");
        let watched = BTreeMap::from([("nova-clone".to_owned(), "nova-compute".to_owned())]);
        let views = views(&cib, &watched, Timestamp::from_unix(1_900_000_010, 0));
        let states: Vec<(&str, ProcessState)> =
            views.iter().map(|v| (v.host.as_str(), v.state)).collect();
        assert_eq!(
            states,
            [
                ("cmp1", ProcessState::GaveUp),
                ("cmp2", ProcessState::Running)
            ]
        );
    }

    #[test]
    fn one_process_name_is_the_worst_of_its_resources() {
        let cib = cib("threshold-reached");
        let watched = BTreeMap::from([
            ("nova-clone".to_owned(), "p".to_owned()),
            ("nova".to_owned(), "p".to_owned()),
        ]);
        let views = views(&cib, &watched, Timestamp::from_unix(1_900_000_010, 0));
        assert_eq!(views.len(), 2);
        assert_eq!(
            worst(ProcessState::GaveUp, ProcessState::Running),
            ProcessState::GaveUp
        );
        assert_eq!(
            worst(ProcessState::Running, ProcessState::NotRunning),
            ProcessState::NotRunning
        );
    }
}
