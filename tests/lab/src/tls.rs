//! The lab's own certificate authority (openssl CLI): one CA, a server certificate for the API
//! host's address (Keystone and the Masakari API both serve it), and a second CA that signed
//! nothing, for the wrong-CA cases.

use std::path::PathBuf;

use crate::cmd::{command, run};
use crate::error::Result;
use crate::files::{self, Owner};
use crate::layout::{Host, Layout};

/// Certificates last this many days (a lab lives for minutes).
const DAYS: &str = "7";

/// Where the CA, the server certificate and their keys live.
pub fn dir(layout: &Layout) -> PathBuf {
    layout.host_dir(Host::Api).join("tls")
}

/// The CA certificate that clients of the lab trust (PEM).
pub fn ca_file(layout: &Layout) -> PathBuf {
    dir(layout).join("ca.pem")
}

/// A CA certificate that signed nothing in the lab (PEM).
pub fn wrong_ca_file(layout: &Layout) -> PathBuf {
    dir(layout).join("wrong-ca.pem")
}

/// The API host's certificate (PEM).
pub fn server_cert(layout: &Layout) -> PathBuf {
    dir(layout).join("server.pem")
}

/// The API host's private key (PEM, root only).
pub fn server_key(layout: &Layout) -> PathBuf {
    dir(layout).join("server.key")
}

/// Makes both CAs and the server certificate, for the API host's address.
pub fn make(layout: &Layout) -> Result<()> {
    let d = dir(layout);
    files::dir(&d, Owner::Root, 0o755)?;
    self_signed(&d.join("ca.key"), &ca_file(layout), "masakari-lab CA")?;
    self_signed(
        &d.join("wrong-ca.key"),
        &wrong_ca_file(layout),
        "masakari-lab wrong CA",
    )?;
    let address = Host::Api.address().to_string();
    let csr = d.join("server.csr");
    let mut req = command(
        "openssl",
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout"],
    );
    req.arg(server_key(layout)).arg("-out").arg(&csr);
    req.args(["-subj", &format!("/CN={address}")]);
    run(&mut req)?;
    let ext = d.join("server.ext");
    let text = format!(
        "subjectAltName = IP:{address}\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n"
    );
    files::write(&ext, text.as_bytes(), Owner::Root, 0o644)?;
    let mut sign = command("openssl", ["x509", "-req", "-days", DAYS, "-in"]);
    sign.arg(&csr).arg("-CA").arg(ca_file(layout));
    sign.arg("-CAkey")
        .arg(d.join("ca.key"))
        .arg("-CAcreateserial");
    sign.arg("-out")
        .arg(server_cert(layout))
        .arg("-extfile")
        .arg(&ext);
    run(&mut sign)
}

fn self_signed(key: &std::path::Path, cert: &std::path::Path, name: &str) -> Result<()> {
    let mut req = command("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes"]);
    req.args(["-days", DAYS, "-keyout"])
        .arg(key)
        .arg("-out")
        .arg(cert);
    req.args(["-subj", &format!("/CN={name}")]);
    run(&mut req)
}
