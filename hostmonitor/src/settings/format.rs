//! Which of the two configuration formats a file is in (told apart by the shared reader,
//! [`masakari_client::settings::Format`], from the headers below).

use std::path::Path;

use masakari_client::settings::{self, Headers};

use super::SettingsError;

/// A configuration file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// This monitor's own TOML (`hostmonitor.toml`).
    Toml,
    /// masakari-monitors' oslo.config INI (`masakarimonitors.conf`).
    MasakariMonitors,
}

/// Section headers only masakarimonitors.conf has, and those only our TOML has.
const HEADERS: Headers = Headers {
    ini: &["[api]", "[host]", "[DEFAULT]"],
    toml: &[
        "[masakari]",
        "[masakari.auth]",
        "[monitor]",
        "[paths]",
        "[metrics]",
        "[host_names]",
        "[processes]",
        "[processes.agents]",
        "[processes.resources]",
    ],
};

impl Format {
    /// Tells the format by the section headers, or by the extension when there are none.
    pub fn detect(text: &str, path: &Path) -> Result<Self, SettingsError> {
        Ok(match settings::Format::detect(text, path, HEADERS)? {
            settings::Format::Toml => Self::Toml,
            settings::Format::MasakariMonitors => Self::MasakariMonitors,
        })
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
    fn the_host_monitors_sections_decide() {
        let p = Path::new("x");
        assert_eq!(
            Format::detect("[host]\n", p).unwrap(),
            Format::MasakariMonitors
        );
        assert_eq!(Format::detect("[host_names]\n", p).unwrap(), Format::Toml);
        assert_eq!(Format::detect("[paths]\n", p).unwrap(), Format::Toml);
        assert!(Format::detect("[api]\n[monitor]\n", p).is_err());
    }
}
