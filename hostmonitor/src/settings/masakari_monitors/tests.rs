use std::path::PathBuf;

use crate::settings::{Auth, Credential, Format, Override, Settings};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn parse(text: &str) -> Result<Settings, crate::settings::SettingsError> {
    Settings::parse_as(Format::MasakariMonitors, text, &[]).map(|l| l.settings)
}

#[test]
fn empty_credentials_count_as_absent() {
    let text = format!("{MINIMAL}user_id =\napplication_credential_secret =\nregion =\n");
    let s = parse(&text).unwrap();
    let Auth::Keystone(k) = &s.masakari.auth else {
        panic!()
    };
    assert_eq!(
        k.region_name, "",
        "an empty region means any, as in openstacksdk"
    );
    assert!(matches!(k.credential(), Some(Credential::Password(_))));
}

const MINIMAL: &str =
    "[api]\nauth_url = http://k:5000/v3\nusername = u\npassword = p\nproject_name = service\n";

#[test]
fn a_kolla_file_maps_onto_the_settings() {
    let loaded = Settings::read(&data("masakarimonitors.conf"), &[]).unwrap();
    assert_eq!(loaded.format, Format::MasakariMonitors);
    let s = &loaded.settings;
    assert_eq!(
        s.masakari.endpoint, "",
        "the endpoint comes from the catalog"
    );
    assert_eq!(
        s.masakari.ca_file,
        PathBuf::from("/etc/ssl/certs/ca-certificates.crt")
    );
    let Auth::Keystone(k) = &s.masakari.auth else {
        panic!("{:?}", s.masakari.auth)
    };
    assert_eq!(k.auth_url, "http://keystone.internal:5000");
    assert_eq!(k.user_domain_id, "default");
    assert_eq!(k.project_domain_id, "default");
    assert_eq!(k.region_name, "RegionTwo");
    assert_eq!(k.interface, "internal");
    let Some(Credential::Password(p)) = k.credential() else {
        panic!("no password")
    };
    assert_eq!(p.expose(), b"s3cr#t$word");
    assert_eq!(s.monitor.reconcile_interval, 10);
    assert!(!s.monitor.watch_members, "restrict_to_remotes = True");
    assert_eq!(s.monitor.retry_alert_after, 5);
    assert_eq!(s.monitor.retry_interval, 20);
    assert_eq!(
        loaded.ignored,
        [
            "api.collect_timing",
            "host.disable_ipmi_check",
            "host.tcpdump_timeout"
        ]
    );
    assert!(!format!("{loaded:?}").contains("s3cr"));
}

#[test]
fn masakari_monitors_defaults_apply_when_keys_are_absent() {
    let s = parse(MINIMAL).unwrap();
    let Auth::Keystone(k) = &s.masakari.auth else {
        panic!()
    };
    assert_eq!(k.region_name, "RegionOne");
    assert_eq!(k.interface, "public");
    assert!(
        s.monitor.watch_members,
        "restrict_to_remotes defaults to False"
    );
    assert_eq!(s.monitor.reconcile_interval, 5);
}

#[test]
fn application_credentials_drop_the_project() {
    let text = "[api]\nauth_type = v3applicationcredential\nauth_url = http://k/v3\n\
                application_credential_id = abc\napplication_credential_secret = sh\n\
                project_name = service\n[host]\napi_retry_interval = 90\n";
    let loaded = Settings::parse_as(Format::MasakariMonitors, text, &[]).unwrap();
    let Auth::Keystone(k) = &loaded.settings.masakari.auth else {
        panic!()
    };
    assert!(matches!(
        k.credential(),
        Some(Credential::ApplicationCredential(_))
    ));
    assert_eq!(k.project_name, "");
    assert_eq!(loaded.ignored, ["api.project_name"]);
    assert_eq!(loaded.settings.monitor.retry_max_interval, 90);
}

#[test]
fn overrides_apply_over_the_ini_file() {
    let o: Override = "monitor.watch_members=false".parse().unwrap();
    let e: Override = "masakari.endpoint=http://m:15868/v1".parse().unwrap();
    let s = Settings::parse_as(Format::MasakariMonitors, MINIMAL, &[o, e])
        .unwrap()
        .settings;
    assert!(!s.monitor.watch_members);
    assert_eq!(s.masakari.endpoint, "http://m:15868/v1");
}

#[test]
fn unsupported_or_bad_values_name_the_ini_key_never_the_value() {
    let cases = [
        (
            "[host]\nmonitoring_interval = 5\n",
            "api.auth_url is required",
        ),
        (
            "[api]\nauth_url = http://k\nauth_type = v3totp\n",
            "api.auth_type v3totp",
        ),
        (
            "[api]\nauth_url = http://k\ncertfile = /c.pem\n",
            "api.certfile is not supported",
        ),
        (
            "[api]\nauth_url = http://k\napi_version = v2\n",
            "api.api_version must be v1",
        ),
        (
            "[api]\nauth_url = http://k\ninsecure = perhaps\n",
            "line 3: api.insecure",
        ),
        (
            "[api]\nauth_url = http://k\n[host]\nmonitoring_driver = consul\n",
            "host.monitoring_driver",
        ),
        (
            "[api]\nauth_url = http://k\n[host]\nmonitoring_interval = -1\n",
            "line 4: host.monitoring_interval",
        ),
        (
            "[api]\nauth_url = http://k\nusername = u\n",
            "exactly one of password",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
        for value in ["perhaps", "consul", "/c.pem"] {
            assert!(!err.contains(value), "{err}");
        }
    }
}

#[test]
fn no_prefix_or_scrambled_file_panics() {
    let text = std::fs::read_to_string(data("masakarimonitors.conf")).unwrap();
    for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
        let _ = parse(&text[..end]);
    }
    let alphabet = b"[]=:#; \t\n$'\"apihostuser_ida1";
    let mut state = 0x2545_f491_u32;
    for _ in 0..2000 {
        let junk: String = (0..64)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                char::from(alphabet[state as usize % alphabet.len()])
            })
            .collect();
        let _ = parse(&junk);
        let _ = parse(&format!("[api]\nauth_url = http://k\n{junk}"));
    }
}

fn watch(restrict: Option<&str>) -> (crate::engine::Watch, Vec<String>) {
    let host = restrict.map_or(String::new(), |r| {
        format!("[host]\nrestrict_to_remotes = {r}\n")
    });
    let loaded =
        Settings::parse_as(Format::MasakariMonitors, &format!("{MINIMAL}{host}"), &[]).unwrap();
    (loaded.settings.engine_config().watch, loaded.notices())
}

#[test]
fn restrict_to_remotes_is_honoured_as_masakari_monitors_does() {
    use crate::engine::Watch;
    let everything = Watch {
        remotes: true,
        guests: true,
        members: true,
    };
    let only_remotes = Watch {
        members: false,
        ..everything
    };
    for (restrict, expected) in [
        (None, everything),
        (Some("False"), everything),
        (Some("no"), everything),
        (Some("True"), only_remotes),
        (Some("1"), only_remotes),
    ] {
        let (watch, notices) = watch(restrict);
        assert_eq!(watch, expected, "restrict_to_remotes = {restrict:?}");
        assert_eq!(notices.len(), usize::from(expected.members), "{restrict:?}");
    }
    let (_, notices) = watch(None);
    assert!(
        notices[0].contains("full cluster members are watched"),
        "{notices:?}"
    );
    assert!(parse(&format!("{MINIMAL}[host]\nrestrict_to_remotes = maybe\n")).is_err());
}

#[test]
fn an_override_wins_over_restrict_to_remotes_and_silences_the_notice() {
    let o: Override = "monitor.watch_members=false".parse().unwrap();
    let loaded = Settings::parse_as(Format::MasakariMonitors, MINIMAL, &[o]).unwrap();
    assert!(!loaded.settings.engine_config().watch.members);
    assert!(loaded.notices().is_empty());
    let toml = Settings::parse_as(Format::Toml, "[monitor]\nwatch_members = true\n", &[]);
    assert!(
        toml.unwrap().notices().is_empty(),
        "a TOML file says it itself"
    );
}

#[test]
fn the_seed_file_logs_in_to_its_project_and_says_domain_name_is_ignored() {
    let loaded = Settings::read(&data("seed-masakarimonitors.conf"), &[]).unwrap();
    let Auth::Keystone(k) = &loaded.settings.masakari.auth else {
        panic!("{:?}", loaded.settings.masakari.auth)
    };
    assert_eq!(k.auth_url, "https://10.0.5.210:35357");
    assert_eq!(
        (k.project_name.as_str(), k.project_domain_id.as_str()),
        ("service", "default")
    );
    assert_eq!(
        (k.region_name.as_str(), k.interface.as_str()),
        ("RegionOne", "public")
    );
    assert!(loaded.ignored.iter().any(|k| k == "api.domain_name"));
    let notices = loaded.notices();
    assert!(
        notices.iter().any(
            |n| n.starts_with("api.domain_name is ignored: the login is scoped to the project")
        ),
        "{notices:?}"
    );
    assert!(!format!("{loaded:?}{notices:?}").contains("tyun123"));
}

#[test]
fn a_domain_scope_without_a_project_is_refused_in_words() {
    for key in ["domain_name = Default", "domain_id = default"] {
        let text = format!("[api]\nauth_url = http://k\nusername = u\npassword = p\n{key}\n");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("scopes the login to a domain") && err.contains("set project_name"),
            "{err}"
        );
    }
    let app = "[api]\nauth_type = v3applicationcredential\nauth_url = http://k\n\
               application_credential_id = a\napplication_credential_secret = s\n\
               domain_name = Default\n";
    assert_eq!(
        Settings::parse_as(Format::MasakariMonitors, app, &[])
            .unwrap()
            .ignored,
        ["api.domain_name"]
    );
}
