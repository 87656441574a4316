//! Recognising the daemon by PID: `/proc/PID/stat` says whether the process lives,
//! `/proc/PID/cmdline` whether it is a `run` of our binary (a recycled PID is someone else's).
//! The parsers are pure so they can be fuzzed; [`is_daemon`] only reads the two files.

use std::path::Path;

/// Whether `pid` is a live (not zombie) `run` of `binary`.
pub fn is_daemon(pid: i32, binary: &Path) -> bool {
    let proc = Path::new("/proc").join(pid.to_string());
    let Ok(stat) = std::fs::read(proc.join("stat")) else {
        return false;
    };
    if !is_alive(&stat) {
        return false;
    }
    std::fs::read(proc.join("cmdline"))
        .is_ok_and(|cmdline| runs(&cmdline, binary.as_os_str().as_encoded_bytes()))
}

/// Whether a `/proc/PID/stat` line describes a live process: its state (the first field after
/// the command name, which is in parentheses and may itself hold `)`) is neither zombie nor dead.
pub fn is_alive(stat: &[u8]) -> bool {
    let Some(close) = stat.iter().rposition(|b| *b == b')') else {
        return false;
    };
    let state = stat
        .get(close + 1..)
        .and_then(|rest| rest.iter().find(|b| !b.is_ascii_whitespace()));
    !matches!(state, None | Some(b'Z' | b'X'))
}

/// Whether a `/proc/PID/cmdline` (NUL-separated words) is a `run` of `binary`: `binary` is
/// argv[0], or argv[1] when the kernel ran it through an interpreter (`#!`).
pub fn runs(cmdline: &[u8], binary: &[u8]) -> bool {
    let mut args = cmdline.split(|b| *b == 0);
    let named = args.clone().take(2).any(|a| a == binary);
    named && args.any(|a| a == b"run")
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use super::*;
    use crate::agent::daemon::{terminate, wait_until};

    #[test]
    fn stat_states() {
        assert!(is_alive(b"42 (masakari-hostm) S 1 42 42 0"));
        assert!(is_alive(b"42 (a) b) R 1"));
        assert!(!is_alive(b"42 (masakari-hostm) Z 1 42"));
        assert!(!is_alive(b"42 (x) X"));
        for garbage in [&b""[..], b"42 (x)", b"42 (x)   ", b"no parenthesis S"] {
            assert!(!is_alive(garbage), "{garbage:?}");
        }
    }

    #[test]
    fn cmdlines() {
        let bin = b"/usr/bin/masakari-hostmonitor";
        assert!(runs(
            b"/usr/bin/masakari-hostmonitor\0run\0--config\0/x\0",
            bin
        ));
        assert!(runs(b"/bin/sh\0/usr/bin/masakari-hostmonitor\0run\0", bin));
        assert!(!runs(b"/usr/bin/masakari-hostmonitor\0status\0", bin));
        assert!(!runs(
            b"/bin/sh\0-c\0/usr/bin/masakari-hostmonitor\0run\0",
            bin
        ));
        assert!(!runs(b"", bin));
    }

    #[test]
    fn recognises_only_its_daemon() {
        let me = std::process::id() as i32;
        assert!(!is_daemon(me, Path::new("/usr/bin/masakari-hostmonitor")));
        assert!(!is_daemon(i32::MAX, Path::new("/bin/sleep")));
        let sh = Path::new("/bin/sh");
        let mut child = Command::new(sh)
            .args(["-c", "sleep 30; true", "run"])
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        assert!(wait_until(Duration::from_secs(5), || is_daemon(pid, sh)));
        terminate(pid, sh, Duration::from_secs(5)).unwrap();
        assert!(!is_daemon(pid, sh));
        let _ = child.wait();
    }
}
