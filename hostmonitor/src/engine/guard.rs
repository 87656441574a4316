//! The mass-failure guard: holds every notification while more than a share of the
//! watched hosts was lost at once.

use serde::{Deserialize, Serialize};

use super::action::Report;
use super::config::MassFailure;

/// How many hosts are watched and lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Watched hosts present in the cluster.
    pub(crate) watched: usize,
    /// Of those, lost now.
    pub(crate) lost: usize,
    /// Of those, lost within the guard's window.
    pub(crate) recent: usize,
}

/// The guard's state, persisted so a hold survives a restart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Guard {
    /// Holding notifications.
    tripped: bool,
    /// Released by an operator; does not trip again until the share has dropped.
    disarmed: bool,
}

impl Guard {
    /// Whether notifications are held.
    pub(crate) fn holding(self) -> bool {
        self.tripped
    }

    /// Trips on a burst of losses, releases when the share of lost hosts drops.
    pub(crate) fn evaluate(&mut self, limits: &MassFailure, counts: Counts) -> Option<Report> {
        let Counts {
            watched,
            lost,
            recent,
        } = counts;
        let too_many = limits.exceeded(lost, watched);
        if self.tripped && !too_many {
            self.tripped = false;
            return Some(Report::MassFailureReleased { lost, watched });
        }
        if self.disarmed {
            self.disarmed = too_many;
            return None;
        }
        if !self.tripped && limits.exceeded(recent, watched) {
            self.tripped = true;
            return Some(Report::MassFailureHold { lost, watched });
        }
        None
    }

    /// An operator released the hold.
    pub(crate) fn release(&mut self, counts: Counts) -> Report {
        if !self.tripped {
            return Report::NothingHeld;
        }
        self.tripped = false;
        self.disarmed = true;
        Report::HoldReleasedByOperator {
            lost: counts.lost,
            watched: counts.watched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(watched: usize, lost: usize, recent: usize) -> Counts {
        Counts {
            watched,
            lost,
            recent,
        }
    }

    #[test]
    fn trips_on_a_burst_and_releases_when_the_share_drops() {
        let limits = MassFailure::default();
        let mut guard = Guard::default();
        assert_eq!(guard.evaluate(&limits, counts(10, 5, 5)), None);
        assert!(matches!(
            guard.evaluate(&limits, counts(10, 6, 6)),
            Some(Report::MassFailureHold {
                lost: 6,
                watched: 10
            })
        ));
        assert!(guard.holding());
        assert_eq!(
            guard.evaluate(&limits, counts(10, 6, 0)),
            None,
            "the window passing does not release"
        );
        assert!(guard.holding());
        assert!(matches!(
            guard.evaluate(&limits, counts(10, 5, 0)),
            Some(Report::MassFailureReleased { .. })
        ));
        assert!(!guard.holding());
    }

    #[test]
    fn slow_losses_do_not_trip() {
        let mut guard = Guard::default();
        assert_eq!(
            guard.evaluate(&MassFailure::default(), counts(10, 8, 2)),
            None
        );
        assert!(!guard.holding());
    }

    #[test]
    fn an_operator_release_disarms_until_the_share_drops() {
        let limits = MassFailure::default();
        let mut guard = Guard::default();
        guard.evaluate(&limits, counts(10, 9, 9));
        assert!(matches!(
            guard.release(counts(10, 9, 9)),
            Report::HoldReleasedByOperator { .. }
        ));
        assert!(!guard.holding());
        assert_eq!(guard.evaluate(&limits, counts(10, 10, 10)), None);
        assert!(!guard.holding(), "disarmed");
        guard.evaluate(&limits, counts(10, 1, 0));
        guard.evaluate(&limits, counts(10, 9, 9));
        assert!(guard.holding(), "re-armed after the share dropped");
    }

    #[test]
    fn releasing_nothing_says_so() {
        assert_eq!(
            Guard::default().release(counts(10, 0, 0)),
            Report::NothingHeld
        );
    }
}
