//! The Masakari notification: what a monitor asks to deliver, and the exact
//! `POST /v1/notifications` body the Masakari API validates.
//!
//! One [`Payload`] type per notification type: [`HostPayload`] (`COMPUTE_HOST`, the host
//! monitor's), [`VmPayload`] (`VM`, the instance monitor's) and [`ProcessPayload`] (`PROCESS`).
//! The body matches masakari-monitors' hostmonitor (`handle_host.py` `_make_event`) and
//! the API's schema (`masakari/api/openstack/ha/schemas/notifications.py`): `type`,
//! `hostname`, `generated_time` and `payload` are all required and nothing else is
//! allowed. The API treats a notification with the same host, type and payload whose
//! `generated_time` is within `duplicate_notification_detection_interval` as a duplicate
//! (409), so a notification keeps its `generated_time` across retries and restarts: a
//! re-send of one the API already stored is answered 409, never stored twice.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::{Iso8601, Timestamp};

/// The payload of one notification type.
pub trait Payload: Serialize {
    /// The notification type it is sent as.
    const TYPE: NotificationType;
}

/// One notification, with the id its sender tracks it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification<P = HostPayload> {
    /// Stable id: the same notification keeps it across retries and restarts.
    pub id: NotificationId,
    /// The node name, which Masakari knows the host by.
    pub hostname: String,
    /// When the sender decided to send it (sent as `generated_time`).
    pub generated_time: Timestamp,
    /// What happened.
    pub payload: P,
}

impl<P: Payload> Notification<P> {
    /// The request body for `POST /v1/notifications`.
    pub fn request(&self) -> NotificationRequest<'_, P> {
        NotificationRequest {
            notification: NotificationBody {
                kind: P::TYPE,
                hostname: &self.hostname,
                generated_time: self.generated_time.iso8601(),
                payload: &self.payload,
            },
        }
    }
}

/// Identifies one notification of one failure episode of one host, e.g.
/// `compute-1/3/stopped-normal`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotificationId(String);

impl NotificationId {
    /// The id of notification `kind` for episode `episode` of `host`.
    pub fn new(host: &str, episode: u64, kind: &str) -> Self {
        Self(format!("{host}/{episode}/{kind}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `{"notification": {...}}`: the body of `POST /v1/notifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRequest<'a, P> {
    /// The notification itself.
    pub notification: NotificationBody<'a, P>,
}

/// The object under `notification` in the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationBody<'a, P> {
    /// The payload's type.
    #[serde(rename = "type")]
    pub kind: NotificationType,
    /// The host's name as registered in Masakari.
    pub hostname: &'a str,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.ffffff`.
    pub generated_time: Iso8601,
    /// What happened.
    pub payload: &'a P,
}

/// Masakari's notification types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationType {
    /// `COMPUTE_HOST`: a compute host stopped or started.
    #[serde(rename = "COMPUTE_HOST")]
    ComputeHost,
    /// `VM`: an instance failed (libvirt's event).
    #[serde(rename = "VM")]
    Vm,
    /// `PROCESS`: a monitored process on a host failed or came back.
    #[serde(rename = "PROCESS")]
    Process,
}

impl Payload for HostPayload {
    const TYPE: NotificationType = NotificationType::ComputeHost;
}

/// The payload of a `VM` notification, as masakari-monitors' instancemonitor sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmPayload {
    /// The event, e.g. `LIFECYCLE`.
    pub event: String,
    /// The instance's UUID (libvirt's domain UUID).
    pub instance_uuid: String,
    /// libvirt's event detail, e.g. `STOPPED_FAILED`.
    pub vir_domain_event: String,
}

impl Payload for VmPayload {
    const TYPE: NotificationType = NotificationType::Vm;
}

/// The payload of a `PROCESS` notification, as masakari-monitors' processmonitor sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessPayload {
    /// `STOPPED` or `STARTED`.
    pub event: HostEvent,
    /// The process's name.
    pub process_name: String,
}

impl Payload for ProcessPayload {
    const TYPE: NotificationType = NotificationType::Process;
}

/// The payload of a `COMPUTE_HOST` notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostPayload {
    /// `STOPPED` or `STARTED`.
    pub event: HostEvent,
    /// `OFFLINE` or `ONLINE`.
    pub cluster_status: ClusterStatus,
    /// `NORMAL` (Masakari evacuates on a stop) or `UNKNOWN` (recorded, ignored).
    pub host_status: HostStatus,
}

impl HostPayload {
    /// `STOPPED` / `OFFLINE` / `NORMAL`: the host is down and fenced; Masakari evacuates.
    pub const STOPPED_FENCED: Self = Self {
        event: HostEvent::Stopped,
        cluster_status: ClusterStatus::Offline,
        host_status: HostStatus::Normal,
    };
    /// `STOPPED` / `OFFLINE` / `UNKNOWN`: the host is down but not known to be off.
    pub const STOPPED_UNCONFIRMED: Self = Self {
        event: HostEvent::Stopped,
        cluster_status: ClusterStatus::Offline,
        host_status: HostStatus::Unknown,
    };
    /// `STARTED` / `ONLINE` / `NORMAL`: the host is back.
    pub const STARTED: Self = Self {
        event: HostEvent::Started,
        cluster_status: ClusterStatus::Online,
        host_status: HostStatus::Normal,
    };
}

/// What happened to the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HostEvent {
    /// `STOPPED`.
    Stopped,
    /// `STARTED`.
    Started,
}

/// The host's cluster membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ClusterStatus {
    /// `OFFLINE`.
    Offline,
    /// `ONLINE`.
    Online,
}

/// Whether the host's state is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HostStatus {
    /// `NORMAL`.
    Normal,
    /// `UNKNOWN`.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(payload: HostPayload) -> Notification {
        Notification {
            id: NotificationId::new("compute-1", 1, "stopped-normal"),
            hostname: "compute-1".into(),
            generated_time: Timestamp::from_unix(1_700_000_000, 123_456),
            payload,
        }
    }

    #[test]
    fn body_matches_the_masakari_schema() {
        let body =
            serde_json::to_value(notification(HostPayload::STOPPED_FENCED).request()).unwrap();
        let expected = serde_json::json!({
            "notification": {
                "type": "COMPUTE_HOST",
                "hostname": "compute-1",
                "generated_time": "2023-11-14T22:13:20.123456",
                "payload": {
                    "event": "STOPPED",
                    "cluster_status": "OFFLINE",
                    "host_status": "NORMAL"
                }
            }
        });
        assert_eq!(body, expected);
    }

    #[test]
    fn payloads_use_masakari_words() {
        let words = |p: HostPayload| serde_json::to_string(&p).unwrap();
        assert_eq!(
            words(HostPayload::STOPPED_UNCONFIRMED),
            r#"{"event":"STOPPED","cluster_status":"OFFLINE","host_status":"UNKNOWN"}"#
        );
        assert_eq!(
            words(HostPayload::STARTED),
            r#"{"event":"STARTED","cluster_status":"ONLINE","host_status":"NORMAL"}"#
        );
    }

    #[test]
    fn vm_and_process_bodies_carry_their_type() {
        let vm = Notification {
            id: NotificationId::new("compute-1", 1, "vm"),
            hostname: "compute-1".into(),
            generated_time: Timestamp::from_unix(1_700_000_000, 0),
            payload: VmPayload {
                event: "LIFECYCLE".into(),
                instance_uuid: "9a1b".into(),
                vir_domain_event: "STOPPED_FAILED".into(),
            },
        };
        let body = serde_json::to_value(vm.request()).unwrap();
        assert_eq!(body["notification"]["type"], "VM");
        assert_eq!(
            body["notification"]["payload"]["vir_domain_event"],
            "STOPPED_FAILED"
        );
        let process = Notification {
            payload: ProcessPayload {
                event: HostEvent::Stopped,
                process_name: "nova-compute".into(),
            },
            id: vm.id,
            hostname: vm.hostname,
            generated_time: vm.generated_time,
        };
        let body = serde_json::to_value(process.request()).unwrap();
        assert_eq!(body["notification"]["type"], "PROCESS");
        assert_eq!(
            body["notification"]["payload"],
            serde_json::json!({"event": "STOPPED", "process_name": "nova-compute"})
        );
    }

    #[test]
    fn microseconds_are_always_written() {
        let mut n = notification(HostPayload::STARTED);
        n.generated_time = Timestamp::from_unix(1_700_000_000, 0);
        let body = serde_json::to_value(n.request()).unwrap();
        assert_eq!(
            body["notification"]["generated_time"],
            "2023-11-14T22:13:20.000000"
        );
    }

    #[test]
    fn notification_round_trips_for_the_record() {
        let n = notification(HostPayload::STOPPED_FENCED);
        let text = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<Notification>(&text).unwrap(), n);
        assert!(text.contains(r#""id":"compute-1/1/stopped-normal""#));
    }
}
