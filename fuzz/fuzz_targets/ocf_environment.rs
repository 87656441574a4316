//! The OCF agent's command line and environment: the action word (first line), then `NAME=value`
//! lines as Pacemaker sets them (`OCF_RESKEY_*` instance attributes, `OCF_CHECK_LEVEL`,
//! `HA_*`), checked into an instance and laid over a configuration as the daemon reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocf_agent::agents::hostmonitor::settings::settings_of;
use ocf_agent::agents::hostmonitor::{AGENT, SPEC};
use ocf_agent::ocf::{Action, Environment, Failure, Logger};
use ocf_agent::service::Instance;

/// A configuration that passes on its own, so what fails comes from the attributes.
const CONFIG: &str = "[masakari]\nendpoint = \"http://127.0.0.1:9/v1\"\n";

fn one_line(failure: &Failure) {
    assert!(
        !failure.exit_reason_line().contains(['\n', '\r']),
        "{failure:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let _ = lines.next().unwrap_or("").parse::<Action>();
    let env = Environment::from_vars(lines.filter_map(|l| l.split_once('=')));
    let _ = (env.op_timeout(), env.is_probe(), env.rsctmp());
    if let Err(f) = env.check_level() {
        one_line(&f);
    }
    drop(Logger::from_env(AGENT, &env));
    let located = Instance::located(&SPEC, &env);
    let _ = located.daemon_args("status");
    match Instance::from_env(&SPEC, &env) {
        Ok(instance) => {
            let _ = instance.daemon_args("run");
            if let Err(f) = settings_of(&instance, CONFIG) {
                one_line(&f);
            }
        }
        Err(f) => one_line(&f),
    }
});
