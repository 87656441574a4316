//! What the Masakari API said to a notification, as the retry logic needs it.

/// What the Masakari API said to a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// 202: stored.
    Accepted,
    /// 409: the API already has it, or the host is on maintenance. Counts as delivered.
    Duplicate {
        /// The API's explanation.
        message: String,
    },
    /// 400 or another 4xx: permanent (for example the host is unknown to Masakari).
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The API's explanation.
        message: String,
    },
    /// Timeout, connection error or 5xx: retried with backoff.
    Transient {
        /// What went wrong.
        reason: String,
    },
}
