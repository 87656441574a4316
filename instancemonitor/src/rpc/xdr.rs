//! XDR (RFC 4506) as libvirt uses it: big-endian 4-byte units, padded opaques and strings,
//! optional values as a boolean discriminant, variable arrays with a declared maximum.
//!
//! One trait, [`Xdr`]: `encode` appends, `decode` reads from a [`Reader`], and [`Xdr::read`]
//! decodes a whole buffer and rejects trailing bytes. Every length read from the wire is
//! checked against the limit the `.x` file declares before anything is allocated.

use thiserror::Error;

/// Why bytes did not decode.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XdrError {
    /// The buffer ended before the value did.
    #[error("truncated: {needed} more bytes needed at offset {at}")]
    Truncated {
        /// Bytes missing.
        needed: usize,
        /// Offset where the read started.
        at: usize,
    },
    /// The value was complete but bytes were left over.
    #[error("{count} trailing bytes after the value")]
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// A length prefix above the protocol's limit.
    #[error("{what} of length {len} exceeds the protocol limit {max}")]
    TooLong {
        /// What was being read.
        what: &'static str,
        /// The length on the wire.
        len: u32,
        /// The limit from the protocol definition.
        max: u32,
    },
    /// An optional value's discriminant that is neither 0 nor 1.
    #[error("optional value with discriminant {0:#x} (only 0 and 1 exist)")]
    BadDiscriminant(u32),
}

/// A value with an XDR encoding.
pub trait Xdr: Sized {
    /// Appends the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Reads one value from `reader`, leaving the rest.
    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError>;

    /// Decodes exactly one value from `bytes`; trailing bytes are an error.
    fn read(bytes: &[u8]) -> Result<Self, XdrError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }

    /// The encoding of `self` in a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// A cursor over bytes received from the peer.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// Succeeds only when every byte was read.
    pub fn finish(&self) -> Result<(), XdrError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(XdrError::TrailingBytes { count }),
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], XdrError> {
        let start = self.at;
        let slice = start
            .checked_add(n)
            .and_then(|end| self.bytes.get(start..end))
            .ok_or(XdrError::Truncated {
                needed: n.saturating_sub(self.remaining()),
                at: start,
            })?;
        self.at += n;
        Ok(slice)
    }

    /// A big-endian unsigned 32-bit integer.
    pub fn u32(&mut self) -> Result<u32, XdrError> {
        let mut word = [0u8; 4];
        word.copy_from_slice(self.take(4)?);
        Ok(u32::from_be_bytes(word))
    }

    /// A big-endian signed 32-bit integer.
    pub fn i32(&mut self) -> Result<i32, XdrError> {
        self.u32().map(|v| v as i32)
    }

    /// A big-endian signed 64-bit integer (`hyper`).
    pub fn i64(&mut self) -> Result<i64, XdrError> {
        let mut word = [0u8; 8];
        word.copy_from_slice(self.take(8)?);
        Ok(i64::from_be_bytes(word))
    }

    /// Fixed-length opaque data of `N` bytes (plus padding).
    pub fn fixed<const N: usize>(&mut self) -> Result<[u8; N], XdrError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        self.take(padding(N))?;
        Ok(out)
    }

    /// Variable-length opaque data of at most `max` bytes.
    pub fn opaque(&mut self, what: &'static str, max: u32) -> Result<&'a [u8], XdrError> {
        let len = self.length(what, max)?;
        let data = self.take(len)?;
        self.take(padding(len))?;
        Ok(data)
    }

    /// A string of at most `max` bytes; invalid UTF-8 is replaced, never fatal.
    pub fn string(&mut self, what: &'static str, max: u32) -> Result<String, XdrError> {
        self.opaque(what, max)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// An optional value (`T *` in the `.x` file).
    pub fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, XdrError>,
    ) -> Result<Option<T>, XdrError> {
        match self.u32()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            other => Err(XdrError::BadDiscriminant(other)),
        }
    }

    /// A variable-length array of at most `max` elements.
    pub fn array<T>(
        &mut self,
        what: &'static str,
        max: u32,
        mut read: impl FnMut(&mut Self) -> Result<T, XdrError>,
    ) -> Result<Vec<T>, XdrError> {
        let len = self.length(what, max)?;
        // Every element takes at least 4 bytes: never reserve more than the buffer can hold.
        let mut out = Vec::with_capacity(len.min(self.remaining() / 4));
        for _ in 0..len {
            out.push(read(self)?);
        }
        Ok(out)
    }

    fn length(&mut self, what: &'static str, max: u32) -> Result<usize, XdrError> {
        let len = self.u32()?;
        if len > max {
            return Err(XdrError::TooLong { what, len, max });
        }
        Ok(len as usize)
    }
}

/// Bytes of zero padding after `len` bytes of opaque data.
pub fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Appends a big-endian unsigned 32-bit integer.
pub fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// Appends a big-endian signed 32-bit integer.
pub fn put_i32(out: &mut Vec<u8>, value: i32) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// Appends variable-length opaque data with its length and padding.
pub fn put_opaque(out: &mut Vec<u8>, data: &[u8]) {
    put_u32(out, u32::try_from(data.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(data);
    out.resize(out.len() + padding(data.len()), 0);
}

/// Appends fixed-length opaque data with its padding.
pub fn put_fixed(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(data);
    out.resize(out.len() + padding(data.len()), 0);
}

/// Appends an optional value: discriminant, then the value if present.
pub fn put_optional<T>(out: &mut Vec<u8>, value: Option<&T>, put: impl FnOnce(&mut Vec<u8>, &T)) {
    match value {
        None => put_u32(out, 0),
        Some(value) => {
            put_u32(out, 1);
            put(out, value);
        }
    }
}

/// A message body with no fields (`void` in the `.x` file).
impl Xdr for () {
    fn encode(&self, _out: &mut Vec<u8>) {}

    fn decode(_reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_big_endian() {
        let mut reader = Reader::new(&[0, 0, 1, 2, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(reader.u32(), Ok(258));
        assert_eq!(reader.i32(), Ok(-2));
        assert_eq!(reader.finish(), Ok(()));
    }

    #[test]
    fn strings_are_padded_to_four_bytes() {
        let mut out = Vec::new();
        put_opaque(&mut out, b"abcde");
        assert_eq!(out, [0, 0, 0, 5, b'a', b'b', b'c', b'd', b'e', 0, 0, 0]);
        let mut reader = Reader::new(&out);
        assert_eq!(reader.string("name", 16).as_deref(), Ok("abcde"));
        assert_eq!(reader.finish(), Ok(()));
    }

    #[test]
    fn a_length_above_the_limit_is_refused_before_reading() {
        let mut reader = Reader::new(&[0, 0, 0, 9, b'x']);
        assert_eq!(
            reader.string("name", 8),
            Err(XdrError::TooLong {
                what: "name",
                len: 9,
                max: 8
            })
        );
    }

    #[test]
    fn a_truncated_string_is_an_error() {
        let mut reader = Reader::new(&[0, 0, 0, 4, b'a']);
        assert!(matches!(
            reader.string("name", 8),
            Err(XdrError::Truncated { .. })
        ));
    }

    #[test]
    fn a_huge_array_length_does_not_allocate_it() {
        let mut reader = Reader::new(&[0, 0x0f, 0xff, 0xff]);
        let result = reader.array("list", u32::MAX, |r| r.u32());
        assert!(matches!(result, Err(XdrError::Truncated { .. })));
    }

    #[test]
    fn optional_discriminants_other_than_0_and_1_are_refused() {
        let mut reader = Reader::new(&[0, 0, 0, 2]);
        assert_eq!(
            reader.optional(|r| r.u32()),
            Err(XdrError::BadDiscriminant(2))
        );
        let mut reader = Reader::new(&[0, 0, 0, 0]);
        assert_eq!(reader.optional(|r| r.u32()), Ok(None));
    }

    #[test]
    fn read_rejects_trailing_bytes() {
        assert_eq!(<()>::read(&[0]), Err(XdrError::TrailingBytes { count: 1 }));
        assert_eq!(<()>::read(&[]), Ok(()));
    }
}
