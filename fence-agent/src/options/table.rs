//! The option table: one declaration per fence_ipmilan (fence-agents 4.12.1) parameter.
//!
//! Argv parsing, stdin `key=value` parsing, `--help`, `-o metadata` and the alias
//! personalities all read this table and nothing else. Entries are in fencing.py's
//! `device_opt` order (after its dependency expansion), which `--help` keeps within equal
//! `order` values. `help` is fencing.py's help line verbatim: the metadata `getopt mixed`
//! attribute is derived from it the way fencing.py derives it.
//!
//! fencing.py checks numeric options only with Python's `int()` (unbounded), so fence_ipmilan
//! 4.12.1 takes `--retry-on=4294967295` as four billion attempts and crashes on
//! `--power-wait=99999999999999999999` (`OverflowError` in `time.sleep`, exit 1). Here every
//! integer and seconds option carries [`Bounds`]; a value outside them is refused before
//! anything runs, with fencing.py's usage exit (1).

/// The value type of an option, as fence-agents metadata names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A flag without a value.
    Boolean,
    /// Free text.
    String,
    /// A whole number.
    Integer,
    /// A whole number of seconds.
    Second,
    /// One of a fixed set (compared case-insensitively, as fencing.py does).
    Select(&'static [&'static str]),
}

/// The accepted range of a numeric option (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Smallest accepted value.
    pub min: i64,
    /// Largest accepted value.
    pub max: i64,
}

impl Bounds {
    /// Whether `value` is within the bounds.
    pub const fn contains(self, value: i64) -> bool {
        self.min <= value && value <= self.max
    }
}

/// Longest accepted time value, a year: more is a typo, and deadlines stay far from overflow.
pub const MAX_SECONDS: i64 = 365 * 24 * 3600;

/// Every seconds option: zero (where fencing.py gives zero a meaning) to [`MAX_SECONDS`].
const SECONDS: Bounds = Bounds {
    min: 0,
    max: MAX_SECONDS,
};

/// What the agent does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The option changes what the agent does.
    Used,
    /// Only meaningful for ipmitool/sudo: accepted so configurations keep working, ignored.
    IgnoredIpmitoolOnly,
}

/// One parameter of the agent.
#[derive(Debug)]
pub struct OptSpec {
    /// fencing.py's key (the stdin name before renaming, e.g. `ipaddr`).
    pub key: &'static str,
    /// Short option letter.
    pub short: Option<char>,
    /// Long option name without dashes.
    pub long: &'static str,
    /// Value type.
    pub kind: Kind,
    /// Default value (before personality overrides).
    pub default: Option<&'static str>,
    /// fencing.py's `help` line.
    pub help: &'static str,
    /// Metadata short description.
    pub shortdesc: &'static str,
    /// Sort key of `--help` and metadata.
    pub order: u16,
    /// Listed in metadata (fencing.py drops `separator` for port-as-ip agents).
    pub in_metadata: bool,
    /// What we do with it.
    pub effect: Effect,
    /// The accepted range (integer and seconds options).
    pub bounds: Option<Bounds>,
}

impl OptSpec {
    /// Whether the option takes a value.
    pub fn takes_value(&self) -> bool {
        self.kind != Kind::Boolean
    }

    /// The metadata name of the current spelling (`long` with `_`), e.g. `ip` for `ipaddr`.
    pub fn current_name(&self) -> String {
        self.long.replace('-', "_")
    }

    /// The option column of the help line, as fencing.py's metadata `getopt mixed`.
    pub fn mixed(&self) -> &'static str {
        let Some(dashes) = self.help.find("--") else {
            return self.help;
        };
        let rest = self.help.get(dashes..).unwrap_or_default();
        match rest.find(char::is_whitespace) {
            Some(end) => self.help.get(..dashes + end).unwrap_or(self.help),
            None => self.help,
        }
    }
}

const fn opt(key: &'static str, short: Option<char>, long: &'static str, kind: Kind) -> OptSpec {
    OptSpec {
        key,
        short,
        long,
        kind,
        default: None,
        help: "",
        shortdesc: "",
        order: 1,
        in_metadata: true,
        effect: Effect::Used,
        bounds: match kind {
            Kind::Second => Some(SECONDS),
            _ => None,
        },
    }
}

const fn with(
    mut spec: OptSpec,
    default: Option<&'static str>,
    order: u16,
    help: &'static str,
    shortdesc: &'static str,
) -> OptSpec {
    spec.default = default;
    spec.order = order;
    spec.help = help;
    spec.shortdesc = shortdesc;
    spec
}

const fn ignored(mut spec: OptSpec) -> OptSpec {
    spec.effect = Effect::IgnoredIpmitoolOnly;
    spec
}

const fn bounded(mut spec: OptSpec, min: i64, max: i64) -> OptSpec {
    spec.bounds = Some(Bounds { min, max });
    spec
}

const fn hidden(mut spec: OptSpec) -> OptSpec {
    spec.in_metadata = false;
    spec
}

use Kind::{Boolean, Integer, Second, Select, String as Str};

/// Every option fence_ipmilan accepts, in fencing.py's order.
#[rustfmt::skip]
pub static OPTIONS: &[OptSpec] = &[
    with(opt("ipaddr", Some('a'), "ip", Str), None, 1,
        "-a, --ip=[ip]                  IP address or hostname of fencing device",
        "IP address or hostname of fencing device"),
    with(opt("login", Some('l'), "username", Str), None, 1,
        "-l, --username=[name]          Login name", "Login name"),
    with(opt("passwd", Some('p'), "password", Str), None, 1,
        "-p, --password=[password]      Login password or passphrase",
        "Login password or passphrase"),
    with(opt("lanplus", Some('P'), "lanplus", Boolean), Some("0"), 1,
        "-P, --lanplus                  Use Lanplus to improve security of connection",
        "Use Lanplus to improve security of connection"),
    with(opt("auth", Some('A'), "auth", Select(&["md5", "password", "none"])), None, 1,
        "-A, --auth=[auth]              IPMI Lan Auth type (md5|password|none)",
        "IPMI Lan Auth type."),
    with(opt("cipher", Some('C'), "cipher", Str), None, 1,
        "-C, --cipher=[cipher]          Ciphersuite to use (same as ipmitool -C parameter)",
        "Ciphersuite to use (same as ipmitool -C parameter)"),
    with(opt("privlvl", Some('L'), "privlvl",
            Select(&["callback", "user", "operator", "administrator"])), Some("administrator"), 1,
        "-L, --privlvl=[level]          Privilege level on IPMI device (callback|user|operator|administrator)",
        "Privilege level on IPMI device"),
    ignored(with(opt("sudo", None, "use-sudo", Boolean), None, 205,
        "--use-sudo                     Use sudo (without password) when calling 3rd party software",
        "Use sudo (without password) when calling 3rd party software")),
    ignored(with(opt("ipmitool_path", None, "ipmitool-path", Str), Some("/usr/bin/ipmitool"), 200,
        "--ipmitool-path=[path]         Path to ipmitool binary", "Path to ipmitool binary")),
    with(opt("ipmitool_timeout", None, "ipmitool-timeout", Str), Some("2"), 201,
        "--ipmitool-timeout=[timeout]         Timeout (sec) for IPMI operation",
        "Timeout (sec) for IPMI operation"),
    with(opt("method", Some('m'), "method", Select(&["onoff", "cycle"])), Some("onoff"), 1,
        "-m, --method=[method]          Method to fence (onoff|cycle) (Default: onoff)\nWARNING! This fence agent might report success before the node is powered off. You should use -m/method onoff if your fence device works correctly with that option.",
        "Method to fence"),
    with(opt("target", None, "target", Str), None, 1,
        "--target=[targetaddress]       Bridge IPMI requests to the remote target address",
        "Bridge IPMI requests to the remote target address"),
    with(opt("hexadecimal_kg", None, "hexadecimal-kg", Str), None, 1,
        "--hexadecimal-kg=[key]         Hexadecimal-encoded Kg key for IPMIv2 authentication",
        "Hexadecimal-encoded Kg key for IPMIv2 authentication"),
    bounded(with(opt("ipport", Some('u'), "ipport", Integer), Some("623"), 1,
        "-u, --ipport=[port]            TCP/UDP port to use (default 623)",
        "TCP/UDP port to use for connection with device"), 1, 65_535),
    with(opt("passwd_script", Some('S'), "password-script", Str), None, 1,
        "-S, --password-script=[script] Script to run to retrieve password",
        "Script to run to retrieve password"),
    ignored(with(opt("sudo_path", None, "sudo-path", Str), Some("/usr/bin/sudo"), 300,
        "--sudo-path=[path]             Path to sudo binary", "Path to sudo binary")),
    with(opt("help", Some('h'), "help", Boolean), None, 55,
        "-h, --help                     Display this help and exit", "Display help and exit"),
    with(opt("debug", Some('D'), "debug-file", Str), None, 53,
        "-D, --debug-file=[debugfile]   Debugging to output file",
        "Write debug information to given file"),
    with(opt("verbose", Some('v'), "verbose", Boolean), None, 51,
        "-v, --verbose                  Verbose mode. Multiple -v flags can be stacked on the command line (e.g., -vvv) to increase verbosity.",
        "Verbose mode. Multiple -v flags can be stacked on the command line (e.g., -vvv) to increase verbosity."),
    // Below zero: fencing.py's warning, then 0 (check.rs), so no lower bound here.
    bounded(with(opt("verbose_level", None, "verbose-level", Integer), None, 52,
        "--verbose-level                Level of debugging detail in output. Defaults to the number of --verbose flags specified on the command line, or to 1 if verbose=1 in a stonith device configuration (i.e., on stdin).",
        "Level of debugging detail in output. Defaults to the number of --verbose flags specified on the command line, or to 1 if verbose=1 in a stonith device configuration (i.e., on stdin)."),
        i64::MIN, 100),
    with(opt("version", Some('V'), "version", Boolean), None, 54,
        "-V, --version                  Display version information and exit",
        "Display version information and exit"),
    with(opt("action", Some('o'), "action", Str), Some("reboot"), 1,
        "-o, --action=[action]          Action: on, off, reboot (default), status, list, list-status, monitor, metadata, manpage, validate-all or diag",
        "Fencing action"),
    with(opt("power_timeout", None, "power-timeout", Second), Some("20"), 200,
        "--power-timeout=[seconds]      Test X seconds for status change after ON/OFF",
        "Test X seconds for status change after ON/OFF"),
    with(opt("shell_timeout", None, "shell-timeout", Second), Some("3"), 200,
        "--shell-timeout=[seconds]      Wait X seconds for cmd prompt after issuing command",
        "Wait X seconds for cmd prompt after issuing command"),
    with(opt("login_timeout", None, "login-timeout", Second), Some("5"), 200,
        "--login-timeout=[seconds]      Wait X seconds for cmd prompt after login",
        "Wait X seconds for cmd prompt after login"),
    with(opt("disable_timeout", None, "disable-timeout", Str), None, 200,
        "--disable-timeout=[true/false]     Disable timeout (true/false) (default: true when run from Pacemaker 2.0+)",
        "Disable timeout (true/false) (default: true when run from Pacemaker 2.0+)"),
    with(opt("power_wait", None, "power-wait", Second), Some("2"), 200,
        "--power-wait=[seconds]         Wait X seconds after issuing ON/OFF",
        "Wait X seconds after issuing ON/OFF"),
    with(opt("stonith_status_sleep", None, "stonith-status-sleep", Second), Some("1"), 200,
        "--stonith-status-sleep=[seconds]   Sleep X seconds between status calls during a STONITH action",
        "Sleep X seconds between status calls during a STONITH action"),
    bounded(with(opt("retry_on", None, "retry-on", Integer), Some("1"), 201,
        "--retry-on=[attempts]          Count of attempts to retry power on",
        "Count of attempts to retry power on"), 0, 100),
    with(opt("delay", None, "delay", Second), Some("0"), 200,
        "--delay=[seconds]              Wait X seconds before fencing is started",
        "Wait X seconds before fencing is started"),
    with(opt("plug_separator", None, "plug-separator", Str), Some(","), 100,
        "--plug-separator=[char]        Separator for plug parameter when specifying more than 1 plug",
        "Separator for plug parameter when specifying more than 1 plug"),
    with(opt("quiet", Some('q'), "quiet", Boolean), None, 50,
        "-q, --quiet                    Disable logging to stderr. Does not affect --verbose or --debug-file or logging to syslog.",
        "Disable logging to stderr. Does not affect --verbose or --debug-file or logging to syslog."),
    with(opt("port_as_ip", None, "port-as-ip", Boolean), None, 200,
        "--port-as-ip                   Make \"port/plug\" to be an alias to IP address",
        "Make \"port/plug\" to be an alias to IP address"),
    with(opt("port", Some('n'), "plug", Str), None, 1,
        "-n, --plug=[ip]                IP address or hostname of fencing device (together with --port-as-ip)",
        "IP address or hostname of fencing device (together with --port-as-ip)"),
    hidden(with(opt("separator", Some('C'), "separator", Str), Some(","), 100,
        "-C, --separator=[char]         Separator for CSV created by 'list' operation",
        "Separator for CSV created by 'list' operation")),
];

/// The table entry with fencing.py key `key`.
pub fn by_key(key: &str) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| o.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_is_the_option_column() {
        assert_eq!(by_key("ipaddr").map(OptSpec::mixed), Some("-a, --ip=[ip]"));
        assert_eq!(
            by_key("verbose_level").map(OptSpec::mixed),
            Some("--verbose-level")
        );
        assert_eq!(by_key("lanplus").map(OptSpec::mixed), Some("-P, --lanplus"));
    }

    #[test]
    fn keys_are_unique_and_described() {
        for (i, a) in OPTIONS.iter().enumerate() {
            assert!(!a.help.is_empty() && !a.shortdesc.is_empty(), "{}", a.key);
            assert!(
                OPTIONS
                    .iter()
                    .skip(i + 1)
                    .all(|b| b.key != a.key && b.long != a.long)
            );
        }
    }

    #[test]
    fn every_number_is_bounded() {
        for spec in OPTIONS {
            let numeric = matches!(spec.kind, Kind::Integer | Kind::Second);
            assert_eq!(spec.bounds.is_some(), numeric, "{}", spec.key);
            if let (Some(b), Some(default)) = (spec.bounds, spec.default) {
                let default = default.parse().unwrap_or(i64::MIN);
                assert!(
                    b.contains(default),
                    "{}'s default is out of bounds",
                    spec.key
                );
            }
        }
        assert_eq!(
            by_key("retry_on").and_then(|o| o.bounds).map(|b| b.max),
            Some(100)
        );
        assert_eq!(by_key("delay").and_then(|o| o.bounds), Some(SECONDS));
    }

    #[test]
    fn first_short_option_wins_like_fencing_py() {
        let first = OPTIONS.iter().find(|o| o.short == Some('C'));
        assert_eq!(first.map(|o| o.key), Some("cipher"));
    }
}
