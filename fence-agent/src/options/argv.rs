//! Command-line parsing with Python `getopt.gnu_getopt` semantics (as fencing.py uses it):
//! options and operands may mix, `--` ends options, long names may be abbreviated to a
//! unique prefix, short flags cluster (`-vvv`), values attach (`-pX`, `--x=X`) or follow.

use super::raw::Raw;
use super::table::OptSpec;

/// Parses `args` (without `argv[0]`). The error is fencing.py's parse-error message.
pub fn parse(args: &[String], table: &'static [OptSpec]) -> Result<Raw, String> {
    let mut raw = Raw::new(table);
    let mut operands = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            operands.extend(rest.by_ref().cloned());
        } else if let Some(long) = arg.strip_prefix("--") {
            parse_long(long, &mut rest, &mut raw)?;
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
            parse_short_cluster(cluster, &mut rest, &mut raw)?;
        } else {
            operands.push(arg.clone());
        }
    }
    if !operands.is_empty() {
        let list: Vec<String> = operands.iter().map(|o| format!("'{o}'")).collect();
        raw.warnings.push(format!(
            "Unused arguments on command line: [{}]",
            list.join(", ")
        ));
    }
    if raw.has("port") && !raw.has("port_as_ip") {
        return Err("Parser error: option -n/--plug is not recognized".to_owned());
    }
    Ok(raw)
}

fn parse_long<'a>(
    text: &str,
    rest: &mut impl Iterator<Item = &'a String>,
    raw: &mut Raw,
) -> Result<(), String> {
    let (name, attached) = match text.split_once('=') {
        Some((n, v)) => (n, Some(v.to_owned())),
        None => (text, None),
    };
    let spec = find_long(raw.table(), name)?;
    let value = match (spec.takes_value(), attached) {
        (true, Some(v)) => v,
        (true, None) => rest
            .next()
            .cloned()
            .ok_or_else(|| format!("Parse error: option --{} requires argument", spec.long))?,
        (false, Some(_)) => {
            return Err(format!(
                "Parse error: option --{} must not have an argument",
                spec.long
            ));
        }
        (false, None) => String::new(),
    };
    record(raw, spec, value);
    Ok(())
}

fn find_long(table: &'static [OptSpec], name: &str) -> Result<&'static OptSpec, String> {
    if let Some(exact) = table.iter().find(|o| o.long == name) {
        return Ok(exact);
    }
    let mut prefixed = table.iter().filter(|o| o.long.starts_with(name));
    match (prefixed.next(), prefixed.next()) {
        (Some(only), None) => Ok(only),
        (Some(_), Some(_)) => Err(format!("Parse error: option --{name} not a unique prefix")),
        _ => Err(format!("Parse error: option --{name} not recognized")),
    }
}

fn parse_short_cluster<'a>(
    cluster: &str,
    rest: &mut impl Iterator<Item = &'a String>,
    raw: &mut Raw,
) -> Result<(), String> {
    for (at, letter) in cluster.char_indices() {
        let spec = raw
            .table()
            .iter()
            .find(|o| o.short == Some(letter))
            .ok_or_else(|| format!("Parse error: option -{letter} not recognized"))?;
        if !spec.takes_value() {
            record(raw, spec, String::new());
            continue;
        }
        let attached = cluster.get(at + letter.len_utf8()..).unwrap_or_default();
        let value = if attached.is_empty() {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("Parse error: option -{letter} requires argument"))?
        } else {
            attached.to_owned()
        };
        record(raw, spec, value);
        return Ok(());
    }
    Ok(())
}

fn record(raw: &mut Raw, spec: &'static OptSpec, value: String) {
    if spec.key == "verbose" {
        raw.verbose_count += 1;
    }
    raw.set(spec, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ipmi(args: &[String]) -> Result<Raw, String> {
        parse(args, crate::options::table::OPTIONS)
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn short_long_attached_and_clustered() {
        let raw = parse_ipmi(&args(&[
            "-a",
            "10.0.0.1",
            "--username=admin",
            "-pX",
            "-vvP",
            "-C",
            "3",
        ]))
        .unwrap();
        assert_eq!(raw.value("ipaddr"), Some("10.0.0.1"));
        assert_eq!(raw.value("login"), Some("admin"));
        assert_eq!(raw.value("passwd"), Some("X"));
        assert_eq!(raw.value("lanplus"), Some(""));
        assert_eq!(raw.value("cipher"), Some("3"));
        assert_eq!(raw.verbose_count, 2);
    }

    #[test]
    fn unique_prefixes_and_operands() {
        let raw = parse_ipmi(&args(&["--ipp", "624", "extra", "--", "-o"])).unwrap();
        assert_eq!(raw.value("ipport"), Some("624"));
        assert_eq!(
            raw.warnings,
            vec!["Unused arguments on command line: ['extra', '-o']"]
        );
    }

    #[test]
    fn getopt_errors_as_fencing_py_prints_them() {
        assert_eq!(
            parse_ipmi(&args(&["-Z"])).unwrap_err(),
            "Parse error: option -Z not recognized"
        );
        assert_eq!(
            parse_ipmi(&args(&["--pass"])).unwrap_err(),
            "Parse error: option --pass not a unique prefix"
        );
        assert_eq!(
            parse_ipmi(&args(&["-o"])).unwrap_err(),
            "Parse error: option -o requires argument"
        );
        assert_eq!(
            parse_ipmi(&args(&["--lanplus=1"])).unwrap_err(),
            "Parse error: option --lanplus must not have an argument"
        );
        assert_eq!(
            parse_ipmi(&args(&["-n", "x"])).unwrap_err(),
            "Parser error: option -n/--plug is not recognized"
        );
    }
}
