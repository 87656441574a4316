//! What fails in each trial: the kill of a compute's pacemaker-remoted (its connection resets), or a
//! fault that sends no goodbye (a cut network, a frozen compute), found only by the connection
//! resource's monitor.

use masakari_lab::layout::Host;
use masakari_lab::{Lab, RemoteMonitor, Result};

/// How a trial's compute fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// Its pacemaker-remoted killed: the connection resets and Pacemaker knows at once.
    Kill,
    /// All its traffic dropped at the bridge (a dead switch port): nothing refused, nothing reset.
    Cut,
    /// Every process of its namespace stopped (a hung kernel): its sockets stay open.
    Freeze,
}

/// The trials' fault and the connection resources' settings that decide how soon a hung compute
/// is found.
#[derive(Debug, Clone, Copy)]
pub struct Failure {
    /// What fails.
    pub fault: Fault,
    /// The computes' connection resource settings.
    pub remote_monitor: RemoteMonitor,
}

impl Fault {
    /// Fails `compute`.
    pub fn apply(self, lab: &Lab, compute: &str) -> Result<()> {
        match self {
            Self::Kill => lab.kill_remoted(compute),
            Self::Cut => lab.set_traffic_dropped(node(lab, compute)?, true),
            Self::Freeze => lab.set_frozen(compute, true),
        }
    }

    /// Undoes the fault before the compute is powered on again (a fenced compute's processes
    /// are gone; one left running, unfenced, is thawed).
    pub fn clear(self, lab: &Lab, compute: &str) -> Result<()> {
        match self {
            Self::Kill => Ok(()),
            Self::Cut => lab.set_traffic_dropped(node(lab, compute)?, false),
            Self::Freeze if lab.is_powered(compute)? => lab.set_frozen(compute, false),
            Self::Freeze => Ok(()),
        }
    }

    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kill => "pacemaker-remoted killed",
            Self::Cut => "network cut (traffic dropped at the bridge)",
            Self::Freeze => "compute frozen (SIGSTOP of every process)",
        }
    }
}

fn node(lab: &Lab, compute: &str) -> Result<Host> {
    Ok(Host::Node(lab.layout().machine(compute)?))
}
