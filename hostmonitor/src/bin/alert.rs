//! `masakari-hostmonitor-alert`: the Pacemaker alert agent.
//!
//! Pacemaker runs it (as hacluster) for every alert with the event in `CRM_alert_*` variables. It
//! forwards them in one line to the host monitor's alert socket (the alert recipient's value when it is
//! an absolute path, else the default) and exits 0 at once, whatever happens: a monitor that is not
//! running here, or is slow, must never delay or fail Pacemaker.

use std::io::Write as _;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hostmonitor::alert::Alert;

/// The socket when the alert's recipient does not name one.
const DEFAULT_SOCKET: &str = "/run/masakari-pcmk/alerts.sock";
/// The longest a write may block.
const WRITE_TIMEOUT: Duration = Duration::from_millis(500);

fn main() -> ExitCode {
    let socket = std::env::var("CRM_alert_recipient")
        .ok()
        .filter(|r| r.starts_with('/'))
        .map_or_else(|| PathBuf::from(DEFAULT_SOCKET), PathBuf::from);
    let line = Alert::from_env(std::env::vars()).encode();
    if let Ok(mut stream) = UnixStream::connect(&socket) {
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        let _ = stream.write_all(line.as_bytes());
    }
    ExitCode::SUCCESS
}
