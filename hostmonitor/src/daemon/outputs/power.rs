//! Our own power check of a lost host, with the stonith devices Pacemaker would use for it
//! (any fence_ipmilan-style device, cluster-glue external/ipmi, or fence_redfish), through the fence agent's
//! typed entry point in-process: each device's parameters go from the CIB to
//! [`fence_agent::device`] as Pacemaker would hand them to the agent, and the answer comes
//! back as a [`Power`]. No argv, no stdin text; the password stays a `Secret`.

use tokio::process::Command;

use cib::Cib;
use fence_agent::device::{Agent, Device, DeviceError, Power};

use crate::daemon::net::process::output;

/// Checks chassis power through the hosts' stonith devices.
#[derive(Debug, Default)]
pub struct PowerCheck;

impl PowerCheck {
    /// Whether one of the host's stonith devices reports its power off. Any doubt (no such
    /// device, no answer, power on) is `false`: only a device saying "off" counts.
    pub async fn is_off(&self, node: &str) -> bool {
        let xml = match output(Command::new("cibadmin").arg("--query")).await {
            Ok(xml) => xml,
            Err(error) => {
                tracing::warn!(node, %error, "power check: cannot read the CIB");
                return false;
            }
        };
        match Cib::parse(&xml) {
            Ok(cib) => any_off(node, devices_for(&cib, node)).await,
            Err(error) => {
                tracing::warn!(node, %error, "power check: cannot parse the CIB");
                false
            }
        }
    }
}

/// The devices able to fence `node` that the fence agent can ask about, by id, in the
/// fencer's order.
pub fn devices_for(cib: &Cib, node: &str) -> Vec<(String, Result<Device, DeviceError>)> {
    cib.fence_devices_for(node)
        .iter()
        .filter_map(|d| {
            let agent = Agent::from_type(d.agent())?;
            let device = Device::from_params(agent, d.params().iter(), d.port.as_deref());
            Some((d.id().to_owned(), device))
        })
        .collect()
}

/// Asks `devices` in order until one says off.
async fn any_off(node: &str, devices: Vec<(String, Result<Device, DeviceError>)>) -> bool {
    if devices.is_empty() {
        tracing::warn!(
            node,
            "power check: no stonith device we can ask fences this host"
        );
    }
    for (id, device) in devices {
        let device = match device {
            Ok(device) => device,
            Err(error) => {
                tracing::warn!(node, device = id, %error, "power check: device not usable");
                continue;
            }
        };
        match tokio::task::spawn_blocking(move || device.power()).await {
            Ok(Ok(power)) => {
                let off = power == Power::Off;
                tracing::info!(node, device = id, off, "power check");
                if off {
                    return true;
                }
            }
            Ok(Err(error)) => tracing::warn!(node, device = id, %error, "power check: no answer"),
            Err(error) => tracing::warn!(node, device = id, %error, "power check: task failed"),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use fence_agent::fake_bmc::{FakeBmc, Served};
    use fence_agent::options::settings::Protocol;

    use super::*;

    const LAB_CIB: &str = include_str!("../../../../tests/data/lab-cibs/healthy-1ctl-3remotes.xml");

    /// The lab CIB with compute2's device pointed at `port` on loopback, password `pw`.
    fn lab_cib_on_loopback(port: u16) -> Cib {
        let xml = LAB_CIB
            .replace("10.250.0.142", "127.0.0.1")
            .replace(
                r#"id="fence-compute2-ipport" name="ipport" value="623""#,
                &format!(r#"id="fence-compute2-ipport" name="ipport" value="{port}""#),
            )
            .replace("redacted-lab-password", "pw");
        Cib::parse(&xml).unwrap()
    }

    #[test]
    fn finds_the_lab_device_with_its_parameters() {
        let cib = Cib::parse(LAB_CIB).unwrap();
        let devices = devices_for(&cib, "compute2");
        assert_eq!(devices.len(), 1);
        let (id, device) = &devices[0];
        assert_eq!(id, "fence-compute2");
        let settings = device.as_ref().unwrap().ipmi_settings().unwrap();
        assert_eq!(
            (settings.host.as_str(), settings.port),
            ("10.250.0.142", 623)
        );
        assert_eq!(settings.password.expose(), b"redacted-lab-password");
        assert!(matches!(settings.protocol, Protocol::V20 { cipher: Some(c), .. } if c.id() == 3));
        assert!(devices_for(&cib, "ctl1").is_empty());
    }

    /// The lab CIB with compute2's device a fence_redfish one (as `--bmc redfish` makes it), on
    /// `address`.
    fn lab_cib_with_redfish(agent: &str, address: &str) -> Cib {
        let xml = LAB_CIB
            .replace(
                r#"id="fence-compute2" class="stonith" type="fence_ipmilan""#,
                &format!(r#"id="fence-compute2" class="stonith" type="{agent}""#),
            )
            .replace("10.250.0.142", address)
            .replace(
                r#"<nvpair id="fence-compute2-lanplus" name="lanplus" value="1"/>"#,
                r#"<nvpair id="fence-compute2-ssl_insecure" name="ssl_insecure" value="1"/>"#,
            )
            .replace(
                r#"<nvpair id="fence-compute2-cipher" name="cipher" value="3"/>"#,
                r#"<nvpair id="fence-compute2-systems_uri" name="systems_uri" value="/redfish/v1/Systems/compute2"/>"#,
            )
            .replace(r#"name="ipport" value="623""#, r#"name="ipport" value="8000""#);
        Cib::parse(&xml).unwrap()
    }

    #[tokio::test]
    async fn redfish_devices_are_asked_like_ipmi_ones_and_no_answer_is_not_off() {
        for agent in ["fence_redfish", "fence_redfish_rs"] {
            let cib = lab_cib_with_redfish(agent, "10.250.0.142");
            let devices = devices_for(&cib, "compute2");
            assert_eq!(devices.len(), 1, "{agent}");
            let device = devices[0].1.as_ref().unwrap();
            let settings = device.redfish_settings().unwrap();
            assert_eq!(settings.base_url(), "https://10.250.0.142:8000");
            assert_eq!(
                settings.systems_uri.as_deref(),
                Some("/redfish/v1/Systems/compute2")
            );
            assert_eq!(settings.password.expose(), b"redacted-lab-password");
        }
        let nobody = lab_cib_with_redfish("fence_redfish", "127.0.0.1");
        assert!(!any_off("compute2", devices_for(&nobody, "compute2")).await);
    }

    #[tokio::test]
    async fn only_a_device_saying_off_counts() {
        let served = Served::start(FakeBmc::default()).unwrap();
        served.bmc().password = b"pw".to_vec();
        let cib = lab_cib_on_loopback(served.port);
        assert!(!any_off("compute2", devices_for(&cib, "compute2")).await);
        served.bmc().power_on = false;
        assert!(any_off("compute2", devices_for(&cib, "compute2")).await);
        served.bmc().password = b"other".to_vec();
        assert!(!any_off("compute2", devices_for(&cib, "compute2")).await);
        assert!(!any_off("ctl1", devices_for(&cib, "ctl1")).await);
    }
}
