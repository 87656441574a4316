use std::path::{Path, PathBuf};
use std::time::Duration;

use masakari_client::settings::{Auth, Credential, Format};

use super::*;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn toml(text: &str) -> Result<Settings, ConfError> {
    Settings::parse_as(Format::Toml, text, &[]).map(|l| l.settings)
}

#[test]
fn an_empty_file_is_the_local_system() {
    let s = toml("").unwrap();
    assert_eq!(s.libvirt.uri, "qemu:///system");
    assert_eq!(s.monitor.hostname, "");
    assert_eq!(
        s.paths.state_file,
        Path::new("/var/lib/masakari-pcmk/instancemonitor.json")
    );
    assert_eq!(
        s.paths.control_socket,
        Path::new("/run/masakari-pcmk/instancemonitor.sock")
    );
    assert_eq!(s.metrics.address(), "127.0.0.1:9809".parse().ok());
    assert_eq!(s.retry(), Retry::default());
}

#[test]
fn the_example_file_is_valid_and_says_the_defaults() {
    let loaded = Settings::read(&data("../../etc/instancemonitor.toml"), &[]).unwrap();
    assert_eq!(loaded.format, Format::Toml);
    let (example, defaults) = (loaded.settings, toml("").unwrap());
    assert_eq!(example.libvirt.uri, defaults.libvirt.uri);
    assert_eq!(example.paths.state_file, defaults.paths.state_file);
    assert_eq!(example.metrics.listen, defaults.metrics.listen);
    assert_eq!(example.retry(), defaults.retry());
}

#[test]
fn a_computes_masakarimonitors_conf_maps_onto_the_settings() {
    let loaded = Settings::read(&data("masakarimonitors.conf"), &[]).unwrap();
    assert_eq!(loaded.format, Format::MasakariMonitors);
    let s = &loaded.settings;
    assert_eq!(
        s.libvirt.uri,
        "qemu+unix:///system?socket=/run/libvirt/libvirt-sock-ro"
    );
    assert_eq!(s.monitor.hostname, "compute-7.nova");
    let retry = s.retry();
    assert_eq!(retry.alert_after, 6);
    assert_eq!(retry.interval, Duration::from_secs(3));
    assert_eq!(retry.max_interval, Duration::from_secs(60));
    assert_eq!(
        s.masakari.endpoint, "",
        "the endpoint comes from the catalog"
    );
    let Auth::Keystone(k) = &s.masakari.auth else {
        panic!("{:?}", s.masakari.auth)
    };
    assert_eq!(
        (k.region_name.as_str(), k.interface.as_str()),
        ("RegionTwo", "internal")
    );
    let Some(Credential::Password(p)) = k.credential() else {
        panic!("no password")
    };
    assert_eq!(p.expose(), b"s3cr#t$word");
    assert_eq!(loaded.ignored, ["callback.other"]);
    assert!(!format!("{loaded:?}").contains("s3cr"));
}

#[test]
fn the_seeds_domain_name_beside_a_project_is_a_notice_as_for_the_host_monitor() {
    let seed_api = "[api]\nauth_url = http://k\ndomain_name = Default\nproject_name = service\n\
                    username = masakari\npassword = p\n";
    let loaded = Settings::parse_as(Format::MasakariMonitors, seed_api, &[]).unwrap();
    let notices = loaded.notices();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].starts_with("api.domain_name is ignored"),
        "{notices:?}"
    );
    let plain = Settings::read(&data("masakarimonitors.conf"), &[]).unwrap();
    assert!(plain.notices().is_empty(), "{:?}", plain.notices());
}

#[test]
fn hostname_wins_over_its_old_name_host() {
    let text = "[DEFAULT]\nhost = old\nhostname = new\n[api]\nauth_url = http://k\n\
                username = u\npassword = p\nproject_name = s\n";
    let s = Settings::parse_as(Format::MasakariMonitors, text, &[])
        .unwrap()
        .settings;
    assert_eq!(s.monitor.hostname, "new");
    assert_eq!(
        s.libvirt.uri, "qemu:///system",
        "masakari-monitors' default"
    );
}

#[test]
fn overrides_apply_over_either_format() {
    let o: Override = "libvirt.uri=qemu:///system?socket=/tmp/s".parse().unwrap();
    let ini = std::fs::read_to_string(data("masakarimonitors.conf")).unwrap();
    let s = Settings::parse_as(Format::MasakariMonitors, &ini, std::slice::from_ref(&o)).unwrap();
    assert_eq!(s.settings.libvirt.uri, "qemu:///system?socket=/tmp/s");
    let s = Settings::parse_as(Format::Toml, "", &[o]).unwrap();
    assert_eq!(s.settings.libvirt.uri, "qemu:///system?socket=/tmp/s");
}

#[test]
fn bad_values_name_the_key_and_the_file() {
    for (text, expected) in [
        (
            "[libvirt]\nuri = \"qemu+ssh://h/system\"\n",
            "libvirt.uri unsupported libvirt URI",
        ),
        (
            "[monitor]\nretry_interval = 0\n",
            "monitor.retry_interval must be at least 1",
        ),
        (
            "[metrics]\nlisten = \"everywhere\"\n",
            "metrics.listen must be address:port",
        ),
        (
            "[paths]\nstate_file = \"/\"\n",
            "paths.state_file must name a file",
        ),
        ("[monitor]\nhost = \"x\"\n", "line 2: unknown field `host`"),
        (
            "[masakari]\nendpoint = \"ftp://x\"\n",
            "masakari.endpoint must be",
        ),
    ] {
        let e = toml(text).unwrap_err().to_string();
        assert!(e.contains(expected), "{text:?}: {e}");
    }
    let dir = std::env::temp_dir().join(format!("im-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("instancemonitor.toml");
    std::fs::write(&path, "[monitor]\nretry_interval = 0\n").unwrap();
    let e = Settings::read(&path, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: monitor.retry_interval", path.display())),
        "{e}"
    );
    let e = Settings::read(&dir.join("absent.toml"), &[])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cannot read "), "{e}");
}

#[test]
fn a_masakarimonitors_conf_without_auth_url_is_refused() {
    let e = Settings::parse_as(
        Format::MasakariMonitors,
        "[libvirt]\nconnection_uri = x\n",
        &[],
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "api.auth_url is required");
    let e = Settings::parse_as(
        Format::MasakariMonitors,
        "[api]\nauth_url = http://k\n[callback]\nretry_max = -1\n",
        &[],
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("line 4: callback.retry_max"),
        "{e}"
    );
}

#[test]
fn no_prefix_of_the_seeds_panics() {
    let seeds = data("seeds/instancemonitor_settings");
    for entry in std::fs::read_dir(seeds).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = Settings::parse_as(Format::Toml, &text[..end], &[]);
            let _ = Settings::parse_as(Format::MasakariMonitors, &text[..end], &[]);
        }
    }
}
