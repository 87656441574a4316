//! Our own IPMI check of a lost host's chassis, with the parameters of the stonith devices Pacemaker
//! would use for it (any fence_ipmilan-style device, or cluster-glue external/ipmi), through the fence
//! agent's library in-process: the password goes through memory, never argv.

use tokio::process::Command;

use cib::{Cib, FenceDevice};
use fence_agent::exit::Exit;
use fence_agent::run::{Io, run};

use crate::daemon::net::process::output;

/// Agents whose parameters the fence agent's IPMI client understands.
const IPMI_AGENTS: [&str; 9] = [
    "fence_ipmilan",
    "fence_ipmilanplus",
    "fence_idrac",
    "fence_ilo3",
    "fence_ilo4",
    "fence_ilo5",
    "fence_imm",
    "fence_ipmilan_rs",
    "external/ipmi",
];

/// Checks chassis power over IPMI.
#[derive(Debug, Default)]
pub struct PowerCheck;

impl PowerCheck {
    /// Whether one of the host's IPMI stonith devices reports its chassis off. Any doubt (no such
    /// device, no answer, power on) is `false`: only a BMC saying "off" counts.
    pub async fn is_off(&self, node: &str) -> bool {
        let xml = match output(Command::new("cibadmin").arg("--query")).await {
            Ok(xml) => xml,
            Err(error) => {
                tracing::warn!(node, %error, "IPMI check: cannot read the CIB");
                return false;
            }
        };
        let requests = match Cib::parse(&xml) {
            Ok(cib) => status_requests(&cib, node),
            Err(error) => {
                tracing::warn!(node, %error, "IPMI check: cannot parse the CIB");
                return false;
            }
        };
        if requests.is_empty() {
            tracing::warn!(
                node,
                "IPMI check: no IPMI stonith device can fence this host"
            );
        }
        for (device, request) in requests {
            let off = tokio::task::spawn_blocking(move || ask(request))
                .await
                .unwrap_or(false);
            tracing::info!(node, device, off, "IPMI power check");
            if off {
                return true;
            }
        }
        false
    }
}

/// The fence-agent stdin request (`action=status` and the device's IPMI parameters) for each IPMI
/// device able to fence `node`, in the fencer's order.
pub fn status_requests(cib: &Cib, node: &str) -> Vec<(String, String)> {
    cib.fence_devices_for(node)
        .iter()
        .filter(|d| IPMI_AGENTS.contains(&d.agent()))
        .filter_map(|d| Some((d.id().to_owned(), request(d)?)))
        .collect()
}

fn request(d: &FenceDevice<'_>) -> Option<String> {
    let p = d.ipmi();
    let mut lines = vec!["action=status".to_owned(), format!("ip={}", p.address?)];
    let mut push = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.contains('\n')) {
            lines.push(format!("{key}={v}"));
        }
    };
    push("ipport", p.port.map(|v| v.to_string()));
    push("username", p.username);
    push("password", p.password.map(|s| s.expose().to_owned()));
    push(
        "password_script",
        d.resource
            .params
            .get("password_script")
            .or(d.resource.params.get("passwd_script"))
            .map(str::to_owned),
    );
    push("lanplus", p.lanplus.then(|| "1".to_owned()));
    push("cipher", p.cipher.map(|c| c.to_string()));
    push("privlvl", p.privilege);
    push("hexadecimal_kg", p.kg_hex.map(|s| s.expose().to_owned()));
    push("auth", p.auth);
    push("target", p.target);
    push("plug", d.port.clone());
    Some(lines.join("\n") + "\n")
}

fn ask(request: String) -> bool {
    let mut stdin = request.as_bytes();
    let mut stdout = Vec::new();
    let exit = run(Io {
        args: vec!["fence_ipmilan_rs".to_owned()],
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: Box::new(std::io::sink()),
        pcmk_service: None,
    });
    exit == Exit::StatusOff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_status_request_from_a_lab_device() {
        let xml = include_str!("../../../../tests/data/lab-cibs/healthy-1ctl-3remotes.xml");
        let cib = Cib::parse(xml).unwrap();
        let requests = status_requests(&cib, "compute2");
        assert_eq!(requests.len(), 1);
        let (device, text) = &requests[0];
        assert_eq!(device, "fence-compute2");
        assert!(
            text.starts_with("action=status\nip=10.250.0.142\n"),
            "{text}"
        );
        assert!(text.contains("password=redacted-lab-password\n"));
        assert!(text.contains("lanplus=1\n") && text.contains("cipher=3\n"));
        assert!(status_requests(&cib, "ctl1").is_empty());
    }
}
