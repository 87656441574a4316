//! `ocf:masakari:hostmonitor`: runs `masakari-hostmonitor run` on one controller (a primitive),
//! its configuration checked in-process, its `status` judged by [`verdict`].

pub mod params;
pub mod settings;
pub mod verdict;

use std::time::Duration;

use hostmonitor::control;

use crate::ocf::{AgentInfo, Failure};
use crate::service::{Agent, AgentSpec, Instance, PidFile, Runtime, Verdict};

/// The agent's name (`ocf:masakari:hostmonitor`).
pub const AGENT: &str = "hostmonitor";

/// The agent's long description.
const LONGDESC: &str = "Runs the Masakari host monitor (masakari-hostmonitor run) as a cluster \
resource, so Pacemaker keeps exactly one instance running and moves it when its node fails. \
The monitor learns of lost compute nodes from Pacemaker and notifies the Masakari API once they \
are fenced. Credentials stay in the configuration file; the attributes override its \
non-secret settings. Deeper monitors: OCF_CHECK_LEVEL=10 asks the daemon whether it can read \
the CIB, OCF_CHECK_LEVEL=20 also whether it reaches the Masakari API.";

/// `ocf:masakari:hostmonitor` as the shared machinery sees it.
pub static SPEC: AgentSpec = AgentSpec {
    info: AgentInfo {
        name: AGENT,
        version: env!("CARGO_PKG_VERSION"),
        shortdesc: "Masakari host monitor",
        longdesc: LONGDESC,
        params: params::PARAMS,
        actions: crate::service::ACTIONS,
    },
    program: "masakari-hostmonitor",
    not_implemented: "the monitor is a primitive",
};

/// The host monitor agent.
#[derive(Debug)]
pub enum HostMonitor {}

impl Agent for HostMonitor {
    fn spec() -> &'static AgentSpec {
        &SPEC
    }

    fn validate(instance: &Instance) -> Result<Runtime, Failure> {
        let settings = settings::settings(instance)?;
        let p = settings.paths;
        Ok(Runtime {
            files: vec![p.state_file, p.alert_socket, p.control_socket.clone()],
            control_socket: p.control_socket,
        })
    }

    fn probe(
        instance: &Instance,
        daemon: &PidFile,
        level: u32,
        _timeout: Duration,
    ) -> Result<Verdict, Failure> {
        let answer = control::client::status(&daemon.control_socket).map_err(|e| {
            Failure::generic(format!(
                "masakari-hostmonitor (pid {}) runs but {e}",
                daemon.pid
            ))
        })?;
        verdict::judge(&answer, level, instance.api_check)
    }
}
