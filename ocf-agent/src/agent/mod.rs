//! `ocf:masakari:hostmonitor`: its description, its actions, and the dispatch from an action name.

pub mod actions;
pub mod daemon;
pub mod instance;
pub mod params;
pub mod proc;
pub mod verdict;

use std::io::Write;

use crate::ocf::{
    Action, ActionSpec, AgentInfo, Environment, Failure, Logger, OcfStatus, Outcome, metadata,
};
pub use instance::{AGENT, Instance};

/// The agent's long description.
const LONGDESC: &str = "Runs the Masakari host monitor (masakari-hostmonitor run) as a cluster \
resource, so Pacemaker keeps exactly one instance running and moves it when its node fails. \
The monitor learns of lost compute nodes from Pacemaker and notifies the Masakari API once they \
are fenced. Credentials stay in the configuration file; the attributes override its \
non-secret settings. Deeper monitors: OCF_CHECK_LEVEL=10 asks the daemon whether it can read \
the CIB, OCF_CHECK_LEVEL=20 also whether it reaches the Masakari API.";

/// The actions the metadata advertises, with suggested timeouts.
pub const ACTIONS: &[ActionSpec] = &[
    ActionSpec::new(Action::Start, 30),
    ActionSpec::new(Action::Stop, 30),
    ActionSpec::monitor(20, 10, 0),
    ActionSpec::new(Action::ValidateAll, 20),
    ActionSpec::new(Action::ReloadAgent, 20),
    ActionSpec::new(Action::MetaData, 5),
];

/// The metadata XML of `ocf:masakari:hostmonitor`.
pub fn metadata_xml() -> std::io::Result<String> {
    metadata(&AgentInfo {
        name: AGENT,
        version: env!("CARGO_PKG_VERSION"),
        shortdesc: "Masakari host monitor",
        longdesc: LONGDESC,
        params: params::PARAMS,
        actions: ACTIONS,
    })
}

/// Carries out the command line `args` (without the program name): the action's outcome.
pub fn run(args: &[String], env: &Environment, log: &Logger, out: &mut dyn Write) -> Outcome {
    let [word] = args else {
        return Err(Failure::new(
            OcfStatus::ErrArgs,
            format!("usage: {AGENT} {{{}}}", usage_actions()),
        ));
    };
    let action: Action = word
        .parse()
        .map_err(|e| Failure::new(OcfStatus::ErrUnimplemented, format!("{e}")))?;
    log.debug(&format!("{action} called"));
    match action {
        Action::MetaData => {
            let xml = metadata_xml().map_err(|e| Failure::generic(e.to_string()))?;
            write_out(out, &xml)
        }
        Action::Usage | Action::Methods => write_out(out, &usage_actions().replace('|', "\n")),
        Action::Start => actions::start(&Instance::from_env(env)?, env, log),
        Action::Stop => actions::stop(&Instance::located(env), env, log),
        Action::Monitor | Action::Status => actions::monitor(&Instance::located(env), env, log),
        Action::ValidateAll | Action::ReloadAgent | Action::Reload => {
            actions::validate(&Instance::from_env(env)?).map(|_| OcfStatus::Success)
        }
        other => Err(Failure::new(
            OcfStatus::ErrUnimplemented,
            format!("action {other} is not implemented (the monitor is a primitive)"),
        )),
    }
}

fn usage_actions() -> String {
    let names: Vec<&str> = ACTIONS.iter().map(|a| a.action.name()).collect();
    names.join("|")
}

fn write_out(out: &mut dyn Write, text: &str) -> Outcome {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map(|()| OcfStatus::Success)
        .map_err(|e| Failure::generic(format!("cannot write output: {e}")))
}
