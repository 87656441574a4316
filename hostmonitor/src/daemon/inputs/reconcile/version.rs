//! The CIB's version for the periodic reconcile: asked over a kept connection to the CIB manager
//! (a fraction of a millisecond), and by `cibadmin` (about 10 ms of CPU, most of it the tool's
//! start) only while that connection cannot be made. Either gives the `<cib>` start tag; the two
//! are written differently, so a switch between them costs one full read, nothing more.

use tokio::process::Command;

use crate::daemon::net::cib_client::{CibClient, CibClientError};
use crate::daemon::net::cluster_users::Allowed;
use crate::daemon::net::process::{ProcessError, output};

/// The `<cib>` element alone: its attributes are the CIB's version.
const CIB_VERSION: &str = "/cib";

/// Where the version comes from.
pub struct VersionSource {
    allowed: Allowed,
    client: Option<CibClient>,
    /// Whether the last read went through the connection (to warn once per fall-back).
    connected: bool,
}

impl VersionSource {
    /// A source that connects at its first read.
    pub fn new(allowed: Allowed) -> Self {
        Self {
            allowed,
            client: None,
            connected: true,
        }
    }

    /// The `<cib>` start tag now.
    pub async fn read(&mut self) -> Result<String, ProcessError> {
        let client = self.client.take();
        let allowed = self.allowed;
        let asked = tokio::task::spawn_blocking(move || ask(client, allowed)).await;
        match asked {
            Ok(Ok((client, version, new))) => {
                if new {
                    tracing::info!(
                        "connected to the CIB manager: the version is read over its IPC"
                    );
                }
                self.connected = true;
                self.client = Some(client);
                return Ok(version);
            }
            Ok(Err(error)) => self.fell_back(&error),
            Err(error) => self.fell_back(&error),
        }
        cibadmin().await
    }

    fn fell_back(&mut self, error: &dyn std::fmt::Display) {
        if self.connected {
            tracing::warn!(%error, "cannot read the CIB's version from the CIB manager; using cibadmin");
        } else {
            tracing::debug!(%error, "the CIB manager still cannot be asked; using cibadmin");
        }
        self.connected = false;
    }
}

fn ask(
    client: Option<CibClient>,
    allowed: Allowed,
) -> Result<(CibClient, String, bool), CibClientError> {
    let new = client.is_none();
    let mut client = match client {
        Some(client) => client,
        None => CibClient::connect(allowed)?,
    };
    let version = client.query_element(CIB_VERSION)?;
    Ok((client, version, new))
}

/// The `<cib>` element without its children, from `cibadmin`.
async fn cibadmin() -> Result<String, ProcessError> {
    let mut query = Command::new("cibadmin");
    query.args(["--query", "--no-children", "--xpath", CIB_VERSION]);
    Ok(output(&mut query).await?.trim().to_owned())
}
