//! Whether a periodic reconcile has anything to read (no I/O): the CIB's version line (the
//! `<cib>` element alone: `admin_epoch`, `epoch`, `num_updates`, `have-quorum`, `dc-uuid`) moves
//! with every change Pacemaker makes to the configuration or the status, so while it stands still
//! the last reconcile's view still holds and crm_mon need not run. Every fact a reconcile reads
//! lands in the CIB: a lost remote's failed connection, a fence's result (the controller records
//! the fenced node's state), a node joining or leaving, quorum. The fencer's history alone is not
//! in it; a fence that finishes changes the node's state, and so the version, after the history.
//!
//! A reconcile woken by an alert or a quorum change reads in full whatever the version says.

/// The version of the CIB the last full read started from.
#[derive(Debug, Default)]
pub struct Changes {
    read_at: Option<String>,
}

impl Changes {
    /// Whether a reconcile that found the CIB at `version` must read the cluster: the first one, one
    /// woken by an event, and one that finds the version moved since the last full read.
    pub fn must_read(&self, version: &str, woken: bool) -> bool {
        woken || self.read_at.as_deref() != Some(version)
    }

    /// A full read that started at `version` ended, `complete` when every part of it worked (the
    /// snapshot and, where services are watched, their read): later reconciles compare against
    /// it. One that failed, or left a part unread, keeps the last good version, so the next
    /// reconcile reads again whatever the version says.
    pub fn read(&mut self, version: String, complete: bool) {
        if complete {
            self.read_at = Some(version);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"<cib epoch="7" num_updates="31" admin_epoch="0" have-quorum="1"/>"#;
    const V2: &str = r#"<cib epoch="7" num_updates="32" admin_epoch="0" have-quorum="1"/>"#;

    #[test]
    fn the_first_reconcile_reads_and_an_unchanged_cib_is_not_read_again() {
        let mut changes = Changes::default();
        assert!(changes.must_read(V1, false));
        changes.read(V1.to_owned(), true);
        assert!(!changes.must_read(V1, false));
    }

    #[test]
    fn a_moved_version_or_a_wake_reads() {
        let mut changes = Changes::default();
        changes.read(V1.to_owned(), true);
        assert!(changes.must_read(V2, false));
        assert!(changes.must_read(V1, true));
    }

    #[test]
    fn a_failed_read_is_retried_by_the_next_reconcile() {
        let mut changes = Changes::default();
        changes.read(V1.to_owned(), true);
        // The read at V2 failed: `read` was not called for it.
        assert!(changes.must_read(V2, false));
        assert!(changes.must_read(V2, false));
    }

    #[test]
    fn a_read_whose_services_failed_is_retried_at_an_unchanged_version() {
        let mut changes = Changes::default();
        changes.read(V1.to_owned(), true);
        changes.read(V2.to_owned(), false);
        assert!(changes.must_read(V2, false));
        changes.read(V2.to_owned(), true);
        assert!(!changes.must_read(V2, false));
    }
}
