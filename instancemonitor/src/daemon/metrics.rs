//! The instance monitor's Prometheus metrics, served through the shared endpoint
//! ([`masakari_metrics::server`]): counters from the delivery step's [`Report`]s, the latency
//! from a notification's decision (its `generated_time`, set when libvirt's event arrived) to the
//! API's answer taking it, and gauges read from the status at each scrape.

use std::sync::Mutex;

use masakari_metrics::{Histogram, text};

use crate::control::StatusAnswer;
use crate::delivery::Report;

/// Every metric's name starts so.
const PREFIX: &str = "masakari_instancemonitor";

/// The daemon's counters.
#[derive(Debug, Default)]
pub struct Metrics(Mutex<Counters>);

#[derive(Debug, Default)]
struct Counters {
    latency: Histogram,
    queued: u64,
    accepted: u64,
    duplicate: u64,
    rejected: u64,
    failed: u64,
    state_write_failures: u64,
}

impl Metrics {
    /// Takes note of one report of the delivery step.
    pub fn observe(&self, report: &Report) {
        let Ok(mut c) = self.0.lock() else { return };
        match report {
            Report::Queued { .. } => c.queued += 1,
            Report::Delivered {
                latency, duplicate, ..
            } => {
                c.latency.observe(*latency);
                if *duplicate {
                    c.duplicate += 1;
                } else {
                    c.accepted += 1;
                }
            }
            Report::Rejected { .. } => c.rejected += 1,
            Report::Retrying { .. } => c.failed += 1,
        }
    }

    /// Counts a write of the state file that failed.
    pub fn state_write_failed(&self) {
        if let Ok(mut c) = self.0.lock() {
            c.state_write_failures += 1;
        }
    }

    /// The metrics in Prometheus' text format, with the gauges of `status`.
    pub fn render(&self, status: &StatusAnswer) -> String {
        let mut out = String::new();
        if let Ok(c) = self.0.lock() {
            c.write(&mut out);
        }
        gauges(status, &mut out);
        out
    }
}

impl Counters {
    fn write(&self, out: &mut String) {
        text::histogram(
            out,
            PREFIX,
            "event_to_delivery_seconds",
            "From libvirt's event (or its discovery at a reconnect) to the API taking the notification.",
            &self.latency,
        );
        text::single(
            out,
            PREFIX,
            "notifications_queued_total",
            "counter",
            "VM notifications decided on and queued for delivery.",
            self.queued,
        );
        text::labelled(
            out,
            PREFIX,
            (
                "notification_requests_total",
                "POSTs to the Masakari API by result.",
            ),
            "result",
            &[
                ("accepted", self.accepted),
                ("duplicate", self.duplicate),
                ("rejected", self.rejected),
                ("failed", self.failed),
            ],
        );
        text::single(
            out,
            PREFIX,
            "state_write_failures_total",
            "counter",
            "Writes of the state file (the durable outbox) that failed.",
            self.state_write_failures,
        );
    }
}

fn gauges(s: &StatusAnswer, out: &mut String) {
    let gauges = [
        (
            "libvirt_connected",
            "1 while the connection to libvirt is set up.",
            u64::from(s.libvirt.connected),
        ),
        (
            "domains",
            "Domains known (defined or running).",
            s.domains.seen as u64,
        ),
        (
            "domains_active",
            "Domains running or paused.",
            s.domains.active as u64,
        ),
        (
            "notifications_pending",
            "Notifications waiting for delivery (in the state file).",
            s.pending.len() as u64,
        ),
        (
            "notifications_overdue",
            "Notifications still undelivered after more retries than monitor.retry_alert_after (still retried).",
            s.overdue() as u64,
        ),
        (
            "notifications_delivered",
            "Notifications the API took since the daemon started.",
            s.api.delivered,
        ),
    ];
    for (name, help, value) in gauges {
        text::single(out, PREFIX, name, "gauge", help, value);
    }
    if let Some(ok) = s.api.last_ok {
        let help = "Whether the last contact with the Masakari API got an answer.";
        text::single(out, PREFIX, "api_ok", "gauge", help, u64::from(ok));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use masakari_client::NotificationId;

    use super::*;

    #[test]
    fn reports_and_status_become_metrics() {
        let m = Metrics::default();
        let id = NotificationId::new("c1", 1, "vm");
        m.observe(&Report::Delivered {
            id: id.clone(),
            latency: Duration::from_millis(40),
            duplicate: false,
        });
        m.observe(&Report::Retrying {
            id,
            reason: "503".into(),
            scheduled: masakari_client::Scheduled {
                retry: 1,
                delay: Duration::from_secs(10),
                overdue: false,
            },
        });
        let text = m.render(&crate::control::tests::sample());
        for line in [
            "masakari_instancemonitor_event_to_delivery_seconds_bucket{le=\"0.05\"} 1\n",
            "masakari_instancemonitor_event_to_delivery_seconds_count 1\n",
            "masakari_instancemonitor_notification_requests_total{result=\"accepted\"} 1\n",
            "masakari_instancemonitor_notification_requests_total{result=\"failed\"} 1\n",
            "masakari_instancemonitor_libvirt_connected 1\n",
            "masakari_instancemonitor_domains 3\n",
            "masakari_instancemonitor_domains_active 2\n",
            "masakari_instancemonitor_notifications_pending 1\n",
            "masakari_instancemonitor_notifications_overdue 1\n",
            "masakari_instancemonitor_api_ok 0\n",
        ] {
            assert!(text.contains(line), "{line}: {text}");
        }
    }
}
