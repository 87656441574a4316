//! Which socket a libvirt URI means.
//!
//! Only the local daemon over its unix socket: `qemu:///system` (and `qemu+unix:///system`)
//! reaches the read-only socket of virtqemud when that exists (modular daemons), else of
//! libvirtd; `?socket=PATH` names the socket outright, as libvirt's client honours it.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// libvirtd's read-only socket.
pub const LIBVIRTD_SOCKET: &str = "/run/libvirt/libvirt-sock-ro";
/// virtqemud's read-only socket (modular daemons).
pub const VIRTQEMUD_SOCKET: &str = "/run/libvirt/virtqemud-sock-ro";

/// Where to connect and what to open there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The unix socket.
    pub socket: PathBuf,
    /// The URI sent in `CONNECT_OPEN` (transport and `socket` removed, as libvirt does).
    pub open_name: String,
}

/// A URI this monitor cannot use.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriError {
    /// Not the system QEMU driver over a local unix socket.
    #[error(
        "unsupported libvirt URI {uri:?}: this monitor connects to the local daemon's unix socket only: qemu:///system or qemu+unix:///system, optionally with ?socket=PATH"
    )]
    Unsupported {
        /// The URI given.
        uri: String,
    },
    /// A query parameter other than `socket`.
    #[error("libvirt URI {uri:?}: parameter {parameter:?} is not supported (only socket=PATH)")]
    Parameter {
        /// The URI given.
        uri: String,
        /// The parameter.
        parameter: String,
    },
}

/// Resolves `uri`; `exists` says whether a path exists (the caller's file system).
pub fn resolve(uri: &str, exists: impl Fn(&Path) -> bool) -> Result<Target, UriError> {
    let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
    if !matches!(base, "qemu:///system" | "qemu+unix:///system") {
        return Err(UriError::Unsupported {
            uri: uri.to_owned(),
        });
    }
    let mut socket = None;
    for parameter in query.split('&').filter(|p| !p.is_empty()) {
        match parameter.split_once('=') {
            Some(("socket", path)) if !path.is_empty() => socket = Some(PathBuf::from(path)),
            _ => {
                let parameter = parameter.to_owned();
                return Err(UriError::Parameter {
                    uri: uri.to_owned(),
                    parameter,
                });
            }
        }
    }
    let socket = socket.unwrap_or_else(|| default_socket(exists));
    Ok(Target {
        socket,
        open_name: "qemu:///system".to_owned(),
    })
}

fn default_socket(exists: impl Fn(&Path) -> bool) -> PathBuf {
    let modular = Path::new(VIRTQEMUD_SOCKET);
    if exists(modular) {
        modular
    } else {
        Path::new(LIBVIRTD_SOCKET)
    }
    .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(uri: &str, virtqemud: bool) -> Result<PathBuf, UriError> {
        resolve(uri, |p| virtqemud && p == Path::new(VIRTQEMUD_SOCKET)).map(|t| t.socket)
    }

    #[test]
    fn the_system_uri_means_libvirtd_unless_virtqemud_runs() {
        assert_eq!(socket("qemu:///system", false), Ok(LIBVIRTD_SOCKET.into()));
        assert_eq!(socket("qemu:///system", true), Ok(VIRTQEMUD_SOCKET.into()));
        assert_eq!(
            socket("qemu+unix:///system", false),
            Ok(LIBVIRTD_SOCKET.into())
        );
    }

    #[test]
    fn a_socket_parameter_wins() {
        assert_eq!(
            socket("qemu:///system?socket=/tmp/s", true),
            Ok("/tmp/s".into())
        );
        let target = resolve("qemu+unix:///system?socket=/tmp/s", |_| false).unwrap();
        assert_eq!(target.open_name, "qemu:///system");
    }

    #[test]
    fn other_transports_and_drivers_are_refused_with_what_works() {
        for uri in [
            "qemu+ssh://host/system",
            "qemu+tcp://h/system",
            "qemu:///session",
            "xen:///",
            "lxc:///",
            "",
        ] {
            let error = socket(uri, false).unwrap_err();
            assert!(matches!(error, UriError::Unsupported { .. }), "{uri}");
            assert!(error.to_string().contains("qemu:///system"), "{error}");
        }
    }

    #[test]
    fn unknown_parameters_are_refused() {
        let error = socket("qemu:///system?no_verify=1", false).unwrap_err();
        assert!(matches!(error, UriError::Parameter { .. }));
        assert!(socket("qemu:///system?socket=", false).is_err());
    }
}
