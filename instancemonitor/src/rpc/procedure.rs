//! Procedure numbers of libvirt's remote program (`remote_protocol.x`): the calls we make and
//! the event messages we read, both named here so that calls and events share one list.

/// A remote program procedure number; unknown values survive decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Procedure(pub i32);

impl Procedure {
    /// `REMOTE_PROC_CONNECT_OPEN`.
    pub const CONNECT_OPEN: Self = Self(1);
    /// `REMOTE_PROC_CONNECT_CLOSE`.
    pub const CONNECT_CLOSE: Self = Self(2);
    /// `REMOTE_PROC_CONNECT_SUPPORTS_FEATURE`.
    pub const CONNECT_SUPPORTS_FEATURE: Self = Self(60);
    /// `REMOTE_PROC_AUTH_LIST`.
    pub const AUTH_LIST: Self = Self(66);
    /// `REMOTE_PROC_AUTH_POLKIT`.
    pub const AUTH_POLKIT: Self = Self(70);
    /// `REMOTE_PROC_DOMAIN_GET_STATE`.
    pub const DOMAIN_GET_STATE: Self = Self(212);
    /// `REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS`.
    pub const CONNECT_LIST_ALL_DOMAINS: Self = Self(273);
    /// `REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY`.
    pub const CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: Self = Self(316);
    /// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE` (an event message, not a call).
    pub const DOMAIN_EVENT_CALLBACK_LIFECYCLE: Self = Self(318);
    /// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT`.
    pub const DOMAIN_EVENT_CALLBACK_REBOOT: Self = Self(319);
    /// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG`.
    pub const DOMAIN_EVENT_CALLBACK_WATCHDOG: Self = Self(321);
    /// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR`.
    pub const DOMAIN_EVENT_CALLBACK_IO_ERROR: Self = Self(322);
    /// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON`.
    pub const DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON: Self = Self(324);
    /// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_CONTROL_ERROR`.
    pub const DOMAIN_EVENT_CALLBACK_CONTROL_ERROR: Self = Self(325);

    /// The call's name in libvirt's API, for errors.
    pub fn name(self) -> &'static str {
        match self {
            Self::CONNECT_OPEN => "virConnectOpenReadOnly",
            Self::CONNECT_CLOSE => "virConnectClose",
            Self::CONNECT_SUPPORTS_FEATURE => "keepalive feature check",
            Self::AUTH_LIST => "authentication list",
            Self::AUTH_POLKIT => "polkit authentication",
            Self::DOMAIN_GET_STATE => "virDomainGetState",
            Self::CONNECT_LIST_ALL_DOMAINS => "virConnectListAllDomains",
            Self::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY => "virConnectDomainEventRegisterAny",
            _ => "unknown procedure",
        }
    }
}
