//! The message header and the framing around it (`virnetprotocol.x`).
//!
//! On the wire each message is a 4-byte big-endian length (counting itself), the
//! 24-byte header (program, version, procedure, type, serial, status), then the
//! payload whose shape the program, procedure, type and status decide.

use thiserror::Error;

use super::xdr::{Reader, Xdr, XdrError, put_i32, put_u32};

/// Largest message, header included, length word excluded (`VIR_NET_MESSAGE_MAX`: 32 MiB
/// in current libvirt, 16 MiB in older daemons, which never send more). Checked as
/// `virNetMessageDecodeLength` does, as soon as the length word is in.
pub const MESSAGE_MAX: u32 = 32 * 1024 * 1024;
/// The length word.
pub const LEN_SIZE: u32 = 4;
/// The serialised header (`VIR_NET_MESSAGE_HEADER_MAX`).
pub const HEADER_SIZE: u32 = 24;

/// An RPC program number: which protocol a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Program(pub u32);

impl Program {
    /// The remote driver's program (`REMOTE_PROGRAM`).
    pub const REMOTE: Self = Self(0x2000_8086);
    /// The keepalive program (`KEEPALIVE_PROGRAM`, "keep" in ASCII).
    pub const KEEPALIVE: Self = Self(0x6b65_6570);
}

/// The message type (`virNetMessageType`); unknown values survive decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageType(pub u32);

impl MessageType {
    /// Client to server: a call.
    pub const CALL: Self = Self(0);
    /// Server to client: the reply to a call.
    pub const REPLY: Self = Self(1);
    /// Either direction: an asynchronous message (events, keepalive).
    pub const MESSAGE: Self = Self(2);
    /// Either direction: stream data.
    pub const STREAM: Self = Self(3);
}

/// The message status (`virNetMessageStatus`); unknown values survive decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub u32);

impl Status {
    /// Success (always, for calls and messages).
    pub const OK: Self = Self(0);
    /// The call failed: a remote error follows.
    pub const ERROR: Self = Self(1);
    /// Stream data follows.
    pub const CONTINUE: Self = Self(2);
}

/// The fixed header of every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Which program.
    pub program: Program,
    /// The program's version (1 for both programs we speak).
    pub version: u32,
    /// The procedure within the program.
    pub procedure: i32,
    /// Call, reply, message, stream.
    pub kind: MessageType,
    /// Matches a reply to its call; 0 for messages.
    pub serial: u32,
    /// OK, error, continue.
    pub status: Status,
}

impl Xdr for Header {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, self.program.0);
        put_u32(out, self.version);
        put_i32(out, self.procedure);
        put_u32(out, self.kind.0);
        put_u32(out, self.serial);
        put_u32(out, self.status.0);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        Ok(Self {
            program: Program(reader.u32()?),
            version: reader.u32()?,
            procedure: reader.i32()?,
            kind: MessageType(reader.u32()?),
            serial: reader.u32()?,
            status: Status(reader.u32()?),
        })
    }
}

/// One whole message: header and the payload bytes, not yet decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The header.
    pub header: Header,
    /// The payload, decoded by whoever knows the procedure.
    pub payload: Vec<u8>,
}

impl Message {
    /// The message as it goes on the wire, length word first.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = vec![0; LEN_SIZE as usize];
        self.header.encode(&mut out);
        out.extend_from_slice(&self.payload);
        let len = u32::try_from(out.len()).unwrap_or(u32::MAX);
        out.splice(..LEN_SIZE as usize, len.to_be_bytes());
        out
    }

    /// Decodes one message from its bytes after the length word.
    pub fn from_body(body: &[u8]) -> Result<Self, FrameError> {
        let mut reader = Reader::new(body);
        let header = Header::decode(&mut reader).map_err(FrameError::Header)?;
        let payload = reader
            .take(reader.remaining())
            .map_err(FrameError::Header)?;
        Ok(Self {
            header,
            payload: payload.to_vec(),
        })
    }
}

/// Why the byte stream could not be cut into messages.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A length word smaller than a header or larger than the protocol allows.
    #[error("message length {len} outside {min}..={max} (not a libvirt RPC peer?)")]
    BadLength {
        /// The length word.
        len: u32,
        /// Smallest valid length.
        min: u32,
        /// Largest valid length.
        max: u32,
    },
    /// The header did not decode.
    #[error("message header: {0}")]
    Header(XdrError),
}

/// Accumulates received bytes and cuts them into whole messages.
#[derive(Debug, Default)]
pub struct Framer {
    buffer: Vec<u8>,
}

impl Framer {
    /// Appends bytes as they arrived from the socket.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, if all its bytes are here.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        let Some(word) = self.buffer.first_chunk::<4>() else {
            return Ok(None);
        };
        let len = u32::from_be_bytes(*word);
        let (min, max) = (LEN_SIZE + HEADER_SIZE, LEN_SIZE + MESSAGE_MAX);
        if !(min..=max).contains(&len) {
            return Err(FrameError::BadLength { len, min, max });
        }
        let Some(body) = self.buffer.get(LEN_SIZE as usize..len as usize) else {
            return Ok(None);
        };
        let message = Message::from_body(body)?;
        self.buffer.drain(..len as usize);
        Ok(Some(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping() -> Message {
        Message {
            header: Header {
                program: Program::KEEPALIVE,
                version: 1,
                procedure: 1,
                kind: MessageType::MESSAGE,
                serial: 0,
                status: Status::OK,
            },
            payload: Vec::new(),
        }
    }

    #[test]
    fn a_message_round_trips_through_the_framer_byte_by_byte() {
        let wire = ping().to_wire();
        assert_eq!(wire.get(..4), Some(&[0, 0, 0, 28][..]));
        let mut framer = Framer::default();
        for byte in &wire {
            assert_eq!(framer.next_message(), Ok(None));
            framer.push(std::slice::from_ref(byte));
        }
        assert_eq!(framer.next_message(), Ok(Some(ping())));
        assert_eq!(framer.next_message(), Ok(None));
    }

    #[test]
    fn two_messages_in_one_read_are_both_found() {
        let mut framer = Framer::default();
        let mut wire = ping().to_wire();
        wire.extend(ping().to_wire());
        framer.push(&wire);
        assert_eq!(framer.next_message(), Ok(Some(ping())));
        assert_eq!(framer.next_message(), Ok(Some(ping())));
    }

    #[test]
    fn lengths_outside_the_protocol_are_refused() {
        for len in [0u32, 27, LEN_SIZE + MESSAGE_MAX + 1, u32::MAX] {
            let mut framer = Framer::default();
            framer.push(&len.to_be_bytes());
            assert!(
                matches!(framer.next_message(), Err(FrameError::BadLength { .. })),
                "{len}"
            );
        }
    }
}
