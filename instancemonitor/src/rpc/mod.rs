//! libvirt's RPC protocol, as much of it as the monitor needs; no I/O here.
//!
//! | file | protocol source | what |
//! |---|---|---|
//! | [`xdr`] | RFC 4506 | the codec: one trait, length limits, no trailing bytes |
//! | [`message`] | `virnetprotocol.x` | length word, header, framing, `VIR_NET_MESSAGE_MAX` |
//! | [`remote_error`] | `virnetprotocol.x` | `remote_error`, the failed call's reason |
//! | [`procedure`] | `remote_protocol.x` | the procedure numbers of our calls and events |
//! | [`calls`] | `remote_protocol.x` | the bodies of the calls we make |
//! | [`events`] | `remote_protocol.x` | the domain event messages we register for |
//! | [`domain`] | `remote_protocol.x` | `remote_nonnull_domain` and its UUID |
//! | [`keepalive`] | `virkeepaliveprotocol.x` | `PING`/`PONG` and the timer |

pub mod calls;
pub mod domain;
pub mod events;
pub mod keepalive;
pub mod message;
pub mod procedure;
pub mod remote_error;
#[cfg(test)]
mod vectors;
pub mod xdr;
