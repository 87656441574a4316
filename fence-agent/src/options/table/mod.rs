//! The option tables: one declaration per parameter of each agent family, fence_ipmilan's
//! ([`OPTIONS`], in `ipmilan.rs`) and fence_redfish's ([`REDFISH`], in `redfish.rs`), both of
//! fence-agents 4.12.1. The shared entries (fencing.py's `all_opt`) are declared once here.
//!
//! Argv parsing, stdin `key=value` parsing, `--help`, `-o metadata` and the alias
//! personalities all read an agent's table and nothing else. Entries are in fencing.py's
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
pub(crate) const SECONDS: Bounds = Bounds {
    min: 0,
    max: MAX_SECONDS,
};

/// What the agent does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The option changes what the agent does.
    Used,
    /// Only meaningful for a tool fencing.py would run (ipmitool, sudo, gnutls-cli): accepted so
    /// configurations keep working, ignored.
    IgnoredToolOnly,
}

/// One parameter of the agent.
#[derive(Debug, PartialEq, Eq)]
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
    /// Metadata `required="1"` (fence_redfish's login; `action` always is).
    pub required: bool,
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

pub(crate) const fn opt(
    key: &'static str,
    short: Option<char>,
    long: &'static str,
    kind: Kind,
) -> OptSpec {
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
        required: false,
        effect: Effect::Used,
        bounds: match kind {
            Kind::Second => Some(SECONDS),
            _ => None,
        },
    }
}

pub(crate) const fn with(
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

pub(crate) const fn ignored(mut spec: OptSpec) -> OptSpec {
    spec.effect = Effect::IgnoredToolOnly;
    spec
}

pub(crate) const fn bounded(mut spec: OptSpec, min: i64, max: i64) -> OptSpec {
    spec.bounds = Some(Bounds { min, max });
    spec
}

pub(crate) const fn defaulted(mut spec: OptSpec, default: &'static str) -> OptSpec {
    spec.default = Some(default);
    spec
}

pub(crate) const fn required(mut spec: OptSpec) -> OptSpec {
    spec.required = true;
    spec
}

pub(crate) const fn hidden(mut spec: OptSpec) -> OptSpec {
    spec.in_metadata = false;
    spec
}

mod common;
mod ipmilan;
mod redfish;

pub use ipmilan::OPTIONS;
pub use redfish::REDFISH;

/// The fence_ipmilan table entry with fencing.py key `key`.
pub fn by_key(key: &str) -> Option<&'static OptSpec> {
    find(OPTIONS, key)
}

/// The entry of `table` with fencing.py key `key`.
pub fn find(table: &'static [OptSpec], key: &str) -> Option<&'static OptSpec> {
    table.iter().find(|o| o.key == key)
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
        for table in [OPTIONS, REDFISH] {
            for (i, a) in table.iter().enumerate() {
                assert!(!a.help.is_empty() && !a.shortdesc.is_empty(), "{}", a.key);
                assert!(
                    table
                        .iter()
                        .skip(i + 1)
                        .all(|b| b.key != a.key && b.long != a.long)
                );
            }
        }
    }

    #[test]
    fn every_number_is_bounded() {
        for spec in OPTIONS.iter().chain(REDFISH) {
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
    fn the_families_differ_where_fence_agents_does() {
        let redfish = |key| find(REDFISH, key);
        assert_eq!(redfish("ipport").and_then(|o| o.default), Some("443"));
        assert_eq!(redfish("power_wait").and_then(|o| o.default), Some("0"));
        assert_eq!(by_key("power_wait").and_then(|o| o.default), Some("2"));
        assert_eq!(redfish("login").map(|o| o.required), Some(true));
        assert_eq!(by_key("login").map(|o| o.required), Some(false));
        assert!(redfish("lanplus").is_none() && by_key("systems-uri").is_none());
    }

    #[test]
    fn first_short_option_wins_like_fencing_py() {
        let first = OPTIONS.iter().find(|o| o.short == Some('C'));
        assert_eq!(first.map(|o| o.key), Some("cipher"));
    }
}
