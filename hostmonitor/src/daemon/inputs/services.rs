//! The watched compute services, read with each reconcile: the whole CIB (`cibadmin --query`),
//! judged by `snapshot::services`, but only when a small query first finds a watched resource
//! configured (`Processes::xpath`): a cluster without any pays one small query, not a read of
//! every node's history.

use tokio::process::Command;

use super::reconcile::{CIBADMIN_NO_MATCH, ReconcileError};
use crate::daemon::net::process::{output, output_unless};
use crate::engine::{ServiceView, Timestamp};
use crate::settings::Processes;
use crate::snapshot::services;

/// One reading of the watched services.
#[derive(Debug, Default)]
pub struct Reading {
    /// The ids resource alerts about the watched resources name (such an alert asks for a
    /// reconcile).
    pub resources: Vec<String>,
    /// The process names they stand for.
    pub processes: Vec<String>,
    /// Every watched service on every node.
    pub views: Vec<ServiceView>,
}

/// Reads the CIB and judges every watched service at `taken_at`.
pub async fn read(processes: &Processes, taken_at: Timestamp) -> Result<Reading, ReconcileError> {
    let Some(xpath) = processes.xpath() else {
        return Ok(Reading::default());
    };
    let mut configured = Command::new("cibadmin");
    configured.args(["--query", "--no-children", "--xpath", &xpath]);
    if output_unless(&mut configured, Some(CIBADMIN_NO_MATCH))
        .await?
        .trim()
        .is_empty()
    {
        return Ok(Reading::default());
    }
    let text = output(Command::new("cibadmin").arg("--query")).await?;
    let cib = cib::Cib::parse(&text)?;
    let watched = services::watched(&cib, processes);
    let mut processes: Vec<String> = watched.values().cloned().collect();
    processes.sort();
    processes.dedup();
    Ok(Reading {
        views: services::views(&cib, &watched, taken_at),
        resources: services::alerted_ids(&cib, &watched),
        processes,
    })
}
