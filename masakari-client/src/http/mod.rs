//! The HTTP client shared by Keystone logins and Masakari requests, with the configured TLS trust:
//! the Mozilla roots built in and the system's CA bundle ([`SYSTEM_BUNDLES`]), or only the
//! certificates of `ca_file`; `insecure` turns checking off.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::settings::Masakari;

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// `masakari.ca_file` cannot be read.
    #[error("masakari.ca_file {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `masakari.ca_file` is not a PEM bundle, or holds no certificate.
    #[error("masakari.ca_file {}: {problem}", path.display())]
    CaBundle {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The TLS stack refused the configuration.
    #[error("{0}")]
    Build(String),
}

/// The system's CA bundles; without `ca_file` the first that exists is trusted beside the built-in
/// roots (Debian and Ubuntu, RHEL and its kin, SUSE). A private CA an operator installed there
/// (update-ca-certificates, update-ca-trust) is trusted as curl trusts it, and as
/// masakari-monitors does from its distribution's packages, whose requests reads the same file:
/// so a masakarimonitors.conf with `https://` URLs and no `cafile` works here too.
pub const SYSTEM_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
];

/// A client for the configured API and Keystone; `agent` names the monitor in `User-Agent`
/// (e.g. `masakari-hostmonitor`), with this crate's version.
pub fn client(settings: &Masakari, agent: &str) -> Result<reqwest::Client, HttpError> {
    client_trusting(settings, agent, &SYSTEM_BUNDLES.map(Path::new))
}

/// [`client`] with `system` as the system's CA bundles.
fn client_trusting(
    settings: &Masakari,
    agent: &str,
    system: &[&Path],
) -> Result<reqwest::Client, HttpError> {
    let timeout = Duration::from_secs(settings.request_timeout);
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(format!("{agent}/{}", env!("CARGO_PKG_VERSION")));
    if !settings.ca_file.as_os_str().is_empty() {
        let path = || settings.ca_file.clone();
        let pem = std::fs::read(&settings.ca_file).map_err(|source| HttpError::CaFile {
            path: path(),
            source,
        })?;
        let bundle = |problem: String| HttpError::CaBundle {
            path: path(),
            problem,
        };
        let certificates =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bundle(e.to_string()))?;
        if certificates.is_empty() {
            return Err(bundle("no PEM certificate in it".to_owned()));
        }
        builder = builder.tls_built_in_root_certs(false);
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    } else {
        for certificate in system_roots(system) {
            builder = builder.add_root_certificate(certificate);
        }
    }
    if settings.insecure {
        tracing::warn!(
            "masakari.insecure is set: TLS certificates are NOT verified; credentials can be stolen on the path"
        );
        builder = builder.danger_accept_invalid_certs(true);
    }
    builder
        .build()
        .map_err(|e| HttpError::Build(error_chain(&e)))
}

/// The certificates of the first of `bundles` that exists; none when it is unreadable as PEM
/// (the built-in roots still apply, and a warning says so).
fn system_roots(bundles: &[&Path]) -> Vec<reqwest::Certificate> {
    let Some((path, pem)) = bundles
        .iter()
        .find_map(|p| std::fs::read(p).ok().map(|pem| (p, pem)))
    else {
        return Vec::new();
    };
    reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_else(|e| {
        tracing::warn!(
            "system CA bundle {} unreadable ({e}): only the built-in roots are trusted",
            path.display()
        );
        Vec::new()
    })
}

/// An error and its causes on one line (reqwest's own text names the URL once, no more).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tls_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn client_for(settings: &Masakari) -> Result<reqwest::Client, HttpError> {
        client(settings, "test")
    }

    fn masakari(ca_file: &str) -> Masakari {
        Masakari {
            ca_file: PathBuf::from(ca_file),
            ..Masakari::default()
        }
    }

    #[test]
    fn a_ca_file_must_hold_certificates() {
        let dir = std::env::temp_dir().join(format!("hm-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = client_for(&masakari(empty.to_str().unwrap())).unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let missing = client_for(&masakari("/nonexistent/ca.pem")).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("masakari.ca_file /nonexistent/ca.pem"),
            "{missing}"
        );
        let good = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-ca.pem");
        client_for(&masakari(good.to_str().unwrap())).unwrap();
        client_for(&Masakari {
            insecure: true,
            ..Masakari::default()
        })
        .unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
