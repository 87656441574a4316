//! `remote_nonnull_domain`: how the protocol names a domain (name, UUID, id).

use std::fmt;

use super::xdr::{Reader, Xdr, XdrError, put_fixed, put_i32, put_opaque};

/// `REMOTE_STRING_MAX`: the longest string the remote protocol carries.
pub const STRING_MAX: u32 = 4_194_304;

/// A domain's 16-byte UUID; displayed as libvirt's `virDomainGetUUIDString` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// A domain as the protocol names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// The domain's name (Nova's `instance-0000002a`).
    pub name: String,
    /// The domain's UUID (Nova's instance UUID).
    pub uuid: Uuid,
    /// The running domain's id, -1 when shut off.
    pub id: i32,
}

impl Xdr for Domain {
    fn encode(&self, out: &mut Vec<u8>) {
        put_opaque(out, self.name.as_bytes());
        put_fixed(out, &self.uuid.0);
        put_i32(out, self.id);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        Ok(Self {
            name: reader.string("domain name", STRING_MAX)?,
            uuid: Uuid(reader.fixed::<16>()?),
            id: reader.i32()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_print_as_libvirt_prints_them() {
        let uuid = Uuid([
            0x6f, 0x1c, 0x2a, 0x40, 0x0b, 0x1d, 0x4e, 0x5f, 0x9a, 0x3c, 0x11, 0x22, 0x33, 0x44,
            0x55, 0x66,
        ]);
        assert_eq!(uuid.to_string(), "6f1c2a40-0b1d-4e5f-9a3c-112233445566");
    }

    #[test]
    fn a_domain_round_trips() {
        let domain = Domain {
            name: "guest".into(),
            uuid: Uuid([7; 16]),
            id: 3,
        };
        assert_eq!(Domain::read(&domain.to_bytes()), Ok(domain));
    }
}
