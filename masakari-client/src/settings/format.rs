//! Which of the two configuration formats a monitor's file is in: its own TOML or an existing
//! `masakarimonitors.conf`, told by the section headers each has that the other has not.

use std::path::Path;

use super::ConfError;

/// A configuration file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The monitor's own TOML.
    Toml,
    /// masakari-monitors' oslo.config INI (`masakarimonitors.conf`).
    MasakariMonitors,
}

/// The section headers that tell one monitor's two formats apart.
#[derive(Debug, Clone, Copy)]
pub struct Headers {
    /// Headers only its masakarimonitors.conf has (`[api]`, `[DEFAULT]`, ...).
    pub ini: &'static [&'static str],
    /// Headers only its TOML has (`[masakari]`, `[paths]`, ...).
    pub toml: &'static [&'static str],
}

impl Format {
    /// Tells the format by the section headers, or by the extension (`.conf`, `.ini`:
    /// masakarimonitors.conf) when there are none of either (empty, comments only).
    pub fn detect(text: &str, path: &Path, headers: Headers) -> Result<Self, ConfError> {
        let found: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('['))
            .collect();
        let ini = found.iter().any(|h| headers.ini.contains(h));
        let toml = found.iter().any(|h| headers.toml.contains(h));
        match (ini, toml) {
            (true, true) => Err(ConfError::invalid(
                "the file",
                "mixes masakarimonitors.conf sections ([api], [DEFAULT], ...) with TOML ones",
            )),
            (true, false) => Ok(Self::MasakariMonitors),
            (false, true) => Ok(Self::Toml),
            (false, false) => Ok(Self::by_extension(path)),
        }
    }

    fn by_extension(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("conf" | "ini") => Self::MasakariMonitors,
            _ => Self::Toml,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADERS: Headers = Headers {
        ini: &["[api]", "[host]", "[DEFAULT]"],
        toml: &["[masakari]", "[masakari.auth]", "[monitor]"],
    };

    #[test]
    fn headers_decide_and_the_extension_breaks_ties() {
        let cases = [
            (
                "[api]\nauth_url = http://k\n",
                "x.toml",
                Format::MasakariMonitors,
            ),
            ("  [host]\n", "x", Format::MasakariMonitors),
            (
                "[masakari]\nendpoint = \"http://x\"\n",
                "x.conf",
                Format::Toml,
            ),
            ("[masakari.auth]\n", "x.ini", Format::Toml),
            (
                "# nothing\n",
                "masakarimonitors.conf",
                Format::MasakariMonitors,
            ),
            ("", "hostmonitor.toml", Format::Toml),
            ("", "hostmonitor", Format::Toml),
        ];
        for (text, name, expected) in cases {
            let found = Format::detect(text, Path::new(name), HEADERS).unwrap();
            assert_eq!(found, expected, "{text:?} {name}");
        }
        let mixed = Format::detect("[api]\n[monitor]\n", Path::new("x"), HEADERS).unwrap_err();
        assert!(mixed.to_string().contains("mixes"), "{mixed}");
    }
}
