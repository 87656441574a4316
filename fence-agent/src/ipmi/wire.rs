//! Wire codes as newtypes with named constants: unknown values survive and print in hex.

use std::fmt;

macro_rules! wire_code {
    ($(#[$doc:meta])* $name:ident { $($(#[$cdoc:meta])* $konst:ident = $value:expr => $text:expr),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub u8);

        impl $name {
            $($(#[$cdoc])* pub const $konst: Self = Self($value);)*

            /// The specification's name of this code, if it is a known one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:#04x})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(text) => write!(f, "{text} ({:#04x})", self.0),
                    None => write!(f, "unknown ({:#04x})", self.0),
                }
            }
        }
    };
}

wire_code! {
    /// IPMI 1.5 session authentication type (also the RMCP+ format marker 0x06).
    AuthType {
        /// No authentication: dangerous, only when asked for by name.
        NONE = 0 => "none",
        /// MD2 of password, session and message.
        MD2 = 1 => "MD2",
        /// MD5 of password, session and message.
        MD5 = 2 => "MD5",
        /// The password in clear ("straight password").
        PASSWORD = 4 => "straight password",
        /// OEM proprietary.
        OEM = 5 => "OEM",
        /// Marks an IPMI 2.0 RMCP+ session header.
        RMCP_PLUS = 6 => "RMCP+",
    }
}

impl AuthType {
    /// The `auth=` option value (md5|password|none).
    pub fn from_option_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "md5" => Some(Self::MD5),
            "password" => Some(Self::PASSWORD),
            "none" => Some(Self::NONE),
            _ => None,
        }
    }

    /// The bit of this type in Get Channel Authentication Capabilities' support byte.
    pub fn support_bit(self) -> u8 {
        1u8.checked_shl(u32::from(self.0)).unwrap_or(0)
    }
}

wire_code! {
    /// Session privilege level.
    Privilege {
        /// Callback.
        CALLBACK = 1 => "callback",
        /// User: may read chassis status.
        USER = 2 => "user",
        /// Operator: may control chassis power.
        OPERATOR = 3 => "operator",
        /// Administrator.
        ADMINISTRATOR = 4 => "administrator",
    }
}

wire_code! {
    /// IPMI command completion code.
    CompletionCode {
        /// Success.
        OK = 0x00 => "command completed normally",
        /// Node busy.
        NODE_BUSY = 0xc0 => "node busy",
        /// Invalid command.
        INVALID_COMMAND = 0xc1 => "invalid command",
        /// Timeout while processing.
        TIMEOUT = 0xc3 => "timeout while processing command",
        /// Out of space (e.g. no free session slot).
        OUT_OF_SPACE = 0xc4 => "out of space",
        /// Request data length invalid.
        INVALID_LENGTH = 0xc7 => "request data length invalid",
        /// Command not supported on the given LUN.
        INVALID_LUN = 0xc2 => "command invalid for given LUN",
        /// Reservation canceled or invalid.
        RESERVATION_CANCELLED = 0xc5 => "reservation canceled or invalid",
        /// Request data truncated.
        TRUNCATED = 0xc6 => "request data truncated",
        /// Request data field length limit exceeded.
        FIELD_TOO_LONG = 0xc8 => "request data field length limit exceeded",
        /// Parameter out of range.
        OUT_OF_RANGE = 0xc9 => "parameter out of range",
        /// Requested sensor, data or record not present.
        NOT_PRESENT = 0xcb => "requested data not present",
        /// Invalid data field in request.
        INVALID_DATA = 0xcc => "invalid data field in request",
        /// Command illegal for the sensor or record type.
        ILLEGAL_COMMAND = 0xcd => "command illegal for specified sensor or record type",
        /// Cannot respond now.
        CANNOT_RESPOND = 0xce => "command response could not be provided",
        /// Cannot execute a duplicated request.
        DUPLICATED = 0xcf => "cannot execute duplicated request",
        /// BMC initialization in progress.
        INITIALIZING = 0xd2 => "BMC initialization in progress",
        /// Destination unavailable.
        UNAVAILABLE = 0xd3 => "destination unavailable",
        /// Insufficient privilege.
        INSUFFICIENT_PRIVILEGE = 0xd4 => "insufficient privilege level",
        /// Not supported in present state.
        NOT_SUPPORTED_NOW = 0xd5 => "not supported in present state",
        /// Unspecified error.
        UNSPECIFIED = 0xff => "unspecified error",
        /// Session: invalid user name (Get Session Challenge).
        INVALID_USER = 0x81 => "invalid user name",
        /// Session: null user not enabled.
        NULL_USER_DISABLED = 0x82 => "null user name not enabled",
    }
}

wire_code! {
    /// RMCP+ / RAKP message status code.
    RmcpStatus {
        /// No errors.
        OK = 0x00 => "no errors",
        /// Insufficient resources to create a session.
        NO_RESOURCES = 0x01 => "insufficient resources to create a session",
        /// Invalid session id.
        INVALID_SESSION_ID = 0x02 => "invalid session id",
        /// Invalid payload type.
        INVALID_PAYLOAD = 0x03 => "invalid payload type",
        /// Invalid authentication algorithm.
        INVALID_AUTH_ALG = 0x04 => "invalid authentication algorithm",
        /// Invalid integrity algorithm.
        INVALID_INTEGRITY_ALG = 0x05 => "invalid integrity algorithm",
        /// No matching authentication payload.
        NO_MATCHING_AUTH = 0x06 => "no matching authentication payload",
        /// No matching integrity payload.
        NO_MATCHING_INTEGRITY = 0x07 => "no matching integrity payload",
        /// Inactive session id.
        INACTIVE_SESSION = 0x08 => "inactive session id",
        /// Invalid role.
        INVALID_ROLE = 0x09 => "invalid role",
        /// Unauthorized role or privilege level requested.
        UNAUTHORIZED_ROLE = 0x0a => "unauthorized role or privilege level requested",
        /// Insufficient resources for the requested role.
        NO_RESOURCES_FOR_ROLE = 0x0b => "insufficient resources to create a session at the requested role",
        /// Invalid name length.
        INVALID_NAME_LENGTH = 0x0c => "invalid name length",
        /// Unauthorized name.
        UNAUTHORIZED_NAME = 0x0d => "unauthorized name",
        /// Unauthorized GUID.
        UNAUTHORIZED_GUID = 0x0e => "unauthorized GUID",
        /// Invalid integrity check value.
        INVALID_INTEGRITY_VALUE = 0x0f => "invalid integrity check value",
        /// Invalid confidentiality algorithm.
        INVALID_CONF_ALG = 0x10 => "invalid confidentiality algorithm",
        /// No cipher suite match with proposed security algorithms.
        NO_CIPHER_MATCH = 0x11 => "no cipher suite match with proposed security algorithms",
        /// Illegal or unrecognized parameter.
        ILLEGAL_PARAMETER = 0x12 => "illegal or unrecognized parameter",
    }
}

impl RmcpStatus {
    /// Whether the BMC rejected the proposed algorithms (so another suite may work).
    pub fn is_algorithm_mismatch(self) -> bool {
        matches!(self.0, 0x04..=0x07 | 0x10 | 0x11)
    }
}

wire_code! {
    /// RMCP+ payload type (low six bits of the payload type byte).
    PayloadType {
        /// An IPMI message.
        IPMI = 0x00 => "IPMI message",
        /// RMCP+ Open Session Request.
        OPEN_SESSION_REQUEST = 0x10 => "RMCP+ Open Session Request",
        /// RMCP+ Open Session Response.
        OPEN_SESSION_RESPONSE = 0x11 => "RMCP+ Open Session Response",
        /// RAKP Message 1.
        RAKP1 = 0x12 => "RAKP Message 1",
        /// RAKP Message 2.
        RAKP2 = 0x13 => "RAKP Message 2",
        /// RAKP Message 3.
        RAKP3 = 0x14 => "RAKP Message 3",
        /// RAKP Message 4.
        RAKP4 = 0x15 => "RAKP Message 4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_survive_and_print_in_hex() {
        assert_eq!(
            CompletionCode(0xd4).to_string(),
            "insufficient privilege level (0xd4)"
        );
        assert_eq!(CompletionCode(0x77).to_string(), "unknown (0x77)");
        assert_eq!(format!("{:?}", RmcpStatus(0x0d)), "RmcpStatus(0x0d)");
    }

    #[test]
    fn support_bits() {
        assert_eq!(AuthType::MD5.support_bit(), 0x04);
        assert_eq!(AuthType::PASSWORD.support_bit(), 0x10);
        assert_eq!(AuthType(200).support_bit(), 0);
    }
}
