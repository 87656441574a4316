//! Why a connection to libvirt ended, and whose fault it was.

use std::time::Duration;

use thiserror::Error;

use crate::rpc::message::FrameError;
use crate::rpc::procedure::Procedure;
use crate::rpc::remote_error::RemoteError;
use crate::rpc::xdr::XdrError;

/// A connection failure; after any of these the connection is closed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The byte stream is not libvirt RPC.
    #[error("libvirt sent bytes that are not an RPC message: {0}")]
    Frame(#[from] FrameError),
    /// A reply or event did not decode.
    #[error("libvirt's {what} did not decode: {source}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// Why.
        source: XdrError,
    },
    /// The daemon refused a call.
    #[error("{} failed: {error}", .procedure.name())]
    Remote {
        /// The call.
        procedure: Procedure,
        /// The daemon's error.
        error: RemoteError,
    },
    /// A reply to a call we did not make (or not now).
    #[error("libvirt replied to serial {got} (procedure {procedure}) while awaiting {expected:?}")]
    UnexpectedReply {
        /// The reply's serial.
        got: u32,
        /// Its procedure.
        procedure: i32,
        /// The serial awaited, if any.
        expected: Option<u32>,
    },
    /// A program, version or message type we do not speak.
    #[error(
        "libvirt sent program {program:#x} version {version} type {kind}: this monitor speaks the remote and keepalive programs, version 1"
    )]
    Incompatible {
        /// Program number.
        program: u32,
        /// Program version.
        version: u32,
        /// Message type.
        kind: u32,
    },
    /// The socket asks for authentication we cannot do.
    #[error(
        "libvirt offers authentication types {offered:?} on this socket; this monitor does none (0) and polkit (2): use the read-only socket with auth_unix_ro = \"none\" or \"polkit\""
    )]
    AuthUnsupported {
        /// What the daemon offered.
        offered: Vec<i32>,
    },
    /// polkit answered without completing.
    #[error("polkit authentication did not complete (is polkitd running?)")]
    PolkitIncomplete,
    /// Nothing heard from the daemon.
    #[error("nothing heard from libvirt for {silent:?} ({unanswered} keepalive pings unanswered)")]
    KeepaliveTimeout {
        /// Pings sent without an answer.
        unanswered: u32,
        /// How long it has been silent.
        silent: Duration,
    },
    /// Bytes or a call after the connection ended.
    #[error("the libvirt connection is already closed")]
    Closed,
}
