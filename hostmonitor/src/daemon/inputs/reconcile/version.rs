//! The CIB's version for the periodic reconcile: asked over a kept connection to the CIB manager
//! (a fraction of a millisecond), and by `cibadmin` (about 10 ms of CPU, most of it the tool's
//! start) only while that connection cannot be made. Both give the `<cib>` start tag as the CIB
//! manager writes it.
//!
//! A new connection may be to a restarted CIB manager, whose status section was rebuilt and could
//! show a version seen before: a read over a new connection says so, and the reconcile then reads
//! in full whatever the version.

use std::sync::Arc;
use std::time::Duration;

use tokio::process::Command;
use tokio::task::JoinHandle;

use crate::daemon::health::Health;
use crate::daemon::net::cib_client::{CibClient, CibClientError};
use crate::daemon::net::cluster_users::Allowed;
use crate::daemon::net::process::{ProcessError, output};

/// How long a read waits for the connection before it asks `cibadmin` instead. The connection's
/// own waits are bounded too (5 s each); an attempt that overruns this is awaited by the next read,
/// never doubled.
const LIMIT: Duration = Duration::from_secs(10);

/// A version read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The `<cib>` start tag.
    pub tag: String,
    /// Whether it came over a connection made for this read (see the module docs).
    pub new_connection: bool,
}

type Attempt = Result<(CibClient, String, bool), CibClientError>;

/// Where the version comes from; the daemon's health says which (`cib_ipc`).
pub struct VersionSource {
    allowed: Allowed,
    health: Arc<Health>,
    client: Option<CibClient>,
    /// An attempt that overran [`LIMIT`].
    outstanding: Option<JoinHandle<Attempt>>,
}

impl VersionSource {
    /// A source that connects at its first read.
    pub fn new(allowed: Allowed, health: Arc<Health>) -> Self {
        Self {
            allowed,
            health,
            client: None,
            outstanding: None,
        }
    }

    /// The version now.
    pub async fn read(&mut self) -> Result<Version, ProcessError> {
        let mut attempt = match self.outstanding.take() {
            Some(attempt) => attempt,
            None => {
                let client = self.client.take();
                let allowed = self.allowed;
                tokio::task::spawn_blocking(move || ask(client, allowed))
            }
        };
        match tokio::time::timeout(LIMIT, &mut attempt).await {
            Ok(Ok(Ok((client, tag, new_connection)))) => {
                if new_connection {
                    tracing::info!(
                        "connected to the CIB manager: the version is read over its IPC"
                    );
                }
                self.health.update(|h| h.cib_ipc = Some(true));
                self.client = Some(client);
                return Ok(Version {
                    tag,
                    new_connection,
                });
            }
            Ok(Ok(Err(error))) => self.fell_back(&error),
            Ok(Err(error)) => self.fell_back(&error),
            Err(_) => {
                self.outstanding = Some(attempt);
                self.fell_back(&format!("no answer within {LIMIT:?}"));
            }
        }
        Ok(Version {
            tag: cibadmin().await?,
            new_connection: false,
        })
    }

    /// Warns on the first fall-back after reads over the connection (or before any read).
    fn fell_back(&self, error: &dyn std::fmt::Display) {
        if self.health.view().cib_ipc != Some(false) {
            tracing::warn!(%error, "cannot read the CIB's version from the CIB manager; using cibadmin");
        } else {
            tracing::debug!(%error, "the CIB manager still cannot be asked; using cibadmin");
        }
        self.health.update(|h| h.cib_ipc = Some(false));
    }
}

fn ask(client: Option<CibClient>, allowed: Allowed) -> Attempt {
    let new_connection = client.is_none();
    let mut client = match client {
        Some(client) => client,
        None => CibClient::connect(allowed)?,
    };
    let version = client.version()?;
    Ok((client, version, new_connection))
}

/// The `<cib>` element without its children, from `cibadmin`.
async fn cibadmin() -> Result<String, ProcessError> {
    let mut query = Command::new("cibadmin");
    query.args(["--query", "--no-children", "--xpath", "/cib"]);
    Ok(output(&mut query).await?.trim().to_owned())
}
