//! Who counts as the cluster: root and the cluster user (hacluster). The alert socket accepts
//! alerts only from them, and the CIB manager's IPC server is trusted only when it runs as one.

/// Root and, where it exists, hacluster.
#[derive(Debug, Clone, Copy)]
pub struct Allowed {
    /// The uid of the cluster user (hacluster), when it exists here.
    pub cluster_uid: Option<u32>,
}

impl Allowed {
    /// Root and hacluster.
    pub fn from_system() -> Self {
        let cluster_uid = nix::unistd::User::from_name("hacluster")
            .ok()
            .flatten()
            .map(|u| u.uid.as_raw());
        Self { cluster_uid }
    }

    /// Whether `uid` is root or the cluster user.
    pub fn permits(self, uid: u32) -> bool {
        uid == 0 || Some(uid) == self.cluster_uid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_root_and_the_cluster_user_are_the_cluster() {
        let allowed = Allowed {
            cluster_uid: Some(102),
        };
        assert!(allowed.permits(0));
        assert!(allowed.permits(102));
        assert!(!allowed.permits(1000));
        assert!(!Allowed { cluster_uid: None }.permits(102));
    }
}
