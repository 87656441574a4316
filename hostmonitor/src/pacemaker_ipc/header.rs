//! Pacemaker's IPC framing, without I/O: every message on a libqb connection to a Pacemaker daemon
//! is a `pcmk__ipc_header_t` (libqb's response header, then Pacemaker's sizes, flags and version)
//! followed by the XML text and a NUL. Layout as Pacemaker 2.1 builds it
//! (`lib/common/crmcommon_private.h`, `pcmk__ipc_prepare_iov`): libqb aligns each of its three
//! `int32_t` fields to 8 bytes, so the header is 40 bytes. Both ends run on the same host, so the
//! integers are in its byte order.

/// Bytes before the text.
pub const HEADER_LEN: usize = 40;
/// `crm_ipc_client_response`: the sender waits for a reply.
pub const CLIENT_RESPONSE: u32 = 0x0000_0200;
/// `crm_ipc_compressed`: the text is bzip2-compressed.
const COMPRESSED: u32 = 0x0000_0001;
/// The only version Pacemaker 2.1 and 3.0 write (`PCMK__IPC_VERSION`).
const VERSION: u8 = 1;

const ID_AT: usize = 0;
const SIZE_UNCOMPRESSED_AT: usize = 24;
const SIZE_COMPRESSED_AT: usize = 28;
const FLAGS_AT: usize = 32;
const VERSION_AT: usize = 36;

/// Why bytes received are not a message this client can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer bytes than a header.
    #[error("{0} bytes, shorter than the {HEADER_LEN}-byte header")]
    Short(usize),
    /// A newer framing than Pacemaker's version 1.
    #[error("IPC version {0} (only 1 is known)")]
    Version(u8),
    /// The header's sizes do not fit the bytes received.
    #[error("the header claims {claimed} bytes of text in a {received}-byte message")]
    Size {
        /// Text bytes (with the NUL) the header claims.
        claimed: u32,
        /// Bytes received.
        received: usize,
    },
    /// Compressed text (only replies larger than the IPC buffer are; this client asks for small ones).
    #[error("a compressed message ({0} bytes)")]
    Compressed(u32),
    /// The text does not end with its NUL, or is not UTF-8.
    #[error("the text is not a NUL-terminated UTF-8 string")]
    Text,
    /// A request too large for a 32-bit size.
    #[error("a {0}-byte request is too large")]
    TooLarge(usize),
}

/// A message as received: its request id (a reply carries its request's) and its XML text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The id of the request this answers.
    pub id: i32,
    /// The XML text, without its NUL.
    pub text: &'a str,
}

/// The bytes of request `id` carrying `xml` with `flags`.
pub fn encode(id: i32, flags: u32, xml: &str) -> Result<Vec<u8>, FrameError> {
    let text_len = xml.len() + 1;
    let total = HEADER_LEN + text_len;
    let too_large = || FrameError::TooLarge(total);
    let size = i32::try_from(total).map_err(|_| too_large())?;
    let size_uncompressed = u32::try_from(text_len).map_err(|_| too_large())?;
    let padding = [0u8; 4];
    let mut bytes = Vec::with_capacity(total);
    bytes.extend_from_slice(&id.to_ne_bytes());
    bytes.extend_from_slice(&padding);
    bytes.extend_from_slice(&size.to_ne_bytes());
    bytes.extend_from_slice(&padding);
    bytes.extend_from_slice(&0i32.to_ne_bytes());
    bytes.extend_from_slice(&padding);
    bytes.extend_from_slice(&size_uncompressed.to_ne_bytes());
    bytes.extend_from_slice(&0u32.to_ne_bytes());
    bytes.extend_from_slice(&flags.to_ne_bytes());
    bytes.extend_from_slice(&[VERSION, 0, 0, 0]);
    bytes.extend_from_slice(xml.as_bytes());
    bytes.push(0);
    Ok(bytes)
}

/// The message in `bytes` (exactly what one receive returned).
pub fn decode(bytes: &[u8]) -> Result<Frame<'_>, FrameError> {
    let (header, rest) = bytes
        .split_first_chunk::<HEADER_LEN>()
        .ok_or(FrameError::Short(bytes.len()))?;
    let version = header[VERSION_AT];
    if version > VERSION {
        return Err(FrameError::Version(version));
    }
    let flags = u32::from_ne_bytes(field(header, FLAGS_AT)?);
    let size_compressed = u32::from_ne_bytes(field(header, SIZE_COMPRESSED_AT)?);
    if flags & COMPRESSED != 0 || size_compressed != 0 {
        return Err(FrameError::Compressed(size_compressed));
    }
    let claimed = u32::from_ne_bytes(field(header, SIZE_UNCOMPRESSED_AT)?);
    let text = usize::try_from(claimed)
        .ok()
        .and_then(|len| rest.get(..len))
        .ok_or(FrameError::Size {
            claimed,
            received: bytes.len(),
        })?;
    let (nul, text) = text.split_last().ok_or(FrameError::Text)?;
    if *nul != 0 {
        return Err(FrameError::Text);
    }
    let text = std::str::from_utf8(text).map_err(|_| FrameError::Text)?;
    let id = i32::from_ne_bytes(field(header, ID_AT)?);
    Ok(Frame { id, text })
}

/// The four bytes of the header at `at`.
fn field(header: &[u8; HEADER_LEN], at: usize) -> Result<[u8; 4], FrameError> {
    header
        .get(at..)
        .and_then(|rest| rest.first_chunk::<4>())
        .copied()
        .ok_or(FrameError::Short(HEADER_LEN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_decodes_to_its_id_and_text() {
        let bytes = encode(7, CLIENT_RESPONSE, "<cib_command/>").unwrap();
        assert_eq!(bytes.len(), HEADER_LEN + 15);
        assert_eq!(
            decode(&bytes).unwrap(),
            Frame {
                id: 7,
                text: "<cib_command/>"
            }
        );
    }

    #[test]
    fn the_header_is_laid_out_as_pacemaker_2_1_reads_it() {
        let bytes = encode(3, CLIENT_RESPONSE, "<a/>").unwrap();
        let i32_at = |at: usize| i32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap());
        assert_eq!(i32_at(0), 3, "qb.id");
        assert_eq!(
            i32_at(8),
            45,
            "qb.size: the header and the text with its NUL"
        );
        assert_eq!(i32_at(16), 0, "qb.error");
        assert_eq!(i32_at(24), 5, "size_uncompressed");
        assert_eq!(i32_at(28), 0, "size_compressed");
        assert_eq!(i32_at(32), 0x200, "flags: crm_ipc_client_response");
        assert_eq!(bytes[36], 1, "version");
        assert_eq!(bytes.last(), Some(&0));
    }

    #[test]
    fn malformed_messages_are_refused_with_their_reason() {
        let good = encode(1, 0, "<x/>").unwrap();
        assert_eq!(decode(&good[..10]), Err(FrameError::Short(10)));

        let mut newer = good.clone();
        newer[VERSION_AT] = 2;
        assert_eq!(decode(&newer), Err(FrameError::Version(2)));

        let mut compressed = good.clone();
        compressed[FLAGS_AT] = 1;
        assert!(matches!(
            decode(&compressed),
            Err(FrameError::Compressed(_))
        ));

        let mut long = good.clone();
        long[SIZE_UNCOMPRESSED_AT..SIZE_UNCOMPRESSED_AT + 4]
            .copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(matches!(decode(&long), Err(FrameError::Size { .. })));

        let mut no_nul = good.clone();
        *no_nul.last_mut().unwrap() = b'>';
        assert_eq!(decode(&no_nul), Err(FrameError::Text));

        let mut empty = good;
        empty[SIZE_UNCOMPRESSED_AT..SIZE_UNCOMPRESSED_AT + 4].copy_from_slice(&0u32.to_ne_bytes());
        assert_eq!(decode(&empty), Err(FrameError::Text));
    }

    #[test]
    fn bytes_after_the_text_are_ignored() {
        let mut bytes = encode(2, 0, "<y/>").unwrap();
        bytes.extend_from_slice(&[0xff; 8]);
        assert_eq!(decode(&bytes).unwrap().text, "<y/>");
    }
}
