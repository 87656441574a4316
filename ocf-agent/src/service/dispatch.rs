//! From the command line's action word to the action, for any [`Agent`]; the metadata from its
//! [`AgentSpec`]'s `info`.

use std::io::Write;

use super::{Agent, AgentSpec, Instance, actions};
use crate::ocf::{Action, Environment, Failure, Logger, OcfStatus, Outcome, metadata};

/// Carries out the command line `args` (without the program name): the action's outcome.
pub fn run<A: Agent>(
    args: &[String],
    env: &Environment,
    log: &Logger,
    out: &mut dyn Write,
) -> Outcome {
    let spec = A::spec();
    let [word] = args else {
        return Err(Failure::new(
            OcfStatus::ErrArgs,
            format!("usage: {} {{{}}}", spec.info.name, usage_actions(spec)),
        ));
    };
    let action: Action = word
        .parse()
        .map_err(|e| Failure::new(OcfStatus::ErrUnimplemented, format!("{e}")))?;
    log.debug(&format!("{action} called"));
    match action {
        Action::MetaData => {
            let xml = metadata(&spec.info).map_err(|e| Failure::generic(e.to_string()))?;
            write_out(out, &xml)
        }
        Action::Usage | Action::Methods => write_out(out, &usage_actions(spec).replace('|', "\n")),
        Action::Start => actions::start::<A>(&Instance::from_env(spec, env)?, env, log),
        Action::Stop => actions::stop(&Instance::located(spec, env), env, log),
        Action::Monitor | Action::Status => {
            actions::monitor::<A>(&Instance::located(spec, env), env, log)
        }
        Action::ValidateAll | Action::ReloadAgent | Action::Reload => {
            actions::validate::<A>(&Instance::from_env(spec, env)?).map(|_| OcfStatus::Success)
        }
        other => Err(Failure::new(
            OcfStatus::ErrUnimplemented,
            format!(
                "action {other} is not implemented ({})",
                spec.not_implemented
            ),
        )),
    }
}

fn usage_actions(spec: &AgentSpec) -> String {
    let names: Vec<&str> = spec.info.actions.iter().map(|a| a.action.name()).collect();
    names.join("|")
}

fn write_out(out: &mut dyn Write, text: &str) -> Outcome {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map(|()| OcfStatus::Success)
        .map_err(|e| Failure::generic(format!("cannot write output: {e}")))
}
