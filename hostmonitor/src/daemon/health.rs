//! The daemon's health as its tasks keep it current, for `status`, the OCF agent's deep monitor
//! and the metrics endpoint. What a reading holds is the control protocol's [`HealthView`]; the
//! counters behind the metrics live beside it in [`Metrics`].

use std::sync::Mutex;

use super::metrics::Metrics;
use crate::control::HealthView;
use crate::engine::Report;

/// The daemon's health and metrics, shared by its tasks.
#[derive(Debug, Default)]
pub struct Health {
    view: Mutex<HealthView>,
    metrics: Metrics,
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

    /// Counts one periodic reconcile that found the CIB unchanged and read nothing more.
    pub fn unchanged(&self) {
        self.metrics.unchanged();
    }

    /// Counts one CIB reconcile in the metrics.
    pub fn reconciled(&self, ok: bool) {
        self.metrics.reconciled(ok);
    }
}
