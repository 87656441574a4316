//! `key=value` lines on stdin, parsed the way fencing.py's `_parse_input_stdin` does.
//!
//! Names are matched by fencing.py key (`ipaddr`) or by long option with `-`/`_`
//! interchangeable (`ip`, `password_script`, `power-timeout`). Comments and blank lines are
//! skipped, `nodename` is ignored silently, unknown keys with a warning. Unlike fencing.py,
//! a warning names only the key, never the line: the line may hold a mistyped password.

use super::raw::Raw;
use super::table::{Kind, OptSpec};

/// Parses the whole stdin text.
pub fn parse(text: &str, table: &'static [OptSpec]) -> Raw {
    let lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    from_pairs(
        lines.map(|line| line.split_once('=').unwrap_or((line, ""))),
        table,
    )
}

/// Parses `key=value` pairs already split at the first `=`: what [`parse`] reads from each
/// line, and what a program holding a stonith device's parameters has (the pairs Pacemaker
/// would write to the agent's stdin, one line each, read back the same way).
pub fn from_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    table: &'static [OptSpec],
) -> Raw {
    let mut raw = Raw::new(table);
    for (name, value) in pairs {
        let name = name.trim_start();
        if name.starts_with('#') {
            continue;
        }
        let value = unquote(value.trim_end());
        match find(table, name) {
            Some(spec) => apply(&mut raw, spec, value),
            None if name == "nodename" => {}
            None => raw
                .warnings
                .push(format!("Parse error: Ignoring unknown option '{name}'")),
        }
    }
    raw.verbose_count = match raw.value("verbose") {
        Some("1") => 1,
        _ => 0,
    };
    raw
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

fn find(table: &'static [OptSpec], name: &str) -> Option<&'static OptSpec> {
    let dashed = name.replace('_', "-");
    let underscored = name.replace('-', "_");
    table
        .iter()
        .find(|o| o.long == underscored || o.long == dashed)
        .or_else(|| table.iter().find(|o| o.key == name))
}

fn apply(raw: &mut Raw, spec: &'static OptSpec, value: &str) {
    if spec.kind != Kind::Boolean {
        raw.set(spec, value.to_owned());
        return;
    }
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "on" | "true" => raw.set(spec, "1".to_owned()),
        "0" | "no" | "off" | "false" => raw.set(spec, "0".to_owned()),
        _ => raw.warnings.push(format!(
            "Parse error: Ignoring option '{}' because it does not have value",
            spec.key
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::table::OPTIONS;

    fn parse_ipmi(text: &str) -> Raw {
        parse(text, OPTIONS)
    }

    #[test]
    fn pacemaker_style_input() {
        let raw = parse_ipmi(
            "# comment\n\nip=10.0.0.1\nusername=\"admin\"\npassword=a=b\nlanplus=yes\n\
             password_script=/bin/pw\npower-timeout=30\nnodename=node1\naction=off\nport=x\n",
        );
        assert_eq!(raw.value("ipaddr"), Some("10.0.0.1"));
        assert_eq!(raw.value("login"), Some("admin"));
        assert_eq!(raw.value("passwd"), Some("a=b"));
        assert_eq!(raw.value("lanplus"), Some("1"));
        assert_eq!(raw.value("passwd_script"), Some("/bin/pw"));
        assert_eq!(raw.value("power_timeout"), Some("30"));
        assert_eq!(raw.value("action"), Some("off"));
        assert_eq!(raw.value("port"), Some("x"));
        assert!(raw.warnings.is_empty());
    }

    #[test]
    fn old_names_and_unknown_keys() {
        let raw = parse_ipmi("ipaddr=h\nlogin=u\npasswd=p\nfoo=secretish\nverbose=maybe\n");
        assert_eq!(raw.value("ipaddr"), Some("h"));
        assert_eq!(raw.value("login"), Some("u"));
        assert_eq!(raw.value("passwd"), Some("p"));
        assert_eq!(
            raw.warnings,
            vec![
                "Parse error: Ignoring unknown option 'foo'",
                "Parse error: Ignoring option 'verbose' because it does not have value"
            ]
        );
    }

    #[test]
    fn pairs_read_as_their_lines_would() {
        let raw = from_pairs(
            [
                (" ip", "h "),
                ("password", "\"a b\""),
                ("#ipport", "1"),
                ("lanplus", "true"),
            ],
            OPTIONS,
        );
        assert_eq!(
            raw,
            parse_ipmi(" ip=h \npassword=\"a b\"\n#ipport=1\nlanplus=true\n")
        );
        assert_eq!(raw.value("ipaddr"), Some("h"));
        assert_eq!(raw.value("passwd"), Some("a b"));
        assert!(!raw.has("ipport"));
        assert_eq!(raw.value("lanplus"), Some("1"));
    }

    #[test]
    fn verbose_on_stdin_means_level_one() {
        assert_eq!(parse_ipmi("verbose=1\n").verbose_count, 1);
        assert_eq!(parse_ipmi("verbose=off\n").verbose_count, 0);
    }
}
