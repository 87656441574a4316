//! oslo.config's INI dialect, as masakari-monitors reads `masakarimonitors.conf`.
//!
//! The rules follow `oslo_config/iniparser.py`: `[section]` headers; `key = value` or `key: value`
//! (whichever separator comes first); a comment is a line starting with `#` or `;` (never the end of
//! a line: values such as passwords may hold `#`); an indented line continues the previous value
//! (joined with a newline); a blank line ends it; one pair of matching quotes around a value is
//! removed; a later key wins. oslo.config then replaces `$$` with `$` and substitutes `$name`;
//! substitution is refused here (by key, never showing the value) rather than guessed.

use std::collections::BTreeMap;

use super::ConfError;

/// One value and the line it started on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The value, quotes removed and `$$` unescaped.
    pub text: String,
    /// Its line (1-based), for error messages.
    pub line: usize,
}

/// Sections by name, keys by name (as written; oslo.config is case-sensitive for both).
pub type Sections = BTreeMap<String, BTreeMap<String, Value>>;

/// Parses oslo.config INI text.
pub fn parse(text: &str) -> Result<Sections, ConfError> {
    let mut parser = Parser::default();
    for (index, raw) in text.lines().enumerate() {
        parser.line(index + 1, raw.trim_end())?;
    }
    parser.flush()?;
    Ok(parser.sections)
}

#[derive(Default)]
struct Parser {
    sections: Sections,
    section: Option<String>,
    pending: Option<(String, Vec<String>, usize)>,
}

impl Parser {
    fn line(&mut self, number: usize, line: &str) -> Result<(), ConfError> {
        if line.is_empty() {
            return self.flush();
        }
        if line.starts_with([' ', '\t']) {
            let Some((_, parts, _)) = &mut self.pending else {
                return Err(syntax(number, "unexpected continuation line"));
            };
            parts.push(line.trim_start().to_owned());
            return Ok(());
        }
        self.flush()?;
        if let Some(header) = line.strip_prefix('[') {
            let name = header
                .strip_suffix(']')
                .ok_or_else(|| syntax(number, "section header must end with ]"))?;
            if name.is_empty() {
                return Err(syntax(number, "empty section name"));
            }
            self.section = Some(name.to_owned());
            self.sections.entry(name.to_owned()).or_default();
            return Ok(());
        }
        if line.starts_with(['#', ';']) {
            return Ok(());
        }
        let (key, value) = split(line).ok_or_else(|| syntax(number, "no '=' or ':' in line"))?;
        if key.is_empty() {
            return Err(syntax(number, "empty key"));
        }
        if self.section.is_none() {
            return Err(syntax(number, "key before any [section]"));
        }
        self.pending = Some((key.to_owned(), vec![unquote(value).to_owned()], number));
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConfError> {
        let (Some((key, parts, line)), Some(section)) = (self.pending.take(), &self.section) else {
            return Ok(());
        };
        let text = unescape(&parts.join("\n")).ok_or_else(|| ConfError::Syntax {
            message: format!(
                "{section}.{key}: `$name` substitution is not supported (write `$$` for a `$`)"
            ),
            line,
        })?;
        let keys = self.sections.entry(section.clone()).or_default();
        keys.insert(key, Value { text, line });
        Ok(())
    }
}

/// Splits at the first `=` or `:`, whichever comes first.
fn split(line: &str) -> Option<(&str, &str)> {
    let at = line.find(['=', ':'])?;
    let key = line.get(..at)?;
    let value = line.get(at + 1..)?;
    Some((key.trim(), value.trim()))
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// `$$` becomes `$`; any other `$` would be oslo.config substitution (`None`).
fn unescape(value: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '$' && chars.next() != Some('$') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

fn syntax(line: usize, message: &str) -> ConfError {
    ConfError::Syntax {
        message: message.to_owned(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(s: &'a Sections, section: &str, key: &str) -> &'a str {
        &s[section][key].text
    }

    #[test]
    fn reads_sections_keys_and_oslo_quirks() {
        let text = "# comment\n[DEFAULT]\ndebug = true\n\n[api]\nauth_url = http://k:5000/v3\n\
                    password = pa#ss;word\nusername: masakari\nregion = \"RegionTwo\"\n\
                    ; other comment\nnote = first\n  second\n\nprice = $$5\n[api]\nusername = later\n";
        let s = parse(text).unwrap();
        assert_eq!(value(&s, "DEFAULT", "debug"), "true");
        assert_eq!(value(&s, "api", "auth_url"), "http://k:5000/v3");
        assert_eq!(value(&s, "api", "password"), "pa#ss;word");
        assert_eq!(value(&s, "api", "username"), "later");
        assert_eq!(value(&s, "api", "region"), "RegionTwo");
        assert_eq!(value(&s, "api", "note"), "first\nsecond");
        assert_eq!(value(&s, "api", "price"), "$5");
        assert_eq!(s["api"]["auth_url"].line, 6);
    }

    #[test]
    fn the_first_separator_wins() {
        let s = parse("[a]\nurl = http://x:1\nkey: a=b\n").unwrap();
        assert_eq!(value(&s, "a", "url"), "http://x:1");
        assert_eq!(value(&s, "a", "key"), "a=b");
    }

    #[test]
    fn mistakes_give_the_line_and_never_the_value() {
        let cases = [
            ("[a]\n  indented first\n", "line 2: unexpected continuation"),
            ("[a\nk = v\n", "line 1: section header"),
            ("[]\n", "line 1: empty section"),
            ("[a]\njust words\n", "line 2: no '='"),
            ("[a]\n= v\n", "line 2: empty key"),
            ("k = v\n", "line 1: key before"),
            (
                "[api]\npassword = se$cret\n",
                "line 2: api.password: `$name`",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{text:?}: {err}");
            assert!(!err.contains("cret"), "{err}");
        }
    }
}
