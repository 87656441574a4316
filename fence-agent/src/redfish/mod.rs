//! fence_redfish_rs: fence_redfish (fence-agents 4.12.1) on this crate's option framework and
//! fencing logic, with a Redfish client whose protocol part does no I/O.
//!
//! ```text
//!  argv / stdin ─► options (table::REDFISH ─► raw ─► check_with(settings::build))
//!                       │ RedfishSettings
//!                       ▼
//!  run::run::<Redfish> ─► agent::Run (fence_action) ─► Bmc for RedfishBmc
//!                                                       │ client::Client (root, session, system,
//!                                                       │ PowerState, Reset: requests out,
//!                                                       ▼ answers in; wire:: documents)
//!                                                      http::Https (reqwest + rustls: the only I/O)
//! ```
//!
//! # Differences from fence_redfish, on purpose
//!
//! * Every answer's status is checked (fence_redfish never looks at the reset POST's) and an
//!   error says what the service said (`error.message` and its extended info).
//! * `on`, `off` and `reboot` succeed only once a GET reports `PowerState` `On` or `Off`;
//!   `PoweringOn`, `PoweringOff` and `Paused` are not taken for either (fence_redfish takes
//!   anything but `Off` for on).
//! * Several systems and no `systems_uri` is an error that lists them (fence_redfish fences the
//!   last one listed); none is an error too.
//! * A reset type the system does not list in `ResetType@Redfish.AllowableValues` is refused
//!   before anything is posted.
//! * For on, off, reboot and diag, where the service root links a SessionService
//!   (`Links.Sessions`), a session is created (X-Auth-Token) and deleted at the end; a service
//!   that answers the login with 404, 405 or 501 gets basic auth, as fence_redfish always uses.
//!   `status` and `monitor` with `systems_uri` make one basic-auth request, as fence_redfish
//!   does (Pacemaker runs them every monitor interval; a session would cost three requests). The session is kept across the waits
//!   of one run (logins are slow on real controllers); a run that Pacemaker SIGKILLs leaves it
//!   to the controller's session timeout.
//! * Only paths on the same service are followed (`@odata.id`, the Reset target, the session's
//!   Location): a document cannot send the credentials elsewhere. No redirects.
//! * Certificates are verified by default (fence_redfish too) against the system's bundle, or
//!   only against `ssl_ca_file` (ours); `ssl_insecure` turns verification off. TLS 1.2 or 1.3.
//! * Each exchange is bounded (connect within `login_timeout`, the exchange within
//!   `login_timeout` + `shell_timeout`; 10 s each under Pacemaker); fence_redfish has no limit.
//! * `gnutlscli_path` is accepted and ignored.

pub mod client;
pub mod error;
pub mod http;
pub mod settings;
pub mod wire;

use std::io::Write;

use secret::Secret;

use crate::agent::{Fencing, Run, SystemClock};
use crate::bmc::{Bmc, BmcError};
use crate::exit::Exit;
use crate::ipmi::commands::chassis_control::Control;
use crate::log::Logger;
use crate::options::check::Builder;
use crate::options::settings::Action;
use crate::personality::{FENCE_REDFISH, Personality};
use crate::run::Driver;
use client::{Client, Target, Transport};
use settings::RedfishSettings;

/// A Redfish service as the fencing logic sees it.
pub struct RedfishBmc<T> {
    client: Client<T>,
    url: String,
    notes: Vec<String>,
}

impl<T: Transport> RedfishBmc<T> {
    /// The service of `settings`, reached through `transport`.
    pub fn new(settings: &RedfishSettings, transport: T) -> Self {
        let target = Target {
            username: settings.username.clone(),
            password: settings.password.clone(),
            redfish_uri: settings.redfish_uri.clone(),
            systems_uri: settings.systems_uri.clone(),
            sessions: !matches!(
                settings.fencing.action,
                Action::Status | Action::Monitor | Action::List | Action::ListStatus
            ),
        };
        Self {
            client: Client::new(transport, target),
            url: settings.base_url(),
            notes: Vec::new(),
        }
    }

    fn error(&self, source: error::RedfishError) -> BmcError {
        BmcError::Redfish {
            url: self.url.clone(),
            source,
        }
    }

    fn noted<R>(&mut self, result: Result<R, error::RedfishError>) -> Result<R, BmcError> {
        self.notes.extend(self.client.take_notes());
        result.map_err(|e| self.error(e))
    }
}

impl<T: Transport> Bmc for RedfishBmc<T> {
    fn power_is_on(&mut self) -> Result<bool, BmcError> {
        let result = self.client.power_is_on();
        self.noted(result)
    }

    fn control(&mut self, control: Control) -> Result<(), BmcError> {
        let result = self.client.control(control);
        self.noted(result)
    }

    fn close(&mut self) {
        self.client.close();
        self.notes.extend(self.client.take_notes());
    }

    /// The session (if any) is kept across the waits: see the module docs.
    fn pause(&mut self) {}

    fn describe(&self) -> Option<String> {
        let system = self.client.system()?;
        let mut text = format!("{} system {system}", self.url);
        for note in &self.notes {
            text.push_str("; ");
            text.push_str(note);
        }
        Some(text)
    }
}

/// fence_redfish's [`Driver`].
pub struct Redfish;

impl Driver for Redfish {
    type Settings = RedfishSettings;
    fn main() -> &'static Personality {
        &FENCE_REDFISH
    }
    fn build() -> Builder<RedfishSettings> {
        settings::build
    }
    fn password(settings: &mut RedfishSettings) -> &mut Secret {
        &mut settings.password
    }
    fn ready(_settings: &RedfishSettings) -> Result<(), String> {
        Ok(())
    }
    fn fencing(settings: &RedfishSettings) -> Fencing {
        settings.fencing
    }
    fn delay(settings: &RedfishSettings) -> std::time::Duration {
        settings.delay
    }
    fn fence(settings: &RedfishSettings, out: &mut dyn Write, log: &mut Logger) -> Exit {
        log.debug(&format!(
            "{:?} on {} as {:?}, password [set: {}]",
            settings.fencing.action,
            settings.base_url(),
            settings.username,
            !settings.password.is_empty()
        ));
        let https = match http::Https::new(settings) {
            Ok(https) => https,
            Err(e) => {
                log.error(&format!("Failed: {e}\n\n"));
                return Exit::Failed;
            }
        };
        let mut bmc = RedfishBmc::new(settings, https);
        let exit = Run {
            settings: settings.fencing,
            bmc: &mut bmc,
            clock: &mut SystemClock,
            out,
            log,
        }
        .fence();
        let _ = out.flush();
        exit
    }
}
