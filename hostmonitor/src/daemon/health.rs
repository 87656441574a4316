//! What the daemon knows about its own sources and sinks, for `status`, the OCF agent's deep
//! monitor and the metrics endpoint.

use std::sync::Mutex;

use serde::Serialize;

use super::metrics::Metrics;
use crate::engine::Report;

/// The daemon's health and metrics, shared by its tasks.
#[derive(Debug, Default)]
pub struct Health {
    view: Mutex<HealthView>,
    metrics: Metrics,
}

/// One reading of [`Health`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct HealthView {
    /// Whether the last CIB reconcile worked (`None` before the first).
    pub cib_ok: Option<bool>,
    /// Why the last reconcile failed.
    pub cib_error: Option<String>,
    /// Whether the last contact with the Masakari API worked (`None` before the first).
    pub api_ok: Option<bool>,
    /// Why the last contact failed.
    pub api_error: Option<String>,
    /// Quorum as corosync reports it (`None` when corosync is not reachable from here).
    pub corosync_quorate: Option<bool>,
    /// Alert lines received and accepted.
    pub alerts_accepted: u64,
    /// Alert lines refused (bad peer, malformed).
    pub alerts_refused: u64,
}

impl Health {
    /// Changes the health under its lock.
    pub fn update(&self, change: impl FnOnce(&mut HealthView)) {
        if let Ok(mut view) = self.view.lock() {
            change(&mut view);
        }
    }

    /// The current reading.
    pub fn view(&self) -> HealthView {
        self.view.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Counts an engine report in the metrics (latencies, outcomes, holds).
    pub fn observe(&self, report: &Report) {
        self.metrics.observe(super::now(), report);
    }

    /// Counts one CIB reconcile in the metrics.
    pub fn reconciled(&self, ok: bool) {
        self.metrics.reconciled(ok);
    }
}
