//! One function per action. Start and stop are idempotent; monitor is three-state (running,
//! cleanly stopped, failed) and goes deeper with `OCF_CHECK_LEVEL`:
//!
//! | level | checks | failure |
//! |---|---|---|
//! | 0 | the PID file names a live `masakari-hostmonitor run`; it answers `status` on its control socket | `OCF_ERR_GENERIC` |
//! | 10 | and its last read of the cluster state (crm_mon) worked | `OCF_ERR_GENERIC` |
//! | 20 | and its last contact with the Masakari API worked | per `api_check` (default `OCF_DEGRADED`) |
//!
//! No PID file, or a PID that is not our daemon, is `OCF_NOT_RUNNING`. The status request goes
//! over the control socket in-process ([`control::client::status`]): no fork, and the answer comes from
//! the daemon's engine task, so a hung engine fails level 0. The answer is read as the protocol's
//! [`StatusAnswer`](hostmonitor::control::StatusAnswer); one that does not read (another shape, an
//! `error`) fails level 0 with the reason. [`verdict::judge`] judges it.

use std::path::Path;
use std::time::Duration;

use hostmonitor::control;
use hostmonitor::settings::Settings;

use super::daemon::{self, PidFile};
use super::instance::Instance;
use super::proc::is_daemon;
use super::verdict::{self, Verdict};
use crate::ocf::{Environment, Failure, Logger, OcfStatus, Outcome};

/// Operation time budget when Pacemaker does not say (`OCF_RESKEY_CRM_meta_timeout`).
const DEFAULT_BUDGET: Duration = Duration::from_secs(20);

/// `validate-all`: the attributes, the binary and the configuration file they amend.
pub fn validate(instance: &Instance) -> Result<Settings, Failure> {
    instance.check_binary()?;
    instance.settings()
}

/// `start`: succeeds at once if the daemon runs; otherwise starts it and waits until its
/// control socket accepts connections, or it exits (its exit code says why), or time runs out.
pub fn start(instance: &Instance, env: &Environment, log: &Logger) -> Outcome {
    let settings = validate(instance)?;
    if running(instance).is_some() {
        monitor(instance, &Environment::default(), log)?;
        log.info("already running");
        return Ok(OcfStatus::Success);
    }
    let socket = settings.paths.control_socket.clone();
    prepare_dirs(instance, &settings)?;
    let (mut child, offset) = daemon::spawn(instance)?;
    let pid_file = PidFile {
        pid: i32::try_from(child.id()).unwrap_or(i32::MAX),
        control_socket: socket.clone(),
    };
    if let Err(f) = pid_file.write(&instance.pid_file) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(f);
    }
    let limit = budget(env).saturating_sub(Duration::from_secs(1));
    let mut exited = None;
    let ready = daemon::wait_until(limit, || {
        exited = child.try_wait().ok().flatten();
        exited.is_some() || daemon::socket_accepts(&socket).is_ok()
    });
    if let Some(status) = exited {
        let _ = std::fs::remove_file(&instance.pid_file);
        let said = daemon::last_words(&instance.log_file, offset).unwrap_or_default();
        let code = if status.code() == Some(2) {
            OcfStatus::ErrConfigured
        } else {
            OcfStatus::ErrGeneric
        };
        return Err(Failure::new(
            code,
            format!("masakari-hostmonitor exited ({status}): {said}"),
        ));
    }
    if !ready {
        stop(instance, env, log)?;
        return Err(Failure::generic(format!(
            "masakari-hostmonitor did not open {} within {} s",
            socket.display(),
            limit.as_secs()
        )));
    }
    log.info(&format!(
        "started masakari-hostmonitor (pid {})",
        pid_file.pid
    ));
    Ok(OcfStatus::Success)
}

/// `stop`: SIGTERM (SIGKILL after most of the timeout); succeeds if nothing runs.
pub fn stop(instance: &Instance, env: &Environment, log: &Logger) -> Outcome {
    if let Some(pf) = PidFile::read(&instance.pid_file) {
        if is_daemon(pf.pid, &instance.binary) {
            let grace = budget(env) * 3 / 4;
            daemon::terminate(pf.pid, &instance.binary, grace)?;
            log.info(&format!("stopped masakari-hostmonitor (pid {})", pf.pid));
        }
        std::fs::remove_file(&instance.pid_file)
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
            .map_err(|e| daemon::io_failure(&instance.pid_file, &e))?;
    }
    Ok(OcfStatus::Success)
}

/// `monitor`, as deep as `OCF_CHECK_LEVEL` asks.
pub fn monitor(instance: &Instance, env: &Environment, log: &Logger) -> Outcome {
    let level = env.check_level()?;
    let Some(pf) = running(instance) else {
        return Ok(OcfStatus::NotRunning);
    };
    let answer = control::client::status(&pf.control_socket).map_err(|e| {
        Failure::generic(format!(
            "masakari-hostmonitor (pid {}) runs but {e}",
            pf.pid
        ))
    })?;
    match verdict::judge(&answer, level, instance.api_check)? {
        Verdict::Running => Ok(OcfStatus::Success),
        Verdict::Degraded(why) => {
            log.warning(&why);
            Ok(OcfStatus::Degraded)
        }
    }
}

/// The PID file of a live daemon of ours, if one runs.
fn running(instance: &Instance) -> Option<PidFile> {
    PidFile::read(&instance.pid_file).filter(|pf| is_daemon(pf.pid, &instance.binary))
}

/// The directories the daemon and the agent write to.
fn prepare_dirs(instance: &Instance, settings: &Settings) -> Result<(), Failure> {
    let p = &settings.paths;
    let files = [
        instance.pid_file.as_path(),
        instance.log_file.as_path(),
        p.state_file.as_path(),
        p.alert_socket.as_path(),
        p.control_socket.as_path(),
    ];
    for dir in files.iter().filter_map(|f| f.parent()) {
        create_dir(dir)?;
    }
    Ok(())
}

fn create_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| daemon::io_failure(dir, &e))
}

/// The operation's time budget.
fn budget(env: &Environment) -> Duration {
    env.op_timeout().unwrap_or(DEFAULT_BUDGET)
}
