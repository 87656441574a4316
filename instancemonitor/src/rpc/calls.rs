//! The calls this monitor makes (`remote_protocol.x`), each with its arguments and reply.
//!
//! All of them exist unchanged in libvirt 9.0 (Debian 12): the newest, the event callback
//! registration, dates from libvirt 1.2.1.

use super::domain::Domain;
use super::events::EventId;
use super::xdr::{Reader, Xdr, XdrError, put_i32, put_opaque, put_optional, put_u32};

/// `remote_auth_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthType(pub i32);

impl AuthType {
    /// No authentication.
    pub const NONE: Self = Self(0);
    /// SASL (not spoken here).
    pub const SASL: Self = Self(1);
    /// polkit: the daemon asks polkitd about our peer credentials.
    pub const POLKIT: Self = Self(2);
}

/// `VIR_CONNECT_RO`.
pub const CONNECT_RO: u32 = 1;
/// `VIR_DRV_FEATURE_PROGRAM_KEEPALIVE`.
pub const FEATURE_PROGRAM_KEEPALIVE: i32 = 10;
/// `VIR_CONNECT_LIST_DOMAINS_PERSISTENT`.
pub const LIST_PERSISTENT: u32 = 1 << 2;
/// `VIR_CONNECT_LIST_DOMAINS_TRANSIENT`.
pub const LIST_TRANSIENT: u32 = 1 << 3;
/// `REMOTE_AUTH_TYPE_LIST_MAX`.
const AUTH_TYPE_LIST_MAX: u32 = 20;
/// `REMOTE_DOMAIN_LIST_MAX`.
const DOMAIN_LIST_MAX: u32 = 16_384;

/// `remote_connect_open_args`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenArgs {
    /// The URI the daemon opens its driver with (`qemu:///system`).
    pub name: Option<String>,
    /// `VIR_CONNECT_RO` and friends.
    pub flags: u32,
}

impl Xdr for OpenArgs {
    fn encode(&self, out: &mut Vec<u8>) {
        put_optional(out, self.name.as_ref(), |out, name| {
            put_opaque(out, name.as_bytes())
        });
        put_u32(out, self.flags);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        let name = reader.optional(|r| r.string("URI", super::domain::STRING_MAX))?;
        Ok(Self {
            name,
            flags: reader.u32()?,
        })
    }
}

/// A call or reply that is one `int` (`supports_feature` args and ret, `auth_polkit` ret,
/// `callback_register_any` ret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int(pub i32);

impl Xdr for Int {
    fn encode(&self, out: &mut Vec<u8>) {
        put_i32(out, self.0);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        reader.i32().map(Self)
    }
}

/// `remote_auth_list_ret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthListRet {
    /// What the daemon accepts on this socket.
    pub types: Vec<AuthType>,
}

impl Xdr for AuthListRet {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, u32::try_from(self.types.len()).unwrap_or(u32::MAX));
        for auth in &self.types {
            put_i32(out, auth.0);
        }
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        let types = reader.array("auth types", AUTH_TYPE_LIST_MAX, |r| r.i32().map(AuthType))?;
        Ok(Self { types })
    }
}

/// `remote_connect_domain_event_callback_register_any_args`, always for every domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterAnyArgs {
    /// Which event.
    pub event: EventId,
}

impl Xdr for RegisterAnyArgs {
    fn encode(&self, out: &mut Vec<u8>) {
        put_i32(out, self.event.0);
        put_u32(out, 0); // dom: NULL, all domains
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        let event = EventId(reader.i32()?);
        reader.optional(Domain::decode)?;
        Ok(Self { event })
    }
}

/// `remote_connect_list_all_domains_args`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListAllDomainsArgs {
    /// `VIR_CONNECT_LIST_DOMAINS_*` filter flags.
    pub flags: u32,
}

impl Xdr for ListAllDomainsArgs {
    fn encode(&self, out: &mut Vec<u8>) {
        put_i32(out, 1); // need_results
        put_u32(out, self.flags);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        reader.i32()?;
        Ok(Self {
            flags: reader.u32()?,
        })
    }
}

/// `remote_connect_list_all_domains_ret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListAllDomainsRet {
    /// The domains.
    pub domains: Vec<Domain>,
}

impl Xdr for ListAllDomainsRet {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32(out, u32::try_from(self.domains.len()).unwrap_or(u32::MAX));
        for domain in &self.domains {
            domain.encode(out);
        }
        put_u32(out, u32::try_from(self.domains.len()).unwrap_or(u32::MAX));
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        let domains = reader.array("domain list", DOMAIN_LIST_MAX, Domain::decode)?;
        reader.u32()?; // ret: the count again
        Ok(Self { domains })
    }
}

/// `remote_domain_get_state_args`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetStateArgs {
    /// The domain asked about.
    pub domain: Domain,
}

impl Xdr for GetStateArgs {
    fn encode(&self, out: &mut Vec<u8>) {
        self.domain.encode(out);
        put_u32(out, 0); // flags
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        let domain = Domain::decode(reader)?;
        reader.u32()?;
        Ok(Self { domain })
    }
}

/// `remote_domain_get_state_ret`: `virDomainState` and its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetStateRet {
    /// `virDomainState`.
    pub state: i32,
    /// The state's reason (`virDomainShutoffReason` when shut off).
    pub reason: i32,
}

impl Xdr for GetStateRet {
    fn encode(&self, out: &mut Vec<u8>) {
        put_i32(out, self.state);
        put_i32(out, self.reason);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, XdrError> {
        Ok(Self {
            state: reader.i32()?,
            reason: reader.i32()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::domain::Uuid;

    fn round_trip<T: Xdr + PartialEq + std::fmt::Debug>(value: T) {
        assert_eq!(T::read(&value.to_bytes()), Ok(value));
    }

    #[test]
    fn every_call_body_round_trips() {
        round_trip(OpenArgs {
            name: Some("qemu:///system".into()),
            flags: CONNECT_RO,
        });
        round_trip(OpenArgs {
            name: None,
            flags: 0,
        });
        round_trip(Int(-7));
        round_trip(AuthListRet {
            types: vec![AuthType::NONE, AuthType::POLKIT],
        });
        round_trip(RegisterAnyArgs {
            event: EventId::WATCHDOG,
        });
        round_trip(ListAllDomainsArgs {
            flags: LIST_PERSISTENT,
        });
        let domain = Domain {
            name: "g".into(),
            uuid: Uuid([1; 16]),
            id: -1,
        };
        round_trip(ListAllDomainsRet {
            domains: vec![domain.clone(), domain.clone()],
        });
        round_trip(GetStateArgs { domain });
        round_trip(GetStateRet {
            state: 5,
            reason: 3,
        });
    }

    #[test]
    fn connect_open_is_encoded_as_libvirt_expects() {
        let bytes = OpenArgs {
            name: Some("qemu:///system".into()),
            flags: CONNECT_RO,
        }
        .to_bytes();
        let mut expected = vec![0, 0, 0, 1, 0, 0, 0, 14];
        expected.extend_from_slice(b"qemu:///system\0\0");
        expected.extend_from_slice(&[0, 0, 0, 1]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn more_auth_types_than_the_protocol_allows_are_refused() {
        let mut bytes = 21u32.to_be_bytes().to_vec();
        bytes.extend(std::iter::repeat_n(0, 84));
        assert!(matches!(
            AuthListRet::read(&bytes),
            Err(XdrError::TooLong { .. })
        ));
    }
}
