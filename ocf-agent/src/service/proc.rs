//! Recognising the daemon by PID: `/proc/PID/cmdline` must be a `run` of our binary (a recycled
//! PID is someone else's). That also tells a live process from a zombie: once a process has
//! exited the kernel shows it no command line (the read is empty), so no `/proc/PID/stat` read is
//! needed. The parser is pure so it can be fuzzed; [`is_daemon`] only reads the file.

use std::path::Path;

/// Whether `pid` is a live (not zombie) `run` of `binary`.
pub fn is_daemon(pid: i32, binary: &Path) -> bool {
    std::fs::read(Path::new("/proc").join(pid.to_string()).join("cmdline"))
        .is_ok_and(|cmdline| runs(&cmdline, binary.as_os_str().as_encoded_bytes()))
}

/// Whether a `/proc/PID/cmdline` (NUL-separated words) is a `run` of `binary`: `binary` is
/// `argv[0]`, or `argv[1]` when the kernel ran it through an interpreter (`#!`).
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
    use crate::service::process::{terminate, wait_until};

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
    fn a_zombie_is_not_running() {
        let mut child = Command::new("/bin/sh")
            .args(["-c", "exit 0", "run"])
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let state = || std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(wait_until(Duration::from_secs(5), || state().contains(") Z ")));
        assert!(!is_daemon(pid, Path::new("/bin/sh")));
        let _ = child.wait();
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
