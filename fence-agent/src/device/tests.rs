use super::*;
use crate::fake_bmc::{FakeBmc, Served};
use crate::ipmi::{CipherSuite, Privilege};
use crate::options::settings::{Protocol, Settings};

/// The parameters of a lab device (`tests/data/lab-cibs`), with Pacemaker's own.
fn lab_params(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("ip", "127.0.0.1".into()),
        ("ipport", port.to_string()),
        ("username", "admin".into()),
        ("password", "password".into()),
        ("lanplus", "1".into()),
        ("cipher", "3".into()),
        ("pcmk_host_list", "compute1".into()),
        ("pcmk_reboot_action", "off".into()),
    ]
}

fn device(agent: &str, params: &[(&str, String)], plug: Option<&str>) -> Device {
    let pairs = params.iter().map(|(k, v)| (*k, v.as_str()));
    Device::from_params(Agent::from_type(agent).unwrap(), pairs, plug).unwrap()
}

fn settings(device: &Device) -> &Settings {
    device.ipmi_settings().unwrap()
}

#[test]
fn a_lab_device_becomes_the_agents_settings() {
    let d = device("fence_ipmilan", &lab_params(623), Some("compute1"));
    let s = settings(&d);
    assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 623));
    assert_eq!(s.username, "admin");
    assert_eq!(s.password.expose(), b"password");
    assert_eq!(s.privilege, Privilege::ADMINISTRATOR);
    assert!(matches!(
        s.protocol,
        Protocol::V20 { cipher: Some(c), kg: None } if c == CipherSuite::THREE
    ));
    assert!(!format!("{d:?}").contains("password\""), "{d:?}");
}

#[test]
fn aliases_quotes_and_personality_defaults_are_the_agents() {
    let params = [
        ("ipaddr", "bmc1".to_owned()),
        ("login", "\"op\"".to_owned()),
        ("passwd", "pw".to_owned()),
        ("privlvl", "operator".to_owned()),
    ];
    let d = device("fence_ilo4", &params, None);
    let s = settings(&d);
    assert_eq!((s.host.as_str(), s.username.as_str()), ("bmc1", "op"));
    assert_eq!(s.password.expose(), b"pw");
    assert_eq!(s.privilege, Privilege::OPERATOR);
    assert!(
        matches!(s.protocol, Protocol::V20 { .. }),
        "fence_ilo4 is lanplus"
    );
    let d = device("fence_ipmilan", &params, None);
    assert!(matches!(settings(&d).protocol, Protocol::V15 { .. }));
}

#[test]
fn cluster_glue_names_are_mapped() {
    let params = [
        ("hostname", "compute1".to_owned()),
        ("ipaddr", "10.0.0.9".to_owned()),
        ("port", "6230".to_owned()),
        ("userid", "admin".to_owned()),
        ("passwd", "pw".to_owned()),
        ("interface", "lanplus".to_owned()),
    ];
    let d = device("external/ipmi", &params, Some("compute1"));
    let s = settings(&d);
    assert_eq!((s.host.as_str(), s.port), ("10.0.0.9", 6230));
    assert_eq!(s.username, "admin");
    assert_eq!(s.password.expose(), b"pw");
    assert!(matches!(s.protocol, Protocol::V20 { .. }));
}

#[test]
fn parameters_the_agent_refuses_are_an_error_without_values() {
    let agent = Agent::from_type("fence_ipmilan").unwrap();
    let no_address = Device::from_params(agent, [("password", "hunter2")], None);
    assert_eq!(
        no_address.unwrap_err(),
        DeviceError::Invalid(vec!["Failed: You have to enter fence address".to_owned()])
    );
    let bad = Device::from_params(agent, [("ip", "h"), ("ipport", "hunter2")], None);
    let text = bad.unwrap_err().to_string();
    assert!(text.contains("--ipport"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let help = Device::from_params(agent, [("ip", "h"), ("help", "1")], None);
    assert_eq!(help.unwrap_err(), DeviceError::NotAQuery);
}

#[test]
fn power_is_the_bmcs_answer() {
    let served = Served::start(FakeBmc::default()).unwrap();
    let d = device("fence_ipmilan_rs", &lab_params(served.port), None);
    assert_eq!(d.power().unwrap(), Power::On);
    served.bmc().power_on = false;
    assert_eq!(d.power().unwrap(), Power::Off);
    let bmc = served.bmc();
    assert_eq!(
        (bmc.opened, bmc.closed),
        (2, 2),
        "one session per query, closed"
    );
    assert!(
        bmc.controls.is_empty(),
        "a query never controls the chassis"
    );
}

#[test]
fn no_answer_or_a_refusal_is_an_error() {
    let served = Served::start(FakeBmc::default()).unwrap();
    let mut params = lab_params(served.port);
    params[3].1 = "wrong".into();
    let wrong = device("fence_ipmilan", &params, None).power().unwrap_err();
    assert!(
        matches!(&wrong, PowerError::Bmc(e) if e.is_refusal()),
        "{wrong}"
    );
    let silent = Served::start(FakeBmc::default()).unwrap();
    silent.bmc().silent = true;
    let mut params = lab_params(silent.port);
    params.push(("login_timeout", "1".into()));
    let none = device("fence_ipmilan", &params, None).power().unwrap_err();
    assert!(
        matches!(&none, PowerError::Bmc(e) if e.is_unreachable()),
        "{none}"
    );
}

#[test]
fn password_script_and_credential_limits() {
    let served = Served::start(FakeBmc::default()).unwrap();
    let mut params = lab_params(served.port);
    params[3] = ("passwd_script", "echo password".into());
    assert_eq!(
        device("fence_ipmilan", &params, None).power().unwrap(),
        Power::On
    );
    params[3] = ("password_script", "echo 123456789012345678901".into());
    let long = device("fence_ipmilan", &params, None).power().unwrap_err();
    assert!(matches!(long, PowerError::Credentials(_)), "{long}");
}

/// A fence_redfish device as `pcs stonith create ... fence_redfish` writes it.
fn redfish_params() -> Vec<(&'static str, String)> {
    vec![
        ("ip", "10.250.0.141:8443".into()),
        ("username", "admin".into()),
        ("password", "redfish-pw".into()),
        ("ssl_insecure", "1".into()),
        ("systems_uri", "/redfish/v1/Systems/compute1".into()),
        ("pcmk_host_list", "compute1".into()),
    ]
}

#[test]
fn a_redfish_device_becomes_fence_redfishs_settings() {
    for agent in ["fence_redfish", "fence_redfish_rs"] {
        let d = device(agent, &redfish_params(), Some("compute1"));
        assert!(d.ipmi_settings().is_none());
        let s = d.redfish_settings().unwrap();
        assert_eq!(s.base_url(), "https://10.250.0.141:8443");
        assert_eq!(
            s.systems_uri.as_deref(),
            Some("/redfish/v1/Systems/compute1")
        );
        assert_eq!(s.password.expose(), b"redfish-pw");
        assert!(s.insecure);
        assert!(!format!("{d:?}").contains("redfish-pw"), "{d:?}");
    }
}

#[test]
fn a_redfish_device_without_a_login_is_refused_as_fence_redfish_refuses_it() {
    let params: Vec<(&str, String)> = redfish_params()
        .into_iter()
        .filter(|(k, _)| *k != "username")
        .collect();
    let pairs = params.iter().map(|(k, v)| (*k, v.as_str()));
    let agent = Agent::from_type("fence_redfish").unwrap();
    assert_eq!(
        Device::from_params(agent, pairs, None).unwrap_err(),
        DeviceError::Invalid(vec!["Failed: You have to set login name".into()])
    );
}

#[test]
fn a_redfish_device_nobody_answers_for_is_an_error_not_a_power_state() {
    let mut params = redfish_params();
    params[0].1 = "127.0.0.1:1".into();
    let d = device("fence_redfish", &params, None);
    let e = d.power().unwrap_err();
    assert!(
        matches!(&e, PowerError::Bmc(b) if b.is_unreachable()),
        "{e}"
    );
}
