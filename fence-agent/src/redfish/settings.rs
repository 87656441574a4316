//! fence_redfish's settings from checked options ([`build`] is its
//! [`Builder`](crate::options::check::Builder)).

use std::path::PathBuf;
use std::time::Duration;

use secret::Secret;

use crate::agent::Fencing;
use crate::options::check::{int, is_true, secs, timeouts};
use crate::options::raw::Raw;
use crate::options::settings::{Action, Method};

/// Everything a fence_redfish run needs, validated.
#[derive(Debug, Clone)]
pub struct RedfishSettings {
    /// What to do, and its time limits (`diag` is a cycle, as in fence_redfish).
    pub fencing: Fencing,
    /// Seconds to wait before off/reboot (delay).
    pub delay: Duration,
    /// The service's host name or address (`ip`, without a `:port` suffix).
    pub host: String,
    /// The service's port (`ipport`, or the suffix of `ip`).
    pub port: u16,
    /// The user.
    pub username: String,
    /// The password (from option, stdin or password_script).
    pub password: Secret,
    /// The service root's path.
    pub redfish_uri: String,
    /// The system's path, or `None` to discover it.
    pub systems_uri: Option<String>,
    /// Certificates are not verified (`ssl_insecure`).
    pub insecure: bool,
    /// The CA certificates to verify the service with instead of the system's (`ssl_ca_file`).
    pub ca_file: Option<PathBuf>,
}

impl RedfishSettings {
    /// The service's base URL (`https://HOST:PORT`, IPv6 literals bracketed).
    pub fn base_url(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("https://[{}]:{}", self.host, self.port)
        } else {
            format!("https://{}:{}", self.host, self.port)
        }
    }
}

/// fence_redfish's settings; `ip` of the form `host:port` sets the port, as fence_redfish's
/// "backwards compatibility" split does (only with exactly one `:`).
pub fn build(
    raw: &Raw,
    action: Option<Action>,
    pcmk_service: Option<&str>,
    _warnings: &mut Vec<String>,
) -> Result<RedfishSettings, Vec<String>> {
    let ip = raw.value("ipaddr").unwrap_or_default();
    let (host, port) = match ip.split_once(':').filter(|_| ip.matches(':').count() == 1) {
        Some((host, port)) => (host, port.trim().parse::<u16>().ok().filter(|p| *p > 0)),
        None => (ip, u16::try_from(int(raw, "ipport")).ok()),
    };
    let Some(port) = port else {
        return Err(vec![format!(
            "Failed: The port of --ip={ip} is not a valid port"
        )]);
    };
    let timeouts = timeouts(raw, pcmk_service);
    let action = action.unwrap_or(Action::Status);
    Ok(RedfishSettings {
        fencing: Fencing {
            action,
            method: if action == Action::Diag {
                Method::Cycle
            } else {
                Method::OnOff
            },
            timeouts,
            retry_on: u8::try_from(int(raw, "retry_on")).unwrap_or(0),
        },
        delay: secs(raw, "delay"),
        host: host.to_owned(),
        port,
        username: raw.value("login").unwrap_or_default().to_owned(),
        password: Secret::from_string(raw.value("passwd").unwrap_or_default().to_owned()),
        redfish_uri: raw.value("redfish-uri").unwrap_or("/redfish/v1").to_owned(),
        systems_uri: raw
            .value("systems-uri")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        insecure: is_true(raw.value("ssl_insecure")),
        ca_file: raw
            .value("ssl_ca_file")
            .filter(|f| !f.is_empty())
            .map(PathBuf::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::check::{Outcome, check_with};
    use crate::options::stdin;
    use crate::options::table::REDFISH;
    use crate::personality::FENCE_REDFISH;

    fn checked(text: &str) -> Outcome<RedfishSettings> {
        check_with(stdin::parse(text, REDFISH), &FENCE_REDFISH, None, build).outcome
    }

    fn settings(text: &str) -> RedfishSettings {
        match checked(text) {
            Outcome::Run(s) => *s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fence_redfishs_defaults() {
        let s = settings("ip=bmc\nusername=u\npassword=p\naction=status\n");
        assert_eq!((s.host.as_str(), s.port), ("bmc", 443));
        assert_eq!(s.redfish_uri, "/redfish/v1");
        assert_eq!(s.systems_uri, None);
        assert!(!s.insecure);
        assert_eq!(s.fencing.timeouts.power_wait, Duration::ZERO);
        assert_eq!(s.fencing.timeouts.power, Some(Duration::from_secs(20)));
        assert_eq!(s.fencing.retry_on, 1);
        assert_eq!(s.base_url(), "https://bmc:443");
    }

    #[test]
    fn ip_with_a_port_and_the_uris() {
        let s = settings(
            "ip=10.0.0.9:8443\nipport=1\nusername=u\npassword=p\nssl_insecure=1\n\
             systems_uri=/redfish/v1/Systems/1\nredfish-uri=/rf\n",
        );
        assert_eq!((s.host.as_str(), s.port), ("10.0.0.9", 8443));
        assert_eq!(s.systems_uri.as_deref(), Some("/redfish/v1/Systems/1"));
        assert_eq!(s.redfish_uri, "/rf");
        assert!(s.insecure);
        let v6 = settings("ip=fd00::9\nusername=u\npassword=p\n");
        assert_eq!(v6.base_url(), "https://[fd00::9]:443");
    }

    #[test]
    fn diag_is_a_cycle_and_the_reboot_is_off_then_on() {
        let s = settings("ip=h\nusername=u\npassword=p\naction=diag\n");
        assert_eq!(s.fencing.method, Method::Cycle);
        let s = settings("ip=h\nusername=u\npassword=p\n");
        assert_eq!(
            (s.fencing.action, s.fencing.method),
            (Action::Reboot, Method::OnOff)
        );
    }

    #[test]
    fn login_and_password_are_required_as_fence_redfish_requires_them() {
        let Outcome::Usage(errors) = checked("ip=h\npassword=p\n") else {
            panic!()
        };
        assert_eq!(errors, ["Failed: You have to set login name"]);
        let Outcome::Usage(errors) = checked("ip=h\nusername=u\n") else {
            panic!()
        };
        assert_eq!(
            errors,
            ["Failed: You have to enter password or password script"]
        );
        assert!(matches!(
            checked("ip=h\nusername=u\npassword_script=/bin/pw\n"),
            Outcome::Run(_)
        ));
        let Outcome::Usage(errors) = checked("ip=h:99999\nusername=u\npassword=p\n") else {
            panic!()
        };
        assert_eq!(
            errors,
            ["Failed: The port of --ip=h:99999 is not a valid port"]
        );
    }
}
