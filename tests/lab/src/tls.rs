//! The lab's own certificate authority (openssl CLI): one CA, a server certificate for the API
//! host's address (Keystone and the Masakari API both serve it), and a second CA that signed
//! nothing, for the wrong-CA cases. [`Ca`] also issues certificates for other addresses (the
//! Redfish BMCs of [`crate::sushy`]), in the lab's CA directory or in a directory of a test's own.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

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
    Ca::at(&dir(layout)).cert()
}

/// A CA certificate that signed nothing in the lab (PEM).
pub fn wrong_ca_file(layout: &Layout) -> PathBuf {
    Ca::at(&dir(layout)).wrong_cert()
}

/// The API host's certificate (PEM).
pub fn server_cert(layout: &Layout) -> PathBuf {
    Ca::at(&dir(layout)).issued("server").cert
}

/// The API host's private key (PEM, root only).
pub fn server_key(layout: &Layout) -> PathBuf {
    Ca::at(&dir(layout)).issued("server").key
}

/// Makes both CAs and the server certificate, for the API host's address.
pub fn make(layout: &Layout) -> Result<()> {
    let ca = Ca::create(&dir(layout))?;
    ca.issue("server", Host::Api.address().into()).map(drop)
}

/// A CA directory: `ca.pem`/`ca.key`, `wrong-ca.pem`, and the certificates it issued.
#[derive(Debug, Clone)]
pub struct Ca {
    dir: PathBuf,
}

/// A server certificate and its key, issued by a [`Ca`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The certificate (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM, root only).
    pub key: PathBuf,
}

impl Ca {
    /// The CA kept in `dir` (made earlier by [`Ca::create`]).
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// Makes a CA, and a second one that signs nothing, in `dir`.
    pub fn create(dir: &Path) -> Result<Self> {
        files::dir(dir, Owner::Root, 0o755)?;
        let ca = Self::at(dir);
        self_signed(&dir.join("ca.key"), &ca.cert(), "masakari-lab CA")?;
        self_signed(
            &dir.join("wrong-ca.key"),
            &ca.wrong_cert(),
            "masakari-lab wrong CA",
        )?;
        Ok(ca)
    }

    /// The CA certificate that clients trust (PEM).
    pub fn cert(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// The certificate of the CA that signed nothing (PEM).
    pub fn wrong_cert(&self) -> PathBuf {
        self.dir.join("wrong-ca.pem")
    }

    /// Where the certificate named `name` is (or will be) kept.
    pub fn issued(&self, name: &str) -> Issued {
        Issued {
            cert: self.dir.join(format!("{name}.pem")),
            key: self.dir.join(format!("{name}.key")),
        }
    }

    /// Issues a server certificate named `name` for `address` (CN and subjectAltName).
    pub fn issue(&self, name: &str, address: IpAddr) -> Result<Issued> {
        let issued = self.issued(name);
        let csr = self.dir.join(format!("{name}.csr"));
        let mut req = command(
            "openssl",
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout"],
        );
        req.arg(&issued.key).arg("-out").arg(&csr);
        req.args(["-subj", &format!("/CN={address}")]);
        run(&mut req)?;
        let ext = self.dir.join(format!("{name}.ext"));
        let text = format!(
            "subjectAltName = IP:{address}\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n"
        );
        files::write(&ext, text.as_bytes(), Owner::Root, 0o644)?;
        let mut sign = command("openssl", ["x509", "-req", "-days", DAYS, "-in"]);
        sign.arg(&csr).arg("-CA").arg(self.cert());
        sign.arg("-CAkey")
            .arg(self.dir.join("ca.key"))
            .arg("-CAcreateserial");
        sign.arg("-out").arg(&issued.cert).arg("-extfile").arg(&ext);
        run(&mut sign)?;
        Ok(issued)
    }
}

fn self_signed(key: &Path, cert: &Path, name: &str) -> Result<()> {
    let mut req = command("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes"]);
    req.args(["-days", DAYS, "-keyout"])
        .arg(key)
        .arg("-out")
        .arg(cert);
    req.args(["-subj", &format!("/CN={name}")]);
    run(&mut req)
}
