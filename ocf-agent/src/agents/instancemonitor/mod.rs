//! `ocf:masakari:instancemonitor`: runs `masakari-instancemonitor run` on each compute (a clone
//! on the pacemaker-remote nodes), its configuration checked by the daemon's own `check-config`
//! ([`check`]), its `status` judged by [`verdict`]. The state and socket directories are always
//! passed (`--set paths.*=...`), so the agent knows the control socket without reading the file.

pub mod check;
pub mod params;
pub mod verdict;

use std::path::PathBuf;
use std::time::Duration;

use instancemonitor::control;

use crate::ocf::{AgentInfo, Failure};
use crate::service::{Agent, AgentSpec, Instance, PidFile, Runtime, Verdict};

/// The agent's name (`ocf:masakari:instancemonitor`).
pub const AGENT: &str = "instancemonitor";

/// The agent's long description.
const LONGDESC: &str = "Runs the Masakari instance monitor (masakari-instancemonitor run) on a \
compute node, as a clone on the pacemaker-remote nodes: it watches the local libvirt read-only \
for guest failures (a crashed or destroyed guest, watchdog and I/O errors) and notifies the \
Masakari API, keeping what it has not delivered in a local outbox. It replaces \
masakari-monitors' instancemonitor and reads its masakarimonitors.conf as it is. Credentials \
stay in the configuration file; the attributes override its non-secret settings. Deeper \
monitors: OCF_CHECK_LEVEL=10 asks the daemon whether it is connected to libvirt, \
OCF_CHECK_LEVEL=20 also whether it reaches the Masakari API.";

/// `ocf:masakari:instancemonitor` as the shared machinery sees it.
pub static SPEC: AgentSpec = AgentSpec {
    info: AgentInfo {
        name: AGENT,
        version: env!("CARGO_PKG_VERSION"),
        shortdesc: "Masakari instance monitor",
        longdesc: LONGDESC,
        params: params::PARAMS,
        actions: crate::service::ACTIONS,
    },
    program: "masakari-instancemonitor",
    not_implemented: "the monitor is an anonymous clone",
};

/// The instance monitor agent.
#[derive(Debug)]
pub enum InstanceMonitor {}

impl Agent for InstanceMonitor {
    fn spec() -> &'static AgentSpec {
        &SPEC
    }

    fn validate(instance: &Instance) -> Result<Runtime, Failure> {
        check::check_config(instance)?;
        let path = |key: &str| {
            instance.set_value(key).map(PathBuf::from).ok_or_else(|| {
                Failure::configured(format!("no {key}: the agent's table must set it"))
            })
        };
        let control_socket = path(params::CONTROL_SOCKET_KEY)?;
        Ok(Runtime {
            files: vec![path(params::STATE_FILE_KEY)?, control_socket.clone()],
            control_socket,
        })
    }

    fn probe(
        instance: &Instance,
        daemon: &PidFile,
        level: u32,
        timeout: Duration,
    ) -> Result<Verdict, Failure> {
        let answer = control::client::status(&daemon.control_socket, timeout).map_err(|e| {
            Failure::generic(format!(
                "masakari-instancemonitor (pid {}) runs but {e}",
                daemon.pid
            ))
        })?;
        verdict::judge(&answer, level, instance.api_check)
    }
}
