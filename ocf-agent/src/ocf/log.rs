//! Logging the way OCF agents do (ocf-shellfuncs' `ocf_log`): to syslog when `HA_LOGFACILITY`
//! names a facility, to `HA_LOGFILE` when set, to stderr when neither is; debug lines only with
//! `HA_DEBUG` (or ocf-tester's `HA_debug`), and to `HA_DEBUGLOG` when that is set. Every line
//! carries the tag `agent(instance)[pid]`. Logging never fails an action: write errors are dropped.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use super::env::Environment;

/// Severity of a line, with its syslog number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Only with `HA_DEBUG`.
    Debug,
    /// Normal progress.
    Info,
    /// Something odd that did not fail the action.
    Warning,
    /// The action failed.
    Error,
}

impl Level {
    fn syslog_severity(self) -> u8 {
        match self {
            Level::Debug => 7,
            Level::Info => 6,
            Level::Warning => 4,
            Level::Error => 3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// Where an agent's log lines go, decided once from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logger {
    tag: String,
    facility: Option<u8>,
    file: Option<PathBuf>,
    debug: bool,
    debug_file: Option<PathBuf>,
    syslog_socket: PathBuf,
}

impl Logger {
    /// A logger for agent `agent` acting on the instance named in `env`.
    pub fn from_env(agent: &str, env: &Environment) -> Self {
        let set = |name: &str| env.var(name).filter(|v| !v.is_empty());
        let debug = ["HA_DEBUG", "HA_debug"]
            .iter()
            .filter_map(|n| set(n))
            .any(|v| !matches!(v, "0" | "false" | "no" | "off"));
        Self {
            tag: format!("{agent}({})[{}]", env.instance(agent), std::process::id()),
            facility: set("HA_LOGFACILITY").and_then(facility),
            file: set("HA_LOGFILE").map(PathBuf::from),
            debug,
            debug_file: set("HA_DEBUGLOG").map(PathBuf::from),
            syslog_socket: PathBuf::from("/dev/log"),
        }
    }

    /// Logs `msg` at `level`.
    pub fn log(&self, level: Level, msg: &str) {
        if level == Level::Debug {
            if !self.debug {
                return;
            }
            if let Some(path) = &self.debug_file {
                self.append(path, level, msg);
                return;
            }
        }
        if let Some(facility) = self.facility {
            self.syslog(facility, level, msg);
        }
        if let Some(path) = &self.file {
            self.append(path, level, msg);
        }
        if self.facility.is_none() && self.file.is_none() {
            let _ = writeln!(std::io::stderr(), "{}: {}: {msg}", self.tag, level.name());
        }
    }

    /// Logs at debug level.
    pub fn debug(&self, msg: &str) {
        self.log(Level::Debug, msg);
    }

    /// Logs at info level.
    pub fn info(&self, msg: &str) {
        self.log(Level::Info, msg);
    }

    /// Logs at warning level.
    pub fn warning(&self, msg: &str) {
        self.log(Level::Warning, msg);
    }

    /// Logs at error level.
    pub fn error(&self, msg: &str) {
        self.log(Level::Error, msg);
    }

    fn append(&self, path: &PathBuf, level: Level, msg: &str) {
        let line = format!("{}: {} {}: {msg}\n", self.tag, utc_now(), level.name());
        if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(path) {
            let _ = f.write_all(line.as_bytes());
        }
    }

    fn syslog(&self, facility: u8, level: Level, msg: &str) {
        let priority = u16::from(facility) * 8 + u16::from(level.syslog_severity());
        let line = format!("<{priority}>{}: {}: {msg}", self.tag, level.name());
        if let Ok(socket) = UnixDatagram::unbound() {
            let _ = socket.send_to(line.as_bytes(), &self.syslog_socket);
        }
    }
}

/// Syslog facility numbers by name (`none` and unknown names turn syslog off).
fn facility(name: &str) -> Option<u8> {
    const FACILITIES: &[(&str, u8)] = &[
        ("kern", 0),
        ("user", 1),
        ("mail", 2),
        ("daemon", 3),
        ("auth", 4),
        ("syslog", 5),
        ("lpr", 6),
        ("news", 7),
        ("uucp", 8),
        ("cron", 9),
        ("authpriv", 10),
        ("local0", 16),
        ("local1", 17),
        ("local2", 18),
        ("local3", 19),
        ("local4", 20),
        ("local5", 21),
        ("local6", 22),
        ("local7", 23),
    ];
    FACILITIES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, counted forward from the epoch year by year (no calendar crate needed).
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (mut days, rem) = (secs / 86_400, secs % 86_400);
    let mut year = 1970;
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let feb = if is_leap(year) { 29 } else { 28 };
    let mut month = 1;
    for len in [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] {
        if days < len {
            break;
        }
        days -= len;
        month += 1;
    }
    format!(
        "{year:04}-{month:02}-{:02}T{:02}:{:02}:{:02}Z",
        days + 1,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logger(vars: &[(&str, &str)]) -> Logger {
        Logger::from_env(
            "agent",
            &Environment::from_vars(vars.iter().map(|(k, v)| (*k, *v))),
        )
    }

    #[test]
    fn reads_the_ha_variables() {
        let l = logger(&[
            ("OCF_RESOURCE_INSTANCE", "hm"),
            ("HA_LOGFACILITY", "daemon"),
            ("HA_LOGFILE", "/tmp/x.log"),
            ("HA_debug", "1"),
        ]);
        assert!(l.tag.starts_with("agent(hm)["));
        assert_eq!(l.facility, Some(3));
        assert_eq!(l.file, Some(PathBuf::from("/tmp/x.log")));
        assert!(l.debug);
        let quiet = logger(&[("HA_LOGFACILITY", "none"), ("HA_DEBUG", "0")]);
        assert_eq!(quiet.facility, None);
        assert!(!quiet.debug);
    }

    #[test]
    fn writes_the_log_file_with_the_instance() {
        let dir = std::env::temp_dir().join(format!("ocf-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ha.log");
        let l = logger(&[
            ("OCF_RESOURCE_INSTANCE", "hm"),
            ("HA_LOGFILE", file.to_str().unwrap()),
        ]);
        l.info("started");
        l.debug("hidden");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(text.contains("agent(hm)["), "{text}");
        assert!(text.contains("INFO: started"));
        assert!(!text.contains("hidden"));
    }

    #[test]
    fn syslog_lines_carry_priority_and_tag() {
        let dir = std::env::temp_dir().join(format!("ocf-syslog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        let mut l = logger(&[
            ("OCF_RESOURCE_INSTANCE", "hm"),
            ("HA_LOGFACILITY", "local2"),
        ]);
        l.syslog_socket = path;
        l.warning("api slow");
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let line = String::from_utf8_lossy(&buf[..n]).into_owned();
        // local2 (18) * 8 + warning (4) = 148
        assert!(line.starts_with("<148>agent(hm)["), "{line}");
        assert!(line.ends_with(": WARNING: api slow"), "{line}");
    }

    #[test]
    fn timestamps_look_like_rfc3339() {
        let t = utc_now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
