use super::*;

#[test]
fn an_empty_file_is_a_working_configuration() {
    let s = Settings::parse("", &[]).unwrap();
    assert_eq!(s.masakari.endpoint, "http://127.0.0.1:15868/v1");
    assert!(matches!(s.masakari.auth, Auth::Noauth2(_)));
    let engine = s.engine_config();
    assert!(engine.watch.remotes && !engine.watch.members);
    assert_eq!(engine.local_node, None);
}

#[test]
fn reads_every_section() {
    let text = r#"
        [masakari]
        endpoint = "https://masakari.example:15868/v1"
        request_timeout = 5
        [masakari.auth]
        method = "keystone"
        auth_url = "https://keystone:5000/v3"
        username = "masakari"
        password = "hunter2"
        project_name = "service"
        [monitor]
        watch_members = true
        local_node = "ctl1"
        on_fence_failure = "wait"
        mass_failure_percent = 30
        [paths]
        state_file = "/tmp/state.json"
    "#;
    let s = Settings::parse(text, &[]).unwrap();
    let Auth::Keystone(k) = &s.masakari.auth else {
        panic!("{:?}", s.masakari.auth)
    };
    assert_eq!(k.user_domain_name, "Default");
    assert_eq!(k.password.as_ref().unwrap().expose(), b"hunter2");
    assert!(
        !format!("{s:?}").contains("hunter2"),
        "secrets never in Debug"
    );
    let engine = s.engine_config();
    assert_eq!(engine.local_node.as_deref(), Some("ctl1"));
    assert_eq!(engine.on_fence_failure, FailurePolicy::KeepWaiting);
    assert_eq!(engine.mass_failure.percent, 30);
}

#[test]
fn overrides_are_laid_over_the_file() {
    let overrides: Vec<Override> = [
        "monitor.watch_members=true",
        "masakari.endpoint=http://10.0.0.1:15868/v1",
    ]
    .iter()
    .map(|o| o.parse().unwrap())
    .collect();
    let s = Settings::parse("[monitor]\nwatch_members = false\n", &overrides).unwrap();
    assert!(s.monitor.watch_members);
    assert_eq!(s.masakari.endpoint, "http://10.0.0.1:15868/v1");
}

#[test]
fn mistakes_name_the_key() {
    let cases = [
        ("[monitor]\nwatch_remote = true\n", "watch_remote"),
        (
            "[monitor]\nmass_failure_percent = 0\n",
            "monitor.mass_failure_percent",
        ),
        ("[masakari]\nendpoint = \"ftp://x\"\n", "masakari.endpoint"),
        (
            "[monitor]\nfence_timeout = \"soon\"\n",
            "line 2: invalid type",
        ),
        ("[masakari.auth]\nmethod = \"kerberos\"\n", "kerberos"),
        (
            "[monitor]\nwatch_remotes = false\nwatch_guests = false\n",
            "watched",
        ),
        ("[masakari\n", "line 1"),
        ("[metrics]\nlisten = \"localhost\"\n", "metrics.listen"),
    ];
    for (text, expected) in cases {
        let err = Settings::parse(text, &[]).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
    assert!("monitor.x".parse::<Override>().is_err());
    assert!("x=1".parse::<Override>().is_err());
}

#[test]
fn a_bad_file_names_the_file() {
    let dir = std::env::temp_dir().join(format!("hm-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hostmonitor.toml");
    std::fs::write(&path, "[monitor]\nretry_interval = 0\n").unwrap();
    let err = Settings::load(&path, &[]).unwrap_err().to_string();
    assert!(err.starts_with(&path.display().to_string()), "{err}");
    assert!(Settings::load(&dir.join("missing.toml"), &[]).is_err());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_shipped_example_is_valid_and_shows_the_defaults() {
    let example = Settings::parse(include_str!("../../etc/hostmonitor.toml"), &[]).unwrap();
    let defaults = Settings::parse("", &[]).unwrap();
    assert_eq!(format!("{example:?}"), format!("{defaults:?}"));
}

#[test]
fn metrics_listen_on_localhost_unless_emptied() {
    let default = Settings::parse("", &[]).unwrap();
    assert_eq!(
        default.metrics.address(),
        Some("127.0.0.1:9808".parse().unwrap())
    );
    let off = Settings::parse("[metrics]\nlisten = \"\"\n", &[]).unwrap();
    assert_eq!(off.metrics.address(), None);
}

#[test]
fn empty_secrets_count_as_absent() {
    let text = "[masakari.auth]\nmethod = \"keystone\"\nauth_url = \"http://k/v3\"\nusername = \"u\"\n\
                password = \"p\"\nproject_name = \"s\"\napplication_credential_secret = \"\"\n";
    let s = Settings::parse(text, &[]).unwrap();
    let Auth::Keystone(k) = &s.masakari.auth else {
        panic!()
    };
    assert!(matches!(k.credential(), Some(Credential::Password(_))));
}
