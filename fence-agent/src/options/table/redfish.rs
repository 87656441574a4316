//! fence_redfish's options (fence-agents 4.12.1): its `device_opt` (`ipaddr`, `login`,
//! `passwd`, `redfish-uri`, `systems-uri`, `ssl`, `diag`) after fencing.py's dependency
//! expansion, in the order its `--help` lists them; plus our `ssl_ca_file`.

use super::Kind::{Boolean, Integer, String as Str};
use super::common::*;
use super::{OptSpec, bounded, ignored, opt, required, with};

/// Every option fence_redfish accepts, in its `--help` order (and ours, `ssl_ca_file`).
#[rustfmt::skip]
pub static REDFISH: &[OptSpec] = &[
    IPADDR,
    required(LOGIN),
    PASSWD,
    with(opt("redfish-uri", None, "redfish-uri", Str), Some("/redfish/v1"), 1,
        "--redfish-uri=[uri]            Base or starting Redfish URI",
        "Base or starting Redfish URI"),
    with(opt("systems-uri", None, "systems-uri", Str), None, 1,
        "--systems-uri=[uri]            Redfish Systems resource URI",
        "Redfish Systems resource URI, i.e. /redfish/v1/Systems/System.Embedded.1"),
    with(opt("ssl", Some('z'), "ssl", Boolean), Some("1"), 1,
        "-z, --ssl                      Use SSL connection with verifying certificate",
        "Use SSL connection with verifying certificate"),
    bounded(with(opt("ipport", Some('u'), "ipport", Integer), Some("443"), 1,
        "-u, --ipport=[port]            TCP/UDP port to use (default 443)",
        "TCP/UDP port to use for connection with device"), 1, 65_535),
    PASSWD_SCRIPT,
    with(opt("ssl_secure", None, "ssl-secure", Boolean), None, 1,
        "--ssl-secure                   Use SSL connection with verifying certificate",
        "Use SSL connection with verifying certificate"),
    with(opt("ssl_insecure", None, "ssl-insecure", Boolean), None, 1,
        "--ssl-insecure                 Use SSL connection without verifying certificate",
        "Use SSL connection without verifying certificate"),
    with(opt("ssl_ca_file", None, "ssl-ca-file", Str), None, 1,
        "--ssl-ca-file=[file]           CA certificates (PEM) to verify the device with, instead of the system's",
        "CA certificates (PEM) to verify the device with, instead of the system's (fence_redfish_rs only)"),
    ACTION,
    PORT,
    QUIET,
    VERBOSE,
    VERBOSE_LEVEL,
    DEBUG,
    VERSION,
    HELP,
    PLUG_SEPARATOR,
    SEPARATOR,
    POWER_TIMEOUT,
    SHELL_TIMEOUT,
    LOGIN_TIMEOUT,
    DISABLE_TIMEOUT,
    POWER_WAIT,
    STONITH_STATUS_SLEEP,
    DELAY,
    PORT_AS_IP,
    RETRY_ON,
    ignored(with(opt("gnutlscli_path", None, "gnutlscli-path", Str), Some("/usr/bin/gnutls-cli"), 300,
        "--gnutlscli-path=[path]        Path to gnutls-cli binary", "Path to gnutls-cli binary")),
];
