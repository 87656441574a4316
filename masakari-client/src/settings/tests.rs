//! Reading a `[masakari]` section as the monitors' configuration files hold it.

use super::*;

/// The section in `text` (TOML, without the `[masakari]` header), checked.
pub(crate) fn masakari(text: &str) -> Masakari {
    let m: Masakari = toml::from_str(text).unwrap();
    m.validate().unwrap();
    m
}

/// What is wrong with the section in `text`.
pub(crate) fn invalid(text: &str) -> InvalidSetting {
    toml::from_str::<Masakari>(text)
        .unwrap()
        .validate()
        .unwrap_err()
}

#[test]
fn defaults_are_a_local_noauth2_api() {
    let m = masakari("");
    assert_eq!(m.endpoint, "http://127.0.0.1:15868/v1");
    assert!(matches!(m.auth, Auth::Noauth2(_)));
}

#[test]
fn errors_name_the_key() {
    let e = invalid("endpoint = \"ftp://x\"\n");
    assert_eq!(e.key, "masakari.endpoint");
    assert_eq!(
        invalid("request_timeout = 0\n").key,
        "masakari.request_timeout"
    );
    let e = invalid("[auth]\nmethod = \"noauth2\"\nuser = \"\"\n");
    assert_eq!(
        e.to_string(),
        "masakari.auth noauth2 needs a user and a project"
    );
}
