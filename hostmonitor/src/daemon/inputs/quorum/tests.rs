use super::*;
use crate::engine::Timestamp;

struct Daemon {
    engine: mpsc::UnboundedReceiver<Request>,
    sender: mpsc::UnboundedSender<Request>,
    reconcile: Notify,
    health: Health,
}

impl Daemon {
    fn new() -> Self {
        let (sender, engine) = mpsc::unbounded_channel();
        Self {
            engine,
            sender,
            reconcile: Notify::new(),
            health: Health::default(),
        }
    }

    fn hear(&self, heard: Heard) {
        hand_on(heard, &self.sender, &self.reconcile, &self.health);
    }

    /// Whether a reconcile was woken (and takes the wake-up).
    async fn woken(&self) -> bool {
        let wait = self.reconcile.notified();
        tokio::time::timeout(std::time::Duration::from_millis(10), wait)
            .await
            .is_ok()
    }
}

fn at(s: u64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000 + s, 0)
}

#[tokio::test]
async fn quorum_goes_to_the_engine_and_the_health() {
    let mut d = Daemon::new();
    d.hear(Heard::Quorum(false));
    assert_eq!(d.health.view().corosync_quorate, Some(false));
    assert!(matches!(
        d.engine.try_recv(),
        Ok(Request::Event(Event::Quorum { quorate: false }))
    ));
    assert!(d.woken().await);
}

#[tokio::test]
async fn a_lost_link_forgets_corosyncs_quorum_and_says_so() {
    let mut d = Daemon::new();
    d.hear(Heard::Link(CorosyncLink::Connected { since: at(0) }));
    d.hear(Heard::Quorum(true));
    let down = CorosyncLink::Reconnecting {
        since: at(5),
        last_error: LinkError::Dispatch(CsError::CsErrLibrary).to_string(),
        next_attempt: at(6),
    };
    d.hear(Heard::Link(down.clone()));
    let view = d.health.view();
    assert_eq!(view.corosync_quorate, None);
    assert_eq!(view.corosync, Some(down));
    assert!(d.woken().await);
    let up = CorosyncLink::Connected { since: at(7) };
    d.hear(Heard::Link(up.clone()));
    assert_eq!(d.health.view().corosync, Some(up));
    assert!(
        d.engine.try_recv().is_ok(),
        "the quorum before the loss reached the engine"
    );
    assert!(
        d.engine.try_recv().is_err(),
        "a link change is no quorum event"
    );
}

#[tokio::test]
async fn a_membership_change_wakes_a_reconcile() {
    let d = Daemon::new();
    d.hear(Heard::Membership { left: Vec::new() });
    assert!(d.woken().await);
}
