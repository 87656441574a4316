//! fencing.py's `check_input`: defaults, action, validation, then typed settings: fence_ipmilan's
//! [`Settings`] by [`check`], another family's by [`check_with`] and that family's [`Builder`].

use std::time::Duration;

use secret::Secret;

use super::raw::Raw;
use super::settings::{Action, Method, Protocol, Settings, Timeouts};
use super::table::{Bounds, Effect, Kind, OptSpec};
use crate::family::Family;
use crate::ipmi::{AuthType, CipherSuite, Privilege};
use crate::personality::Personality;

/// What the run should do after checking the options.
#[derive(Debug)]
pub enum Outcome<S = Settings> {
    /// Print `--help`.
    Help,
    /// Print metadata (`metadata`, `meta-data`, `manpage`).
    Metadata,
    /// Print the version.
    Version,
    /// Log these errors, then "Please use '-h' for usage"; exit 1.
    Usage(Vec<String>),
    /// `validate-all` passed.
    ValidateOk,
    /// Fence (or query) with these settings.
    Run(Box<S>),
}

/// The checked options: logging setup and the outcome.
#[derive(Debug)]
pub struct Checked<S = Settings> {
    /// Warnings to log in the unconfigured format (parse and verbose-level oddities).
    pub early_warnings: Vec<String>,
    /// Warnings to log once logging is configured.
    pub warnings: Vec<String>,
    /// `-v` count or verbose_level.
    pub verbose_level: u32,
    /// `--quiet`.
    pub quiet: bool,
    /// `--debug-file`.
    pub debug_file: Option<String>,
    /// `--password-script`, to run before fencing.
    pub password_script: Option<String>,
    /// Options given that only concern ipmitool or sudo (accepted, ignored).
    pub ignored: Vec<&'static str>,
    /// What to do.
    pub outcome: Outcome<S>,
}

/// A family's typed settings from checked options: the raw values (defaults applied, validated),
/// the action (`None` for validate-all), `$PCMK_service`, and warnings to add to; failure lines.
pub type Builder<S> =
    fn(&Raw, Option<Action>, Option<&str>, &mut Vec<String>) -> Result<S, Vec<String>>;

/// Checks `raw` under a fence_ipmilan `personality`; `pcmk_service` is `$PCMK_service`.
pub fn check(raw: Raw, personality: &Personality, pcmk_service: Option<&str>) -> Checked {
    check_with(raw, personality, pcmk_service, settings)
}

/// Checks `raw` under `personality`, building its family's settings with `build`.
pub fn check_with<S>(
    mut raw: Raw,
    personality: &Personality,
    pcmk_service: Option<&str>,
    build: Builder<S>,
) -> Checked<S> {
    if is_true(raw.value("port_as_ip"))
        && let Some(plug) = raw.value("port").map(str::to_owned)
    {
        raw.set_key("ipaddr", &plug);
    }
    let ignored = raw
        .table()
        .iter()
        .filter(|o| o.effect == Effect::IgnoredToolOnly && raw.has(o.key))
        .map(|o| o.key)
        .collect();
    apply_defaults(&mut raw, personality);
    let action = raw.value("action").unwrap_or("reboot").to_lowercase();
    let action = if action == "meta-data" {
        "metadata".to_owned()
    } else {
        action
    };
    let mut checked = Checked {
        early_warnings: std::mem::take(&mut raw.warnings),
        warnings: Vec::new(),
        verbose_level: 0,
        quiet: is_set(raw.value("quiet")),
        debug_file: raw.value("debug").map(str::to_owned),
        password_script: raw.value("passwd_script").map(str::to_owned),
        ignored,
        outcome: Outcome::ValidateOk,
    };
    if raw.has("help") {
        checked.outcome = Outcome::Help;
    } else if action == "metadata" || action == "manpage" {
        checked.outcome = Outcome::Metadata;
    } else if raw.has("version") {
        checked.outcome = Outcome::Version;
    } else {
        checked.verbose_level = verbose_level(&raw, &mut checked.early_warnings);
        let family = personality.family;
        checked.outcome = decide(
            &raw,
            family,
            &action,
            pcmk_service,
            build,
            &mut checked.warnings,
        );
    }
    checked
}

fn decide<S>(
    raw: &Raw,
    family: &Family,
    action: &str,
    pcmk_service: Option<&str>,
    build: Builder<S>,
    warnings: &mut Vec<String>,
) -> Outcome<S> {
    let parsed = match action {
        "validate-all" => None,
        other => match Action::parse(other) {
            Some(a) => Some(a),
            None => return Outcome::Usage(vec![format!("Failed: Unrecognised action '{other}'")]),
        },
    };
    let errors = validate(raw, family);
    let settings = if errors.is_empty() {
        build(raw, parsed, pcmk_service, warnings)
    } else {
        Err(errors)
    };
    match (parsed, settings) {
        (None, Ok(_)) => Outcome::ValidateOk,
        (None, Err(mut errors)) => {
            errors.push("validate-all failed".to_owned());
            Outcome::Usage(errors)
        }
        (Some(_), Ok(s)) => Outcome::Run(Box::new(s)),
        (Some(_), Err(mut errors)) => {
            errors.truncate(1);
            Outcome::Usage(errors)
        }
    }
}

fn apply_defaults(raw: &mut Raw, personality: &Personality) {
    for spec in raw.table() {
        if !raw.has(spec.key)
            && let Some(default) = personality.default_for(spec.key, spec.default)
        {
            raw.set_key(spec.key, default);
        }
    }
}

fn verbose_level(raw: &Raw, warnings: &mut Vec<String>) -> u32 {
    let level = match raw.value("verbose_level") {
        Some(text) => py_int(text).unwrap_or(-1),
        None => i64::from(raw.verbose_count),
    };
    if level < 0 {
        warnings.push(
            "Parse error: Option 'verbose_level' must be an integer greater than or equal to 0. \
             Setting verbose_level to 0."
                .to_owned(),
        );
        return 0;
    }
    if level == 0 && is_true(raw.value("verbose")) {
        warnings.push(
            "Parse error: Ignoring option 'verbose' because it conflicts with verbose_level=0"
                .to_owned(),
        );
    }
    u32::try_from(level).unwrap_or(u32::MAX)
}

/// fencing.py's `_validate_input`: login, address, password, choices, types (in table order).
fn validate(raw: &Raw, family: &Family) -> Vec<String> {
    let mut errors = Vec::new();
    if family.requires_login && !raw.has("login") {
        errors.push("Failed: You have to set login name".to_owned());
    }
    if !raw.has("ipaddr") && !raw.has("target") {
        errors.push("Failed: You have to enter fence address".to_owned());
    }
    if family.requires_password && !raw.has("passwd") && !raw.has("passwd_script") {
        errors.push("Failed: You have to enter password or password script".to_owned());
    }
    for spec in raw.table() {
        let Some(value) = raw.value(spec.key) else {
            continue;
        };
        if let Kind::Select(choices) = spec.kind
            && !choices.iter().any(|c| c.eq_ignore_ascii_case(value))
        {
            let list: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
            errors.push(format!(
                "Failed: You have to enter a valid choice for --{} from the valid values: [{}]",
                spec.long,
                list.join(", ")
            ));
        }
    }
    for spec in raw.table() {
        if let Some(value) = raw.value(spec.key)
            && let Err(error) = number(spec, value)
        {
            errors.push(error);
        }
    }
    errors
}

/// fencing.py's type check of an integer or seconds option, then the table's [`Bounds`]
/// (fencing.py has none: see `table.rs`). Other kinds pass.
fn number(spec: &OptSpec, value: &str) -> Result<(), String> {
    let what = match spec.kind {
        Kind::Second => "time in seconds",
        Kind::Integer => "integer",
        _ => return Ok(()),
    };
    let long = spec.long;
    let n = match py_int_checked(value) {
        Ok(n) => n,
        Err(IntError::TooLarge) => i64::MAX,
        Err(IntError::Invalid) => {
            return Err(format!(
                "Failed: The value you have entered for --{long} is not a valid {what}"
            ));
        }
    };
    match spec.bounds {
        Some(b) if !b.contains(n) => Err(format!(
            "Failed: The value you have entered for --{long} is out of range ({}): {}",
            range_text(b),
            value.trim()
        )),
        _ => Ok(()),
    }
}

fn range_text(b: Bounds) -> String {
    if b.min == i64::MIN {
        format!("at most {}", b.max)
    } else {
        format!("{} to {}", b.min, b.max)
    }
}

/// fence_ipmilan's [`Builder`].
pub fn settings(
    raw: &Raw,
    action: Option<Action>,
    pcmk_service: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Settings, Vec<String>> {
    let mut errors = Vec::new();
    let port = u16::try_from(int(raw, "ipport")).unwrap_or_else(|_| {
        errors
            .push("Failed: The value you have entered for --ipport is not a valid port".to_owned());
        0
    });
    let protocol = protocol(raw, &mut errors, warnings);
    if raw.has("target") {
        errors.push("Failed: --target (IPMI bridging) is not supported by this agent".to_owned());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Settings {
        action: action.unwrap_or(Action::Status),
        host: raw.value("ipaddr").unwrap_or_default().to_owned(),
        port,
        username: raw.value("login").unwrap_or_default().to_owned(),
        password: Secret::from_string(raw.value("passwd").unwrap_or_default().to_owned()),
        privilege: privilege(raw.value("privlvl")),
        protocol,
        method: if raw
            .value("method")
            .is_some_and(|m| m.eq_ignore_ascii_case("cycle"))
        {
            Method::Cycle
        } else {
            Method::OnOff
        },
        timeouts: timeouts(raw, pcmk_service),
        retry_on: u8::try_from(int(raw, "retry_on")).unwrap_or(0),
        delay: secs(raw, "delay"),
    })
}

fn protocol(raw: &Raw, errors: &mut Vec<String>, warnings: &mut Vec<String>) -> Protocol {
    if !is_true(raw.value("lanplus")) {
        let auth = raw.value("auth").and_then(AuthType::from_option_name);
        if auth == Some(AuthType::NONE) {
            warnings
                .push("auth=none: IPMI 1.5 session without authentication (dangerous)".to_owned());
        }
        return Protocol::V15 { auth };
    }
    let cipher = match raw.value("cipher").map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => match text.parse::<u8>().ok().and_then(CipherSuite::from_id) {
            Some(suite) => Some(suite),
            None => {
                errors.push(format!(
                    "Failed: Cipher suite '{text}' is not supported (supported: 0, 1, 2, 3, 17)"
                ));
                None
            }
        },
    };
    if cipher.is_some_and(|c| c.id() == 0) {
        warnings.push(
            "cipher=0: RMCP+ session without authentication or integrity (dangerous)".to_owned(),
        );
    }
    let kg = match raw.value("hexadecimal_kg").filter(|k| !k.is_empty()) {
        None => None,
        Some(hex) => match decode_hex(hex).filter(|k| k.len() <= 20) {
            Some(bytes) => Some(Secret::new(bytes)),
            None => {
                errors
                    .push("Failed: hexadecimal_kg must be up to 40 hexadecimal digits".to_owned());
                None
            }
        },
    };
    Protocol::V20 { cipher, kg }
}

/// The time limits from the timeout options (fencing.py's semantics, `disable_timeout`).
pub(crate) fn timeouts(raw: &Raw, pcmk_service: Option<&str>) -> Timeouts {
    let disable = match raw.value("disable_timeout") {
        Some(v) => is_true(Some(v)),
        None => pcmk_service == Some("pacemaker-fenced"),
    };
    let limited = |key: &str, fallback: u64| {
        let d = secs(raw, key);
        if disable || d.is_zero() {
            Duration::from_secs(fallback)
        } else {
            d
        }
    };
    let power = secs(raw, "power_timeout");
    let retransmit = raw
        .value("ipmitool_timeout")
        .and_then(|t| t.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0)
        .map_or(Duration::from_secs(1), |t| {
            Duration::from_secs_f64(t.min(1.0))
        });
    Timeouts {
        login: limited("login_timeout", 10),
        command: limited("shell_timeout", 10),
        power: if disable || power.is_zero() {
            None
        } else {
            Some(power)
        },
        power_wait: secs(raw, "power_wait"),
        status_sleep: secs(raw, "stonith_status_sleep"),
        retransmit,
    }
}

fn privilege(value: Option<&str>) -> Privilege {
    match value.map(str::to_ascii_lowercase).as_deref() {
        Some("callback") => Privilege::CALLBACK,
        Some("user") => Privilege::USER,
        Some("operator") => Privilege::OPERATOR,
        _ => Privilege::ADMINISTRATOR,
    }
}

/// An integer option's value (0 when absent).
pub(crate) fn int(raw: &Raw, key: &str) -> i64 {
    raw.value(key).and_then(py_int).unwrap_or(0)
}

/// A seconds option, within its [`Bounds`] once [`validate`] passed (so deadline arithmetic,
/// `Instant + Duration`, cannot overflow).
pub(crate) fn secs(raw: &Raw, key: &str) -> Duration {
    Duration::from_secs(u64::try_from(int(raw, key)).unwrap_or(0))
}

/// A true boolean option value (`""` from argv, `"1"` from stdin).
pub(crate) fn is_true(value: Option<&str>) -> bool {
    matches!(value, Some("" | "1"))
}

fn is_set(value: Option<&str>) -> bool {
    value.is_some_and(|v| v != "0")
}

/// Python's `int(text)` for base 10: surrounding whitespace, a sign, `_` between digits;
/// `None` also for integers beyond `i64` (Python's are unbounded; none is within [`Bounds`]).
pub fn py_int(text: &str) -> Option<i64> {
    py_int_checked(text).ok()
}

/// Why a text is not an `i64` the way Python's `int()` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntError {
    /// Not an integer at all (fencing.py refuses it too).
    Invalid,
    /// An integer, but beyond `i64` (fencing.py takes it; we refuse it as out of range).
    TooLarge,
}

fn py_int_checked(text: &str) -> Result<i64, IntError> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let valid = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(IntError::Invalid);
    }
    let n: i64 = digits
        .replace('_', "")
        .parse()
        .map_err(|_| IntError::TooLarge)?;
    Ok(if neg { -n } else { n })
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().trim_start_matches("0x");
    if !t.len().is_multiple_of(2) {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| t.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::table::OPTIONS;
    use crate::options::{argv, stdin};
    use crate::personality::{FENCE_IPMILAN, from_argv0};

    fn run_args(list: &[&str]) -> Checked {
        let args: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        check(
            argv::parse(&args, OPTIONS).unwrap(),
            from_argv0("fence_ipmilan_rs", &FENCE_IPMILAN),
            None,
        )
    }

    #[test]
    fn py_int_accepts_what_python_accepts() {
        assert_eq!(py_int(" 12 "), Some(12));
        assert_eq!(py_int("+1_000"), Some(1000));
        assert_eq!(py_int("-3"), Some(-3));
        assert_eq!(py_int("1.5"), None);
        assert_eq!(py_int("_1"), None);
        assert_eq!(py_int(""), None);
    }

    #[test]
    fn defaults_and_typed_settings() {
        let c = run_args(&[
            "-a", "h", "-l", "u", "-p", "pw", "-P", "-C", "3", "-o", "Status",
        ]);
        let Outcome::Run(s) = c.outcome else {
            panic!("{:?}", c.outcome)
        };
        assert_eq!(s.action, Action::Status);
        assert_eq!(s.port, 623);
        assert_eq!(s.privilege, Privilege::ADMINISTRATOR);
        assert_eq!(s.timeouts.power_wait, Duration::from_secs(2));
        assert_eq!(s.timeouts.power, Some(Duration::from_secs(20)));
        assert!(matches!(
            s.protocol,
            Protocol::V20 {
                cipher: Some(_),
                kg: None
            }
        ));
        assert_eq!(s.password.expose(), b"pw");
    }

    #[test]
    fn fencing_py_error_messages() {
        let c = run_args(&["-a", "h", "-o", "bogus"]);
        assert!(
            matches!(&c.outcome, Outcome::Usage(e) if e == &["Failed: Unrecognised action 'bogus'"])
        );
        let c = run_args(&["-a", "h", "-L", "bad"]);
        let Outcome::Usage(e) = c.outcome else {
            panic!()
        };
        assert_eq!(
            e,
            [
                "Failed: You have to enter a valid choice for --privlvl from the valid values: \
              ['callback', 'user', 'operator', 'administrator']"
            ]
        );
        let c = run_args(&["--power-wait=x", "-o", "validate-all"]);
        let Outcome::Usage(e) = c.outcome else {
            panic!()
        };
        assert_eq!(
            e,
            [
                "Failed: You have to enter fence address",
                "Failed: The value you have entered for --power-wait is not a valid time in seconds",
                "validate-all failed"
            ]
        );
    }

    #[test]
    fn pacemaker_disables_timeouts_unless_told_otherwise() {
        let raw = stdin::parse("ip=h\naction=off\n", OPTIONS);
        let c = check(
            raw,
            from_argv0("fence_ipmilan_rs", &FENCE_IPMILAN),
            Some("pacemaker-fenced"),
        );
        let Outcome::Run(s) = c.outcome else { panic!() };
        assert_eq!(s.timeouts.power, None);
    }

    fn usage(c: Checked) -> Vec<String> {
        match c.outcome {
            Outcome::Usage(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_out_of_bounds_are_refused_with_the_range() {
        let e = usage(run_args(&["-a", "h", "--retry-on", "4294967295"]));
        assert_eq!(
            e,
            [
                "Failed: The value you have entered for --retry-on is out of range (0 to 100): 4294967295"
            ]
        );
        for (option, value) in [
            ("--retry-on", "-1"),
            ("--retry-on", "101"),
            ("--retry-on", "99999999999999999999999"),
            ("--ipport", "0"),
            ("--ipport", "65536"),
            ("--ipport", "-1"),
            ("--login-timeout", "99999999999999999"),
            ("--power-wait", "99999999999999999999"),
            ("--power-timeout", "-3"),
            ("--delay", "-5"),
            ("--shell-timeout", "31536001"),
            ("--stonith-status-sleep", "-1"),
            ("--verbose-level", "101"),
        ] {
            let e = usage(run_args(&["-a", "h", option, value]));
            assert!(
                e.len() == 1 && e[0].contains("is out of range") && e[0].contains(option),
                "{option}={value}: {e:?}"
            );
        }
        let e = usage(run_args(&[
            "-a",
            "h",
            "--verbose-level",
            "1000",
            "-o",
            "validate-all",
        ]));
        assert_eq!(
            e[0],
            "Failed: The value you have entered for --verbose-level is out of range (at most 100): 1000"
        );
    }

    #[test]
    fn numbers_at_the_bounds_are_taken() {
        let c = run_args(&[
            "-a",
            "h",
            "--retry-on",
            "100",
            "--ipport",
            "65535",
            "--delay",
            "31536000",
            "--power-timeout",
            "0",
        ]);
        let Outcome::Run(s) = c.outcome else {
            panic!("{:?}", c.outcome)
        };
        assert_eq!((s.retry_on, s.port), (100, 65_535));
        assert_eq!(s.delay, Duration::from_secs(31_536_000));
        let c = check(
            stdin::parse("ip=h\nretry_on=0\nipport=1\nverbose_level=-4\n", OPTIONS),
            from_argv0("fence_ipmilan_rs", &FENCE_IPMILAN),
            None,
        );
        let Outcome::Run(s) = c.outcome else {
            panic!("{:?}", c.outcome)
        };
        assert_eq!((s.retry_on, s.port, c.verbose_level), (0, 1, 0));
    }

    #[test]
    fn docs_outcomes() {
        assert!(matches!(
            run_args(&["-o", "meta-data"]).outcome,
            Outcome::Metadata
        ));
        assert!(matches!(run_args(&["-h"]).outcome, Outcome::Help));
        assert!(matches!(run_args(&["-V"]).outcome, Outcome::Version));
    }

    #[test]
    fn ilo3_personality_defaults_to_lanplus() {
        let raw = argv::parse(&["-a".to_owned(), "h".to_owned()], OPTIONS).unwrap();
        let c = check(raw, from_argv0("fence_ilo3_rs", &FENCE_IPMILAN), None);
        let Outcome::Run(s) = c.outcome else { panic!() };
        assert!(matches!(s.protocol, Protocol::V20 { .. }));
        assert_eq!(s.timeouts.power_wait, Duration::from_secs(4));
    }
}
