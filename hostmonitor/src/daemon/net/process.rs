//! Running Pacemaker's command-line tools (crm_mon, crm_node, cibadmin) with a time limit.

use std::process::ExitStatus;
use std::time::Duration;

use tokio::process::Command;

/// How long one tool may run before it counts as failed (and is killed).
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a tool gave no usable output; each names the program.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// It ran past [`TOOL_TIMEOUT`] and was killed.
    #[error("{program} took longer than {limit:?}")]
    TimedOut {
        /// The program.
        program: String,
        /// The limit it ran past.
        limit: Duration,
    },
    /// It could not be started (not installed, not executable).
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::sync::Arc<std::io::Error>,
    },
    /// It exited unsuccessfully.
    #[error("{program} failed ({status}): {stderr}")]
    Failed {
        /// The program.
        program: String,
        /// How it exited.
        status: ExitStatus,
        /// What it said on stderr, trimmed.
        stderr: String,
    },
    /// Its output is not UTF-8.
    #[error("{program} printed invalid UTF-8")]
    NotUtf8 {
        /// The program.
        program: String,
    },
}

impl ProcessError {
    /// The exit code, when the program ran and exited with one.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            Self::Failed { status, .. } => status.code(),
            _ => None,
        }
    }
}

/// Runs the command; its stdout, or an error that names it.
pub async fn output(cmd: &mut Command) -> Result<String, ProcessError> {
    output_unless(cmd, None).await
}

/// Runs the command; its stdout, nothing when it exits with `nothing_code` (as `cibadmin`
/// does when a query matches nothing), or an error that names it.
pub async fn output_unless(
    cmd: &mut Command,
    nothing_code: Option<i32>,
) -> Result<String, ProcessError> {
    let program = cmd.as_std().get_program().to_string_lossy().into_owned();
    cmd.kill_on_drop(true).stdin(std::process::Stdio::null());
    let out = match tokio::time::timeout(TOOL_TIMEOUT, cmd.output()).await {
        Err(_) => {
            let limit = TOOL_TIMEOUT;
            return Err(ProcessError::TimedOut { program, limit });
        }
        Ok(Err(source)) => {
            return Err(ProcessError::Spawn {
                program,
                source: source.into(),
            });
        }
        Ok(Ok(out)) => out,
    };
    if nothing_code.is_some() && out.status.code() == nothing_code {
        return Ok(String::new());
    }
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        let status = out.status;
        return Err(ProcessError::Failed {
            program,
            status,
            stderr,
        });
    }
    String::from_utf8(out.stdout).map_err(|_| ProcessError::NotUtf8 { program })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn failures_name_the_program_and_keep_the_exit_code() {
        let mut fails = Command::new("sh");
        fails.args(["-c", "echo oops >&2; exit 102"]);
        let error = output(&mut fails).await.unwrap_err();
        assert_eq!(error.exit_code(), Some(102));
        assert_eq!(error.to_string(), "sh failed (exit status: 102): oops");
        let mut nothing = Command::new("sh");
        nothing.args(["-c", "exit 105"]);
        assert_eq!(output_unless(&mut nothing, Some(105)).await.unwrap(), "");
        let missing = output(&mut Command::new("/nonexistent/crm_mon"))
            .await
            .unwrap_err();
        assert!(matches!(missing, ProcessError::Spawn { .. }), "{missing}");
        assert_eq!(missing.exit_code(), None);
        let mut works = Command::new("sh");
        works.args(["-c", "echo fine"]);
        assert_eq!(output(&mut works).await.unwrap(), "fine\n");
    }
}
