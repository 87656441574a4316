//! `password_script`: a shell command whose standard output is the password (fencing.py runs
//! it the same way), for the agent's own runs and for in-process queries of a device.

use std::process::{Command, Stdio};

use secret::Secret;
use thiserror::Error;
use zeroize::Zeroize;

/// Why no password came from the script (never its output: that is the password).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PasswordScriptError {
    /// `/bin/sh` could not be started.
    #[error("cannot run it: {0}")]
    Spawn(#[source] std::io::Error),
    /// What it printed is not text.
    #[error("its output is not UTF-8")]
    NotUtf8,
}

/// Runs `script` with `sh -c` and takes its stdout, right-trimmed, as the password.
pub fn run(script: &str) -> Result<Secret, PasswordScriptError> {
    let output = Command::new("/bin/sh")
        .args(["-c", script])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(PasswordScriptError::Spawn)?;
    let mut text = String::from_utf8(output.stdout).map_err(|e| {
        e.into_bytes().zeroize();
        PasswordScriptError::NotUtf8
    })?;
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    Ok(Secret::from_string(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdout_right_trimmed_is_the_password() {
        let secret = run("printf ' pw \\n\\n'").unwrap();
        assert_eq!(secret.expose(), b" pw");
    }

    #[test]
    fn output_that_is_not_text_is_refused() {
        assert!(matches!(
            run("printf '\\377'"),
            Err(PasswordScriptError::NotUtf8)
        ));
    }
}
