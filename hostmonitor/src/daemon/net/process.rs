//! Running Pacemaker's command-line tools (crm_mon, crm_node, cibadmin) with a time limit.

use std::time::Duration;

use tokio::process::Command;

/// How long one tool may run before it counts as failed (and is killed).
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs the command; its stdout, or an error that names it.
pub async fn output(cmd: &mut Command) -> Result<String, String> {
    output_unless(cmd, None).await
}

/// Runs the command; its stdout, nothing when it exits with `nothing_code` (as `cibadmin`
/// does when a query matches nothing), or an error that names it.
pub async fn output_unless(cmd: &mut Command, nothing_code: Option<i32>) -> Result<String, String> {
    let program = cmd.as_std().get_program().to_string_lossy().into_owned();
    cmd.kill_on_drop(true).stdin(std::process::Stdio::null());
    let out = tokio::time::timeout(TOOL_TIMEOUT, cmd.output())
        .await
        .map_err(|_| format!("{program} took longer than {TOOL_TIMEOUT:?}"))?
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if nothing_code.is_some() && out.status.code() == nothing_code {
        return Ok(String::new());
    }
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{program} failed ({}): {}",
            out.status,
            stderr.trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{program} printed invalid UTF-8"))
}
