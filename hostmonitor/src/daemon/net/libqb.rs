//! A libqb IPC client connection to a Pacemaker daemon (the I/O edge of [`crate::pacemaker_ipc`]):
//! libqb's own client (`qb_ipcc_*`, the library corosync's libraries already load), because the
//! daemons serve their IPC over libqb's shared-memory ring buffers. Blocking: callers run it off
//! the async threads.
//!
//! As Pacemaker's own clients do (`crm_ipc_connect`), the server is trusted only when it runs as
//! root or hacluster: anyone may bind an abstract socket name first.

use std::ffi::{CString, c_char, c_void};
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use nix::libc;

use super::cluster_users::Allowed;
use crate::pacemaker_ipc::header::{self, CLIENT_RESPONSE, FrameError};

/// The buffer asked for at connect (Pacemaker's default `PCMK_ipc_buffer`); the server may grant
/// more, and the receive buffer follows what it grants.
const BUFFER: usize = 128 * 1024;

#[repr(C)]
struct QbIpccConnection {
    _opaque: [u8; 0],
}

#[link(name = "qb")]
unsafe extern "C" {
    fn qb_ipcc_connect(name: *const c_char, max_msg_size: usize) -> *mut QbIpccConnection;
    fn qb_ipcc_disconnect(c: *mut QbIpccConnection);
    fn qb_ipcc_auth_get(
        c: *mut QbIpccConnection,
        pid: *mut libc::pid_t,
        uid: *mut libc::uid_t,
        gid: *mut libc::gid_t,
    ) -> i32;
    fn qb_ipcc_get_buffer_size(c: *mut QbIpccConnection) -> i32;
    fn qb_ipcc_send(c: *mut QbIpccConnection, msg: *const c_void, len: usize) -> isize;
    fn qb_ipcc_recv(
        c: *mut QbIpccConnection,
        msg: *mut c_void,
        len: usize,
        timeout_ms: i32,
    ) -> isize;
}

/// Why a request over IPC failed. The connection is unusable after any of them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IpcError {
    /// No server answered (not running, or not in this namespace).
    #[error("cannot connect to Pacemaker's {server} IPC: {source}")]
    Connect {
        /// The IPC server's name.
        server: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// The server runs as someone who is not the cluster.
    #[error(
        "Pacemaker's {server} IPC is served by uid {uid}, neither root nor hacluster: not trusted"
    )]
    NotTheCluster {
        /// The IPC server's name.
        server: &'static str,
        /// The serving process's uid.
        uid: u32,
    },
    /// Sending or receiving failed (the server went away, or the wait ran out).
    #[error("Pacemaker's {server} IPC: {source}")]
    Transfer {
        /// The IPC server's name.
        server: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// A message could not be framed or read.
    #[error("Pacemaker's {server} IPC: {source}")]
    Frame {
        /// The IPC server's name.
        server: &'static str,
        /// What is wrong with it.
        source: FrameError,
    },
}

/// One connection; requests are answered in order.
pub struct Connection {
    raw: NonNull<QbIpccConnection>,
    server: &'static str,
    buffer: Vec<u8>,
    last_id: i32,
}

// SAFETY: a libqb client connection has no thread affinity; `&mut self` on every use keeps it to
// one thread at a time.
unsafe impl Send for Connection {}

impl Connection {
    /// Connects to the IPC server `server` (`cib_ro`, say) and checks who runs it.
    pub fn connect(server: &'static str, allowed: Allowed) -> Result<Self, IpcError> {
        let name = CString::new(server).map_err(|e| IpcError::Connect {
            server,
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
        })?;
        // SAFETY: `name` is a NUL-terminated string that outlives the call.
        let raw = unsafe { qb_ipcc_connect(name.as_ptr(), BUFFER) };
        let raw = NonNull::new(raw).ok_or_else(|| IpcError::Connect {
            server,
            source: std::io::Error::last_os_error(),
        })?;
        // From here on, dropping `connection` disconnects.
        let mut connection = Self {
            raw,
            server,
            buffer: Vec::new(),
            last_id: 0,
        };
        let uid = connection.server_uid()?;
        if !allowed.permits(uid) {
            return Err(IpcError::NotTheCluster { server, uid });
        }
        // SAFETY: `raw` is a live connection.
        let granted = unsafe { qb_ipcc_get_buffer_size(raw.as_ptr()) };
        let size = usize::try_from(granted).unwrap_or(0).max(BUFFER);
        connection.buffer = vec![0; size];
        Ok(connection)
    }

    fn server_uid(&mut self) -> Result<u32, IpcError> {
        let (mut pid, mut uid, mut gid) = (0, 0, 0);
        // SAFETY: `raw` is a live connection; the three out-pointers are valid locals.
        let rc = unsafe { qb_ipcc_auth_get(self.raw.as_ptr(), &mut pid, &mut uid, &mut gid) };
        if rc < 0 {
            return Err(self.transfer(rc as isize));
        }
        Ok(uid)
    }

    /// Sends `xml` as a request that wants a reply and returns the reply's text, waiting at most
    /// `timeout` for it.
    pub fn request(&mut self, xml: &str, timeout: Duration) -> Result<String, IpcError> {
        let server = self.server;
        self.last_id = self.last_id.checked_add(1).unwrap_or(1);
        let id = self.last_id;
        let bytes = header::encode(id, CLIENT_RESPONSE, xml)
            .map_err(|source| IpcError::Frame { server, source })?;
        // SAFETY: `raw` is live; `bytes` is valid for its length during the call.
        let sent = unsafe { qb_ipcc_send(self.raw.as_ptr(), bytes.as_ptr().cast(), bytes.len()) };
        if sent < 0 {
            return Err(self.transfer(sent));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let left_ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX).max(1);
            // SAFETY: `raw` is live; `buffer` is writable for its length during the call.
            let received = unsafe {
                qb_ipcc_recv(
                    self.raw.as_ptr(),
                    self.buffer.as_mut_ptr().cast(),
                    self.buffer.len(),
                    left_ms,
                )
            };
            if received < 0 {
                return Err(self.transfer(received));
            }
            let length = usize::try_from(received).unwrap_or(0);
            let message = self.buffer.get(..length).unwrap_or_default();
            let frame =
                header::decode(message).map_err(|source| IpcError::Frame { server, source })?;
            // A reply to an earlier request that timed out comes first; Pacemaker's client skips
            // it the same way.
            if frame.id == id {
                return Ok(frame.text.to_owned());
            }
        }
    }

    /// libqb returns a negative errno.
    fn transfer(&self, rc: isize) -> IpcError {
        let errno = i32::try_from(-rc).unwrap_or(libc::EIO);
        IpcError::Transfer {
            server: self.server,
            source: std::io::Error::from_raw_os_error(errno),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `qb_ipcc_connect` and is disconnected only here.
        unsafe { qb_ipcc_disconnect(self.raw.as_ptr()) };
    }
}
