//! A libqb IPC client connection to a Pacemaker daemon (the I/O edge of [`crate::pacemaker_ipc`]):
//! libqb's own client (`qb_ipcc_*`, the library corosync's libraries already load), because the
//! daemons serve their IPC over libqb's shared-memory ring buffers. Blocking, but every wait is
//! bounded (libqb's own connect waits for the server without a limit, so the connection is made in
//! its two asynchronous steps around a bounded `poll`); callers run it off the async threads.
//!
//! As Pacemaker's own clients check (`crm_ipc_connect`), the server must run as the cluster:
//! anyone may bind an abstract socket name first. Pacemaker also accepts the haclient group; this
//! client accepts root and hacluster only, before it sends anything.

use std::ffi::{CString, c_char, c_void};
use std::ptr::NonNull;
use std::time::Duration;

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
    fn qb_ipcc_connect_async(
        name: *const c_char,
        max_msg_size: usize,
        connect_fd: *mut libc::c_int,
    ) -> *mut QbIpccConnection;
    fn qb_ipcc_connect_continue(c: *mut QbIpccConnection) -> libc::c_int;
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
    /// The server did not answer the connection within the time allowed.
    #[error("Pacemaker's {server} IPC did not answer the connection within {limit:?}")]
    ConnectTimedOut {
        /// The IPC server's name.
        server: &'static str,
        /// The time allowed.
        limit: Duration,
    },
    /// A reply answered another request.
    #[error("Pacemaker's {server} IPC answered request {got}, not {wanted}")]
    OtherReply {
        /// The IPC server's name.
        server: &'static str,
        /// The request sent.
        wanted: i32,
        /// The request answered.
        got: i32,
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
    /// Connects to the IPC server `server` (`cib_ro`, say), waiting at most `timeout` for it, and
    /// checks who runs it.
    pub fn connect(
        server: &'static str,
        allowed: Allowed,
        timeout: Duration,
    ) -> Result<Self, IpcError> {
        let raw = connect_within(server, timeout)?;
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
            return Err(self.transfer(isize::try_from(rc).unwrap_or(-1)));
        }
        Ok(uid)
    }

    /// Sends `xml` as a request that wants a reply and returns the reply's text, waiting about
    /// `timeout` for it (libqb may wait once more after a spurious wake-up).
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
        let timeout_ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: `raw` is live; `buffer` is writable for its length during the call.
        let received = unsafe {
            qb_ipcc_recv(
                self.raw.as_ptr(),
                self.buffer.as_mut_ptr().cast(),
                self.buffer.len(),
                timeout_ms,
            )
        };
        if received < 0 {
            return Err(self.transfer(received));
        }
        let length = usize::try_from(received).unwrap_or(0);
        let message = self.buffer.get(..length).unwrap_or_default();
        let frame = header::decode(message).map_err(|source| IpcError::Frame { server, source })?;
        // Any error drops the connection, so no earlier request's reply can still be on its way.
        if frame.id != id {
            return Err(IpcError::OtherReply {
                server,
                wanted: id,
                got: frame.id,
            });
        }
        Ok(frame.text.to_owned())
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

/// libqb's connect in its two steps: the request (which returns once sent), a bounded wait for
/// the server's answer on the setup socket, then the rest of the handshake.
fn connect_within(
    server: &'static str,
    timeout: Duration,
) -> Result<NonNull<QbIpccConnection>, IpcError> {
    let os_error = |source| IpcError::Connect { server, source };
    let name = CString::new(server)
        .map_err(|e| os_error(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))?;
    let mut setup_fd: libc::c_int = -1;
    // SAFETY: `name` is a NUL-terminated string that outlives the call; `setup_fd` is a valid
    // out-pointer.
    let raw = unsafe { qb_ipcc_connect_async(name.as_ptr(), BUFFER, &mut setup_fd) };
    let raw = NonNull::new(raw).ok_or_else(|| os_error(std::io::Error::last_os_error()))?;
    let mut ready = libc::pollfd {
        fd: setup_fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let limit = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: one valid pollfd.
    let polled = unsafe { libc::poll(&mut ready, 1, limit) };
    if polled <= 0 {
        let source = std::io::Error::last_os_error();
        // SAFETY: before `qb_ipcc_connect_continue`, libqb's disconnect frees the connection but
        // does not close the setup socket (the handshake's end sets the close function), so it is
        // closed here, once, after.
        unsafe {
            qb_ipcc_disconnect(raw.as_ptr());
            libc::close(setup_fd);
        }
        return Err(if polled == 0 {
            IpcError::ConnectTimedOut {
                server,
                limit: timeout,
            }
        } else {
            os_error(source)
        });
    }
    // SAFETY: `raw` came from `qb_ipcc_connect_async` and its setup socket is readable. On failure
    // libqb has freed the connection itself.
    let rc = unsafe { qb_ipcc_connect_continue(raw.as_ptr()) };
    if rc != 0 {
        let errno = rc.checked_neg().unwrap_or(libc::EIO);
        return Err(os_error(std::io::Error::from_raw_os_error(errno)));
    }
    Ok(raw)
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: `raw` came from a completed connect and is disconnected only here.
        unsafe { qb_ipcc_disconnect(self.raw.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use std::os::linux::net::SocketAddrExt as _;
    use std::os::unix::net::{SocketAddr, UnixListener};

    use super::*;

    /// libqb's abstract name for `server`: the whole of `sun_path` after its leading NUL, padded.
    fn bind_as_libqb_server(server: &str) -> UnixListener {
        let mut name = server.as_bytes().to_vec();
        name.resize(107, 0);
        let address = SocketAddr::from_abstract_name(&name).unwrap();
        UnixListener::bind_addr(&address).unwrap()
    }

    #[test]
    fn a_server_that_never_answers_the_connection_is_given_up_on_in_time() {
        let server: &'static str =
            Box::leak(format!("masakari-test-silent-{}", std::process::id()).into_boxed_str());
        let _listener = bind_as_libqb_server(server);
        let allowed = Allowed { cluster_uid: None };
        let error = Connection::connect(server, allowed, Duration::from_millis(200))
            .err()
            .unwrap();
        assert!(matches!(error, IpcError::ConnectTimedOut { .. }), "{error}");
    }

    #[test]
    fn no_server_is_a_connect_error_at_once() {
        let allowed = Allowed { cluster_uid: None };
        let error = Connection::connect("masakari-test-absent", allowed, Duration::from_secs(5))
            .err()
            .unwrap();
        assert!(matches!(error, IpcError::Connect { .. }), "{error}");
        assert!(
            error.to_string().contains("masakari-test-absent"),
            "{error}"
        );
    }
}
