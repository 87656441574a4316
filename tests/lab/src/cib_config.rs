//! The lab's initial CIB: cluster options, one remote connection per compute, one stonith device per
//! fenceable node. Written to every controller's /var/lib/pacemaker/cib/cib.xml before first boot, so the
//! cluster starts configured (and with a short dc-deadtime) instead of being configured afterwards.

use std::fmt::Write as _;

use crate::layout::{Host, Layout, Machine};
use crate::spec::{Bmc, RebootAction, RemoteMonitor};

/// The BMC login the lab's stonith devices use.
pub struct BmcLogin<'a> {
    /// The IPMI user name.
    pub user: &'a str,
    /// Its password.
    pub password: &'a str,
}

/// The whole initial CIB document.
pub fn render(layout: &Layout, login: &BmcLogin<'_>) -> String {
    let mut s = String::from(
        "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">\n\
         <configuration>\n<crm_config>\n<cluster_property_set id=\"cib-bootstrap-options\">\n",
    );
    let options = [
        ("stonith-enabled", "true"),
        ("dc-deadtime", "5s"),
        ("cluster-recheck-interval", "1min"),
        ("cluster-name", &format!("mlab-{}", layout.spec().name)),
    ];
    for (name, value) in options {
        let _ = writeln!(
            s,
            "<nvpair id=\"opt-{name}\" name=\"{name}\" value=\"{}\"/>",
            escape(value)
        );
    }
    s.push_str("</cluster_property_set>\n</crm_config>\n<nodes/>\n<resources>\n");
    for m in layout.computes() {
        remote_connection(&mut s, m, layout.spec().remote_monitor);
    }
    for m in fenceable(layout) {
        stonith_device(&mut s, layout, m, login);
    }
    if layout.spec().services {
        crate::services::resources(&mut s);
    }
    s.push_str("</resources>\n<constraints>\n");
    if layout.spec().services {
        crate::services::constraints(&mut s);
    }
    for m in fenceable(layout) {
        if let Machine::Controller(_) = m {
            let _ = writeln!(
                s,
                "<rsc_location id=\"fence-{n}-not-on-self\" rsc=\"fence-{n}\" node=\"{n}\" score=\"-INFINITY\"/>",
                n = m.name()
            );
        }
    }
    s.push_str("</constraints>\n</configuration>\n<status/>\n</cib>\n");
    s
}

/// The nodes with a stonith device: every compute, and the controllers when there are several.
pub fn fenceable(layout: &Layout) -> Vec<Machine> {
    if layout.controllers().len() > 1 {
        layout.machines()
    } else {
        layout.computes()
    }
}

/// A compute's connection resource. A powered-on compute comes back by itself after a fence: its
/// connection is retried every `reconnect_interval` when one is set.
fn remote_connection(s: &mut String, m: Machine, monitor: RemoteMonitor) {
    let n = m.name();
    let (interval, timeout, reconnect) = monitor.values();
    let _ = write!(
        s,
        "<primitive id=\"{n}\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">\n\
         <instance_attributes id=\"{n}-ia\">\n\
         <nvpair id=\"{n}-server\" name=\"server\" value=\"{addr}\"/>\n",
        addr = Host::Node(m).address()
    );
    if let Some(reconnect) = reconnect {
        let _ = writeln!(
            s,
            "<nvpair id=\"{n}-reconnect\" name=\"reconnect_interval\" value=\"{reconnect}\"/>"
        );
    }
    let _ = write!(
        s,
        "</instance_attributes>\n\
         <operations>\n\
         <op id=\"{n}-monitor\" name=\"monitor\" interval=\"{interval}\" timeout=\"{timeout}\"/>\n\
         </operations>\n\
         </primitive>\n"
    );
}

fn stonith_device(s: &mut String, layout: &Layout, m: Machine, login: &BmcLogin<'_>) {
    let n = m.name();
    let agent = escape(&layout.spec().fence_agent);
    let bmc = Host::Bmc(m).address().to_string();
    let mut params = vec![
        ("ip", bmc),
        ("username", login.user.to_owned()),
        ("password", login.password.to_owned()),
    ];
    params.extend(protocol_params(layout.spec().bmc, m));
    params.push(("pcmk_host_list", n.clone()));
    if layout.spec().reboot_action == RebootAction::Off {
        params.push(("pcmk_reboot_action", "off".to_owned()));
    }
    let _ = write!(
        s,
        "<primitive id=\"fence-{n}\" class=\"stonith\" type=\"{agent}\">\n\
         <instance_attributes id=\"fence-{n}-ia\">\n"
    );
    for (name, value) in params {
        let _ = writeln!(
            s,
            "<nvpair id=\"fence-{n}-{name}\" name=\"{name}\" value=\"{}\"/>",
            escape(&value)
        );
    }
    let _ = write!(
        s,
        "</instance_attributes>\n\
         <operations>\n\
         <op id=\"fence-{n}-monitor\" name=\"monitor\" interval=\"60s\"/>\n\
         </operations>\n\
         </primitive>\n"
    );
}

/// How a stonith device reaches its BMC, as an operator configures it: IPMI lanplus with cipher
/// suite 3; Redfish over HTTPS on 443 with the node's system named (the CA is in the controllers'
/// system trust store, see [`crate::node`], so no `ssl_insecure`).
fn protocol_params(bmc: Bmc, m: Machine) -> Vec<(&'static str, String)> {
    match bmc {
        Bmc::Ipmi => vec![
            ("ipport", "623".to_owned()),
            ("lanplus", "1".to_owned()),
            ("cipher", "3".to_owned()),
        ],
        Bmc::Redfish => vec![
            ("ipport", crate::bmc::redfish::PORT.to_string()),
            ("systems_uri", crate::bmc::redfish::system(m).uri()),
        ],
    }
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::LabSpec;

    const LOGIN: BmcLogin<'static> = BmcLogin {
        user: "admin",
        password: "p&ss\"word",
    };

    #[test]
    fn one_controller_fences_computes_only() {
        let layout = Layout::new(LabSpec::new("t")).unwrap();
        let cib = render(&layout, &LOGIN);
        assert!(cib.contains("id=\"fence-compute1\""));
        assert!(cib.contains("id=\"fence-compute2\""));
        assert!(!cib.contains("fence-ctl1"));
        assert!(cib.contains("value=\"p&amp;ss&quot;word\""));
        assert!(!cib.contains("pcmk_reboot_action"));
        assert!(cib.contains("name=\"monitor\" interval=\"3s\" timeout=\"5s\""));
        assert!(cib.contains("name=\"reconnect_interval\" value=\"10s\""));
    }

    #[test]
    fn redfish_devices_name_their_system_on_443_and_stay_secure() {
        let layout = Layout::new(LabSpec {
            bmc: Bmc::Redfish,
            fence_agent: "fence_redfish_rs".into(),
            ..LabSpec::new("t")
        })
        .unwrap();
        let cib = render(&layout, &LOGIN);
        assert!(cib.contains("type=\"fence_redfish_rs\""), "{cib}");
        assert!(cib.contains("name=\"ip\" value=\"10.250.0.141\""));
        assert!(cib.contains("name=\"ipport\" value=\"443\""));
        let uri = crate::bmc::redfish::system(Machine::Compute(2)).uri();
        assert!(cib.contains(&format!("name=\"systems_uri\" value=\"{uri}\"")));
        assert!(
            !cib.contains("lanplus") && !cib.contains("ssl_insecure"),
            "{cib}"
        );
    }

    #[test]
    fn pacemaker_defaults_have_no_reconnect_interval() {
        let layout = Layout::new(LabSpec {
            remote_monitor: RemoteMonitor::PacemakerDefaults,
            ..LabSpec::new("t")
        })
        .unwrap();
        let cib = render(&layout, &LOGIN);
        assert!(cib.contains("name=\"monitor\" interval=\"60s\" timeout=\"30s\""));
        assert!(!cib.contains("reconnect_interval"));
    }

    #[test]
    fn three_controllers_fence_each_other_never_themselves() {
        let layout = Layout::new(LabSpec {
            controllers: 3,
            reboot_action: RebootAction::Off,
            fence_agent: "fence_ipmilan_rs".into(),
            ..LabSpec::new("t")
        })
        .unwrap();
        let cib = render(&layout, &LOGIN);
        assert!(cib.contains("rsc=\"fence-ctl2\" node=\"ctl2\" score=\"-INFINITY\""));
        assert!(cib.contains("type=\"fence_ipmilan_rs\""));
        assert!(cib.contains("name=\"pcmk_reboot_action\" value=\"off\""));
    }
}
