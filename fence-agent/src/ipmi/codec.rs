//! The byte codec: a bounds-checked reader that rejects trailing bytes, and the encode trait.

use thiserror::Error;

/// Why bytes from the BMC could not be decoded (the BMC is at fault).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The datagram ended before `what` was complete.
    #[error("truncated {what}")]
    Truncated {
        /// The field being read.
        what: &'static str,
    },
    /// Bytes were left over after `what`.
    #[error("{extra} trailing bytes after {what}")]
    Trailing {
        /// The structure read.
        what: &'static str,
        /// How many bytes were left.
        extra: usize,
    },
    /// A field held a value the protocol does not allow.
    #[error("invalid {what}: {value:#04x}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Its value.
        value: u32,
    },
}

/// A cursor over untrusted bytes; every read is bounds-checked.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::Truncated { what });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    /// Takes exactly `N` bytes as an array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// A little-endian u16.
    pub fn u16_le(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// A little-endian u32.
    pub fn u32_le(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// Succeeds only if nothing is left.
    pub fn finish(self, what: &'static str) -> Result<(), DecodeError> {
        match self.bytes.len() {
            0 => Ok(()),
            extra => Err(DecodeError::Trailing { what, extra }),
        }
    }
}

/// A value that can be written to the wire.
pub trait Encode {
    /// Appends the wire form of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// The wire form as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// A value read from the wire that must consume its input exactly.
pub trait Decode: Sized {
    /// Decodes from a reader positioned at the value.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes `bytes`, rejecting trailing bytes.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::read(&mut r)?;
        r.finish(std::any::type_name::<Self>())?;
        Ok(value)
    }
}

/// A value from the BMC that has not been checked yet (session ids, sequence numbers,
/// random numbers, GUIDs): only [`Unverified::verify`] hands it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unverified<T>(T);

impl<T> Unverified<T> {
    /// Wraps a value straight off the wire.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value, if `check` accepts it.
    pub fn verify(self, check: impl FnOnce(&T) -> bool) -> Option<T> {
        check(&self.0).then_some(self.0)
    }

    /// The value for computing the check itself (e.g. as HMAC input), never for acting on.
    pub fn as_check_input(&self) -> &T {
        &self.0
    }
}

/// Bytes from a hex string, for test vectors.
#[cfg(test)]
pub(crate) fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_is_bounds_checked_and_strict() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16_le("x"), Ok(0x0201));
        assert_eq!(r.u16_le("y"), Err(DecodeError::Truncated { what: "y" }));
        assert_eq!(r.remaining(), 1);
        assert_eq!(
            r.finish("z"),
            Err(DecodeError::Trailing {
                what: "z",
                extra: 1
            })
        );
    }

    #[test]
    fn unverified_only_yields_checked_values() {
        assert_eq!(Unverified::new(5).verify(|v| *v == 5), Some(5));
        assert_eq!(Unverified::new(5).verify(|v| *v == 6), None);
    }
}
