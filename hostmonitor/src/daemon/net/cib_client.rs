//! A kept, read-only connection to the CIB manager (`cib_ro`), signed on once: the reconcile's
//! version read without a `cibadmin` process each time. Blocking, like [`Connection`].

use std::time::Duration;

use super::cluster_users::Allowed;
use super::libqb::{Connection, IpcError};
use crate::pacemaker_ipc::cib_messages::{self, ReplyError};

/// How long the connection and each request may wait for the CIB manager (a version read that
/// takes seconds means it is in trouble; the reconcile falls back to cibadmin meanwhile).
const TIMEOUT: Duration = Duration::from_secs(5);

/// Why the CIB manager could not be asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CibClientError {
    /// The connection failed.
    #[error(transparent)]
    Ipc(#[from] IpcError),
    /// The CIB manager's answer was not the one asked for.
    #[error("the CIB manager's reply: {0}")]
    Reply(#[from] ReplyError),
}

/// A signed-on client of the CIB manager.
pub struct CibClient {
    connection: Connection,
    token: String,
    last_call: u32,
}

impl CibClient {
    /// Connects to the local CIB manager and signs on.
    pub fn connect(allowed: Allowed) -> Result<Self, CibClientError> {
        let mut connection = Connection::connect(cib_messages::SERVER, allowed, TIMEOUT)?;
        let reply = connection.request(&cib_messages::register(), TIMEOUT)?;
        let token = cib_messages::client_id(&reply)?;
        Ok(Self {
            connection,
            token,
            last_call: 0,
        })
    }

    /// The CIB's version: the `<cib>` start tag.
    pub fn version(&mut self) -> Result<String, CibClientError> {
        self.last_call = self.last_call.checked_add(1).unwrap_or(1);
        let call = self.last_call;
        let query = cib_messages::query_version(call, &self.token);
        let reply = self.connection.request(&query, TIMEOUT)?;
        Ok(cib_messages::version(&reply, call)?)
    }
}
