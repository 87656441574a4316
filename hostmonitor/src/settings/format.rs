//! Which of the two configuration formats a file is in.

use std::path::Path;

use super::SettingsError;

/// A configuration file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// This monitor's own TOML (`hostmonitor.toml`).
    Toml,
    /// masakari-monitors' oslo.config INI (`masakarimonitors.conf`).
    MasakariMonitors,
}

/// Section headers only masakarimonitors.conf has.
const INI_SECTIONS: &[&str] = &["[api]", "[host]", "[DEFAULT]"];
/// Section headers only our TOML has.
const TOML_SECTIONS: &[&str] = &[
    "[masakari]",
    "[masakari.auth]",
    "[monitor]",
    "[paths]",
    "[metrics]",
    "[host_names]",
];

impl Format {
    /// Tells the format by the section headers, or by the extension when there are none.
    pub fn detect(text: &str, path: &Path) -> Result<Self, SettingsError> {
        let headers: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('['))
            .collect();
        let ini = headers.iter().any(|h| INI_SECTIONS.contains(h));
        let toml = headers.iter().any(|h| TOML_SECTIONS.contains(h));
        match (ini, toml) {
            (true, true) => Err(SettingsError::invalid(
                "the file",
                "mixes masakarimonitors.conf sections ([api], [host]) with hostmonitor.toml ones",
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

    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Toml => "hostmonitor TOML",
            Self::MasakariMonitors => "masakarimonitors.conf",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_decide_and_the_extension_breaks_ties() {
        let p = |name: &str| Path::new(name).to_owned();
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
            assert_eq!(
                Format::detect(text, &p(name)).unwrap(),
                expected,
                "{text:?} {name}"
            );
        }
        let mixed = Format::detect("[api]\n[monitor]\n", &p("x")).unwrap_err();
        assert!(mixed.to_string().contains("mixes"), "{mixed}");
    }
}
