//! The daemon side of a monitor's unix sockets (the control socket of either monitor, the host
//! monitor's alert socket): binding with the right owner and mode, and an accept loop that hands
//! each connection to its own task until shutdown.

use std::future::Future;
use std::path::Path;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

/// Binds a Unix socket at `path` (replacing a stale one), with `mode` and group `group`.
pub fn bind(path: &Path, mode: u32, group: Option<&str>) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::PermissionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = UnixListener::bind(path)?;
    if let Some(gid) = group.and_then(|g| nix::unistd::Group::from_name(g).ok().flatten()) {
        nix::unistd::chown(path, None, Some(gid.gid)).map_err(std::io::Error::from)?;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(listener)
}

/// Accepts connections until shutdown, each served by `serve` on its own task.
pub async fn accept_loop<F, Fut>(
    listener: UnixListener,
    what: &'static str,
    mut shutdown: watch::Receiver<bool>,
    serve: F,
) where
    F: Fn(UnixStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream));
                }
                Err(error) => tracing::warn!(%error, "{what} socket accept failed"),
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Completes on SIGTERM or SIGINT: a monitor's shutdown when run in the foreground (systemd, the
/// OCF agent and an operator at a terminal stop it so).
pub async fn termination() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop me with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
