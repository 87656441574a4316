//! Files and directories of a lab, with the owners and modes Pacemaker insists on.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

use nix::unistd::{Gid, Group, Uid, User, chown};

use crate::error::{LabError, Result, file_error};

/// Who owns a file.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// root:root.
    Root,
    /// root:haclient (readable by the cluster's group).
    RootHaclient,
    /// hacluster:haclient (the cluster daemons' user).
    Hacluster,
}

/// Creates a directory (and its parents) with this owner and mode.
pub fn dir(path: &Path, owner: Owner, mode: u32) -> Result<()> {
    std::fs::create_dir_all(path).map_err(file_error(path))?;
    set(path, owner, mode)
}

/// Writes a file with this owner and mode; it is never readable by others in between.
pub fn write(path: &Path, contents: &[u8], owner: Owner, mode: u32) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(file_error(path))?;
    file.write_all(contents).map_err(file_error(path))?;
    set(path, owner, mode)
}

/// `n` random bytes from the kernel.
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0; n];
    let path = Path::new("/dev/urandom");
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut buf))
        .map_err(file_error(path))?;
    Ok(buf)
}

fn set(path: &Path, owner: Owner, mode: u32) -> Result<()> {
    let (uid, gid) = ids(owner)?;
    chown(path, Some(uid), Some(gid)).map_err(|e| file_error(path)(e.into()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(file_error(path))
}

fn ids(owner: Owner) -> Result<(Uid, Gid)> {
    let missing =
        |what: &str| LabError::Usage(format!("no {what} on this machine: install pacemaker"));
    let haclient = || -> Result<Gid> {
        Group::from_name("haclient")
            .ok()
            .flatten()
            .map(|g| g.gid)
            .ok_or_else(|| missing("group haclient"))
    };
    Ok(match owner {
        Owner::Root => (Uid::from_raw(0), Gid::from_raw(0)),
        Owner::RootHaclient => (Uid::from_raw(0), haclient()?),
        Owner::Hacluster => {
            let user = User::from_name("hacluster")
                .ok()
                .flatten()
                .ok_or_else(|| missing("user hacluster"))?;
            (user.uid, haclient()?)
        }
    })
}
