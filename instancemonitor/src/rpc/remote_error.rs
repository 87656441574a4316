//! `remote_error`: what the daemon sends instead of a reply when a call fails.

use std::fmt;

use super::domain::{Domain, STRING_MAX, Uuid};
use super::xdr::{Reader, Xdr, XdrError, put_i32, put_optional, put_u32};

/// A libvirt error as the daemon reported it (`virError`'s wire form).
///
/// `code` and `domain` are libvirt's `virErrorNumber` and `virErrorDomain`, stable across
/// versions; they are kept as numbers so that codes newer than this monitor still print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteError {
    /// `virErrorNumber` (for example 38 = `VIR_ERR_SYSTEM_ERROR`, 55 = `VIR_ERR_OPERATION_INVALID`).
    pub code: i32,
    /// `virErrorDomain`: which part of libvirt raised it.
    pub domain: i32,
    /// The daemon's message, if it sent one.
    pub message: Option<String>,
    /// `virErrorLevel`: 1 warning, 2 error.
    pub level: i32,
}

impl RemoteError {
    /// `VIR_ERR_NO_SUPPORT`: the daemon does not know the procedure.
    pub const NO_SUPPORT: i32 = 3;
    /// `VIR_ERR_NO_DOMAIN`: the domain does not exist (any more).
    pub const NO_DOMAIN: i32 = 42;
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message.as_deref().unwrap_or("(no message)");
        write!(
            f,
            "{message} (libvirt error code {}, domain {})",
            self.code, self.domain
        )
    }
}

impl Xdr for RemoteError {
    fn encode(&self, out: &mut Vec<u8>) {
        put_i32(out, self.code);
        put_i32(out, self.domain);
        put_optional(out, self.message.as_ref(), |out, m| {
            super::xdr::put_opaque(out, m.as_bytes())
        });
        put_i32(out, self.level);
        // dom, str1, str2, str3 absent; int1, int2 zero; net absent.
        for _ in 0..4 {
            put_u32(out, 0);
        }
        put_i32(out, 0);
        put_i32(out, 0);
        put_u32(out, 0);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        let string = |r: &mut Reader<'_>| r.string("error string", STRING_MAX);
        let code = reader.i32()?;
        let domain = reader.i32()?;
        let message = reader.optional(string)?;
        let level = reader.i32()?;
        reader.optional(Domain::decode)?;
        for _ in 0..3 {
            reader.optional(string)?;
        }
        reader.i32()?;
        reader.i32()?;
        reader.optional(|r| {
            r.string("network name", STRING_MAX)?;
            r.fixed::<16>().map(Uuid)
        })?;
        Ok(Self {
            code,
            domain,
            message,
            level,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_round_trips_and_prints_its_message_and_code() {
        let error = RemoteError {
            code: 55,
            domain: 10,
            message: Some("Requested operation is not valid".into()),
            level: 2,
        };
        assert_eq!(RemoteError::read(&error.to_bytes()), Ok(error.clone()));
        assert_eq!(
            error.to_string(),
            "Requested operation is not valid (libvirt error code 55, domain 10)"
        );
    }

    #[test]
    fn a_truncated_error_is_refused() {
        let bytes = RemoteError {
            code: 1,
            domain: 0,
            message: None,
            level: 2,
        }
        .to_bytes();
        for len in 0..bytes.len() {
            assert!(RemoteError::read(&bytes[..len]).is_err(), "{len}");
        }
    }
}
