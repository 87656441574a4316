//! Logging in fencing.py's shapes, so operators' log parsing keeps working.
//!
//! Before the options are checked, messages look like Python's unconfigured root logger
//! (`WARNING:root:msg`); afterwards like fencing.py's `LOG_FORMAT`
//! (`2026-01-01 10:00:00,123 ERROR: msg`). Secrets never reach this module: callers pass
//! already-redacted text (see [`secret::Secret`]).

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// Severity of a log line, as Python's logging names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Shown only with `-v`.
    Debug,
    /// Shown only with `-v`.
    Info,
    /// Always shown (unless `--quiet`).
    Warning,
    /// Always shown (unless `--quiet`).
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// Where log lines go: stderr (unless quiet) and an optional debug file.
pub struct Logger {
    stderr: Box<dyn Write>,
    debug_file: Option<File>,
    configured: bool,
    verbose: bool,
    quiet: bool,
}

impl Logger {
    /// A logger writing to `stderr`, in the unconfigured (`LEVEL:root:`) format.
    pub fn new(stderr: Box<dyn Write>) -> Self {
        Self {
            stderr,
            debug_file: None,
            configured: false,
            verbose: false,
            quiet: false,
        }
    }

    /// Switches to fencing.py's configured format with the given verbosity.
    pub fn configure(&mut self, verbose: bool, quiet: bool) {
        self.configured = true;
        self.verbose = verbose;
        self.quiet = quiet;
    }

    /// Also writes every line (debug included) to `file`.
    pub fn add_debug_file(&mut self, file: File) {
        self.debug_file = Some(file);
    }

    /// Whether debug lines are shown.
    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// Logs `msg` at `level`. Write errors are ignored: logging must never fail fencing.
    pub fn log(&mut self, level: Level, msg: &str) {
        let line = if self.configured {
            format!("{} {}: {msg}\n", timestamp(SystemTime::now()), level.name())
        } else {
            format!("{}:root:{msg}\n", level.name())
        };
        if let Some(file) = self.debug_file.as_mut() {
            let _ = file.write_all(line.as_bytes());
        }
        let shown = level >= Level::Warning || self.verbose;
        if shown && !self.quiet {
            let _ = self.stderr.write_all(line.as_bytes());
            let _ = self.stderr.flush();
        }
    }

    /// Logs at debug level.
    pub fn debug(&mut self, msg: &str) {
        self.log(Level::Debug, msg);
    }

    /// Logs at warning level.
    pub fn warning(&mut self, msg: &str) {
        self.log(Level::Warning, msg);
    }

    /// Logs at error level.
    pub fn error(&mut self, msg: &str) {
        self.log(Level::Error, msg);
    }
}

/// `YYYY-MM-DD HH:MM:SS,mmm` in UTC (Python's asctime shape).
fn timestamp(now: SystemTime) -> String {
    // humantime panics before the epoch and refuses years past 9999.
    let mut rfc3339 = String::new();
    let written = write!(
        rfc3339,
        "{}",
        humantime::format_rfc3339_millis(now.max(UNIX_EPOCH))
    );
    if written.is_err() {
        return "9999-12-31 23:59:59,999".to_owned();
    }
    // `2026-11-25T22:50:00.123Z`, reshaped.
    rfc3339
        .trim_end_matches('Z')
        .replacen('T', " ", 1)
        .replacen('.', ",", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamp_matches_python_asctime_shape() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_647_000_123);
        assert_eq!(timestamp(t), "2026-11-25 22:50:00,123");
    }

    #[test]
    fn epoch_and_leap_day() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01 00:00:00,000");
        let leap = UNIX_EPOCH + Duration::from_secs(19_782 * 86_400);
        assert_eq!(timestamp(leap), "2024-02-29 00:00:00,000");
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(timestamp(before), "1970-01-01 00:00:00,000");
        let far = UNIX_EPOCH + Duration::from_secs(300_000_000_000);
        assert_eq!(timestamp(far), "9999-12-31 23:59:59,999");
    }
}
