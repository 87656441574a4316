//! `--help` text: fencing.py's `usage()` over the option table, wrapped like Python's
//! `textwrap.TextWrapper(width=85, initial_indent=3, subsequent_indent=40)`.

use super::table::OptSpec;

/// The full `--help` output for an agent with option table `table` installed as `program`.
pub fn usage(program: &str, table: &[OptSpec]) -> String {
    let mut out = format!("Usage:\n\t{program} [options]\nOptions:\n");
    let mut sorted: Vec<&OptSpec> = table.iter().collect();
    sorted.sort_by_key(|o| o.order);
    for spec in sorted {
        out.push_str("   ");
        out.push_str(&wrap(spec.help).join("\n"));
        out.push('\n');
    }
    out
}

const WIDTH: usize = 85;
const FIRST_INDENT: usize = 3;
const NEXT_INDENT: usize = 40;

/// Wraps `text`; the first line comes without its indent (fencing.py strips it).
fn wrap(text: &str) -> Vec<String> {
    let mut chunks = split_chunks(&text.replace(['\n', '\t'], " "));
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let indent = if lines.is_empty() {
            FIRST_INDENT
        } else {
            NEXT_INDENT
        };
        let width = WIDTH - indent;
        if !lines.is_empty() && chunks.last().is_some_and(|c| c.trim().is_empty()) {
            chunks.pop();
        }
        let mut line: Vec<String> = Vec::new();
        let mut len = 0;
        while let Some(chunk) = chunks.last() {
            if len + chunk.chars().count() > width {
                break;
            }
            len += chunk.chars().count();
            line.extend(chunks.pop());
        }
        if line.is_empty() {
            line.extend(chunks.pop());
        }
        if line.last().is_some_and(|c| c.trim().is_empty()) {
            line.pop();
        }
        if !line.is_empty() {
            let pad = if lines.is_empty() { 0 } else { NEXT_INDENT };
            lines.push(format!("{}{}", " ".repeat(pad), line.concat()));
        }
    }
    lines
}

/// Splits into alternating runs of spaces and non-spaces (textwrap's chunks without hyphen breaks).
fn split_chunks(text: &str) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    for c in text.chars() {
        match chunks.last_mut() {
            Some(last) if last.starts_with(' ') == (c == ' ') => last.push(c),
            _ => chunks.push(c.to_string()),
        }
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_fence_ipmilan_help_byte_for_byte() {
        let golden = include_str!("../../tests/data/fence_ipmilan-4.12.1-help.txt");
        assert_eq!(
            usage("fence_ipmilan", crate::options::table::OPTIONS),
            golden
        );
    }

    #[test]
    fn matches_fence_redfish_help_but_for_our_ca_file_option() {
        let golden = include_str!("../../tests/data/fence_redfish-4.12.1-help.txt");
        let ours = usage("fence_redfish", crate::options::table::REDFISH);
        let without: Vec<&str> = ours
            .lines()
            .filter(|l| !l.contains("--ssl-ca-file") && !l.contains("of the system's"))
            .collect();
        assert_eq!(without.join("\n") + "\n", golden);
    }
}
