//! Running external commands with the context an operator needs when they fail.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{LabError, Result, file_error};

/// Runs a command to completion; its stdout on success, a [`LabError::Command`] otherwise.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|source| spawn_error(cmd, source))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    Err(LabError::Command {
        command: describe(cmd),
        status: out.status.to_string(),
        stderr: tail(&text, 600),
    })
}

/// Runs a command to completion and ignores its output.
pub fn run(cmd: &mut Command) -> Result<()> {
    output(cmd).map(drop)
}

/// Builds a command from a program and its arguments.
pub fn command<I, S>(program: &str, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(program);
    cmd.args(args);
    cmd
}

/// Starts a long-running process in its own session, detached from the caller's terminal and pipes,
/// stdout and stderr appended to `log`. Returns its PID.
///
/// The process inherits no descriptor beyond stdin, stdout and stderr: a daemon of a lab brought up
/// under `flock /tmp/masakari-lab.lock` would otherwise keep the lock's descriptor open, and with it
/// the lock, for as long as the lab runs (seen: a left-running lab blocked every other lab test).
pub fn spawn_detached(cmd: &mut Command, log: &Path) -> Result<u32> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(file_error(log))?;
    let err = file.try_clone().map_err(file_error(log))?;
    // SAFETY: setsid and close_range are async-signal-safe system calls that touch no memory of the
    // parent. CLOSE_RANGE_CLOEXEC marks descriptors 3 and up close-on-exec rather than closing them,
    // so the pipe std uses to report a failed exec keeps working.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(cmd, || {
            nix::unistd::setsid().map_err(std::io::Error::from)?;
            // The flag needs Linux 5.11; on an older kernel the call fails and descriptors stay.
            let _ = libc::close_range(
                3,
                libc::c_uint::MAX,
                libc::CLOSE_RANGE_CLOEXEC as libc::c_int,
            );
            Ok(())
        });
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .map_err(|source| spawn_error(cmd, source))?;
    Ok(child.id())
}

fn spawn_error(cmd: &Command, source: std::io::Error) -> LabError {
    LabError::Spawn {
        program: cmd.get_program().to_string_lossy().into_owned(),
        source,
    }
}

fn describe(cmd: &Command) -> String {
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

fn tail(text: &str, max: usize) -> String {
    let text = text.trim();
    let start = text.len().saturating_sub(max);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    text.get(start..).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_command_reports_its_line_and_stderr() {
        let err = output(&mut command("sh", ["-c", "echo boom >&2; exit 3"])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("sh -c"), "{text}");
        assert!(text.contains("boom"), "{text}");
    }

    #[test]
    fn a_detached_process_inherits_no_descriptor_of_the_caller() {
        let dir = std::env::temp_dir().join(format!("lab-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Opened without close-on-exec, as flock(1) hands its lock to the command it runs.
        let held = dir.join("held");
        std::fs::write(&held, "").unwrap();
        let path = std::ffi::CString::new(held.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; the descriptor is closed below.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY) };
        assert!(fd > 2);
        let log = dir.join("log");
        let mut ls = command("sh", ["-c", "ls -l /proc/$$/fd; echo end-of-listing"]);
        spawn_detached(&mut ls, &log).unwrap();
        let listing =
            crate::wait::poll_until("the listing", std::time::Duration::from_secs(10), || {
                Ok(std::fs::read_to_string(&log)
                    .ok()
                    .filter(|t| t.contains("end-of-listing")))
            })
            .unwrap();
        // SAFETY: the descriptor opened above.
        unsafe { libc::close(fd) };
        assert!(!listing.contains("held"), "{listing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(tail("ééé", 3), "é");
        assert_eq!(tail("abc", 10), "abc");
    }
}
