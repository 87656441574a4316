use std::time::Duration;

use super::*;
use crate::rpc::calls::{AuthListRet, AuthType, GetStateRet, ListAllDomainsRet};
use crate::rpc::domain::{Domain, Uuid};
use crate::rpc::events::{EventId, EventKind};
use crate::rpc::keepalive::{PING, PONG};
use crate::rpc::xdr::put_i32;

const S: Duration = Duration::from_secs(1);

/// The daemon's side of the conversation, scripted.
struct Daemon {
    now: Instant,
    connection: Connection,
}

impl Daemon {
    fn new() -> Self {
        let now = Instant::now();
        let config = KeepaliveConfig {
            interval: 5 * S,
            count: 2,
        };
        Self {
            now,
            connection: Connection::new("qemu:///system", config, now),
        }
    }

    /// The calls the connection sent since last asked.
    fn calls(&mut self) -> Vec<Message> {
        let mut framer = Framer::default();
        while let Some(bytes) = self.connection.poll_transmit() {
            framer.push(&bytes);
        }
        std::iter::from_fn(|| framer.next_message().unwrap()).collect()
    }

    /// Takes the single outstanding call, checks its procedure, answers with `ret`.
    /// Answers the authentication list with "none" and the keepalive feature question with
    /// `keepalive` (1: supported).
    fn authenticate(&mut self, keepalive: Int) {
        let none = AuthListRet {
            types: vec![AuthType::NONE],
        };
        self.answer(Procedure::AUTH_LIST, &none).unwrap();
        self.answer(Procedure::CONNECT_SUPPORTS_FEATURE, &keepalive)
            .unwrap();
    }

    fn answer(&mut self, procedure: Procedure, ret: &impl Xdr) -> Result<(), ConnectionError> {
        let call = self.expect(procedure);
        self.send(reply(call.header, Status::OK, ret.to_bytes()))
    }

    fn expect(&mut self, procedure: Procedure) -> Message {
        let calls = self.calls();
        assert_eq!(calls.len(), 1, "{calls:?}");
        let call = calls.into_iter().next().unwrap();
        assert_eq!(call.header.procedure, procedure.0, "{call:?}");
        assert_eq!(
            (call.header.kind, call.header.program),
            (MessageType::CALL, Program::REMOTE)
        );
        call
    }

    fn send(&mut self, message: Message) -> Result<(), ConnectionError> {
        self.connection.handle_bytes(self.now, &message.to_wire())
    }

    fn events(&mut self) -> Vec<ConnectionEvent> {
        std::iter::from_fn(|| self.connection.poll_event()).collect()
    }

    /// Runs the set-up with no authentication, keepalive supported, these domains.
    fn set_up(&mut self, domains: &[(Domain, bool, GetStateRet)]) {
        self.answer(
            Procedure::AUTH_LIST,
            &AuthListRet {
                types: vec![AuthType::NONE],
            },
        )
        .unwrap();
        self.after_auth(domains);
    }

    fn after_auth(&mut self, domains: &[(Domain, bool, GetStateRet)]) {
        self.answer(Procedure::CONNECT_SUPPORTS_FEATURE, &Int(1))
            .unwrap();
        let open = self.expect(Procedure::CONNECT_OPEN);
        let args = OpenArgs::read(&open.payload).unwrap();
        assert_eq!(
            args,
            OpenArgs {
                name: Some("qemu:///system".into()),
                flags: CONNECT_RO
            }
        );
        self.send(reply(open.header, Status::OK, Vec::new()))
            .unwrap();
        for (i, event) in EventId::REGISTERED.into_iter().enumerate() {
            let call = self.expect(Procedure::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY);
            assert_eq!(
                crate::rpc::calls::RegisterAnyArgs::read(&call.payload)
                    .unwrap()
                    .event,
                event
            );
            self.send(reply(call.header, Status::OK, Int(i as i32 + 1).to_bytes()))
                .unwrap();
        }
        for persistent in [true, false] {
            let listed = domains
                .iter()
                .filter(|d| d.1 == persistent)
                .map(|d| d.0.clone())
                .collect();
            self.answer(
                Procedure::CONNECT_LIST_ALL_DOMAINS,
                &ListAllDomainsRet { domains: listed },
            )
            .unwrap();
        }
        for (_, _, state) in domains
            .iter()
            .filter(|d| d.1)
            .chain(domains.iter().filter(|d| !d.1))
        {
            self.answer(Procedure::DOMAIN_GET_STATE, state).unwrap();
        }
    }
}

fn reply(call: Header, status: Status, payload: Vec<u8>) -> Message {
    Message {
        header: Header {
            kind: MessageType::REPLY,
            status,
            ..call
        },
        payload,
    }
}

fn guest(n: u8) -> Domain {
    Domain {
        name: format!("guest-{n}"),
        uuid: Uuid([n; 16]),
        id: i32::from(n),
    }
}

fn event_message(procedure: i32, fields: impl FnOnce(&mut Vec<u8>)) -> Message {
    let mut payload = Vec::new();
    put_i32(&mut payload, 1);
    guest(1).encode(&mut payload);
    fields(&mut payload);
    Message {
        header: Header {
            program: Program::REMOTE,
            version: 1,
            procedure,
            kind: MessageType::MESSAGE,
            serial: 0,
            status: Status::OK,
        },
        payload,
    }
}

fn ready(daemon: &mut Daemon) -> Vec<DomainStatus> {
    match daemon.events().as_slice() {
        [ConnectionEvent::Ready { domains }] => domains.clone(),
        other => panic!("not ready: {other:?}"),
    }
}

#[test]
fn the_set_up_registers_every_event_then_lists_every_domain_with_its_state() {
    let mut daemon = Daemon::new();
    let running = GetStateRet {
        state: 1,
        reason: 1,
    };
    let off = GetStateRet {
        state: 5,
        reason: 3,
    };
    daemon.set_up(&[
        (guest(1), true, running),
        (guest(2), false, running),
        (guest(3), true, off),
    ]);
    assert!(daemon.connection.is_ready());
    let domains = ready(&mut daemon);
    let summary: Vec<_> = domains
        .iter()
        .map(|d| (d.domain.uuid.0[0], d.persistent, d.is_active(), d.crashed()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, true, true, false),
            (3, true, false, true),
            (2, false, true, false)
        ]
    );
}

#[test]
fn polkit_is_used_when_it_is_all_the_socket_offers() {
    let mut daemon = Daemon::new();
    daemon
        .answer(
            Procedure::AUTH_LIST,
            &AuthListRet {
                types: vec![AuthType::POLKIT],
            },
        )
        .unwrap();
    daemon.answer(Procedure::AUTH_POLKIT, &Int(1)).unwrap();
    daemon.after_auth(&[]);
    assert_eq!(ready(&mut daemon), vec![]);
}

#[test]
fn an_incomplete_polkit_answer_fails() {
    let mut daemon = Daemon::new();
    daemon
        .answer(
            Procedure::AUTH_LIST,
            &AuthListRet {
                types: vec![AuthType::POLKIT],
            },
        )
        .unwrap();
    let result = daemon.answer(Procedure::AUTH_POLKIT, &Int(0));
    assert_eq!(result, Err(ConnectionError::PolkitIncomplete));
}

#[test]
fn sasl_only_is_refused_naming_what_would_work() {
    let mut daemon = Daemon::new();
    let result = daemon.answer(
        Procedure::AUTH_LIST,
        &AuthListRet {
            types: vec![AuthType::SASL],
        },
    );
    let error = result.unwrap_err();
    assert_eq!(error, ConnectionError::AuthUnsupported { offered: vec![1] });
    assert!(error.to_string().contains("auth_unix_ro"), "{error}");
    assert_eq!(
        daemon.connection.handle_bytes(daemon.now, &[]),
        Err(ConnectionError::Closed)
    );
}

#[test]
fn a_refused_open_is_a_typed_remote_error() {
    let mut daemon = Daemon::new();
    daemon
        .answer(Procedure::AUTH_LIST, &AuthListRet { types: vec![] })
        .unwrap();
    daemon
        .answer(Procedure::CONNECT_SUPPORTS_FEATURE, &Int(1))
        .unwrap();
    let open = daemon.expect(Procedure::CONNECT_OPEN);
    let error = RemoteError {
        code: 38,
        domain: 7,
        message: Some("no driver".into()),
        level: 2,
    };
    let result = daemon.send(reply(open.header, Status::ERROR, error.to_bytes()));
    assert_eq!(
        result,
        Err(ConnectionError::Remote {
            procedure: Procedure::CONNECT_OPEN,
            error
        })
    );
}

#[test]
fn a_domain_that_vanishes_before_its_state_is_left_out() {
    let mut daemon = Daemon::new();
    daemon.authenticate(Int(1));
    daemon.answer(Procedure::CONNECT_OPEN, &()).unwrap();
    for i in 0..6 {
        daemon
            .answer(
                Procedure::CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                &Int(i),
            )
            .unwrap();
    }
    let both = ListAllDomainsRet {
        domains: vec![guest(1), guest(2)],
    };
    daemon
        .answer(Procedure::CONNECT_LIST_ALL_DOMAINS, &both)
        .unwrap();
    daemon
        .answer(
            Procedure::CONNECT_LIST_ALL_DOMAINS,
            &ListAllDomainsRet { domains: vec![] },
        )
        .unwrap();
    let call = daemon.expect(Procedure::DOMAIN_GET_STATE);
    let gone = RemoteError {
        code: RemoteError::NO_DOMAIN,
        domain: 10,
        message: None,
        level: 2,
    };
    daemon
        .send(reply(call.header, Status::ERROR, gone.to_bytes()))
        .unwrap();
    daemon
        .answer(
            Procedure::DOMAIN_GET_STATE,
            &GetStateRet {
                state: 1,
                reason: 1,
            },
        )
        .unwrap();
    let domains = ready(&mut daemon);
    assert_eq!(
        domains
            .iter()
            .map(|d| d.domain.uuid.0[0])
            .collect::<Vec<_>>(),
        [2]
    );
}

#[test]
fn events_are_delivered_even_during_set_up() {
    let mut daemon = Daemon::new();
    daemon.set_up(&[]);
    ready(&mut daemon);
    let stopped = event_message(318, |o| {
        put_i32(o, 5);
        put_i32(o, 5);
    });
    daemon.send(stopped).unwrap();
    daemon.send(event_message(319, |_| {})).unwrap();
    daemon
        .send(event_message(320, |o| o.extend_from_slice(&[0; 8])))
        .unwrap(); // rtc: not ours, skipped
    let kinds: Vec<_> = daemon
        .events()
        .into_iter()
        .map(|e| match e {
            ConnectionEvent::Domain(event) => event.kind,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::Lifecycle {
                event: 5,
                detail: 5
            },
            EventKind::Reboot
        ]
    );
}

#[test]
fn a_malformed_event_closes_the_connection() {
    let mut daemon = Daemon::new();
    daemon.set_up(&[]);
    let result = daemon.send(event_message(318, |o| put_i32(o, 5)));
    assert!(matches!(
        result,
        Err(ConnectionError::Malformed {
            what: "domain event",
            ..
        })
    ));
}

#[test]
fn the_daemons_pings_are_answered() {
    let mut daemon = Daemon::new();
    daemon.set_up(&[]);
    daemon.send(keepalive::message(PING)).unwrap();
    let sent = daemon.calls();
    assert_eq!(sent, [keepalive::message(PONG)]);
}

#[test]
fn a_silent_daemon_is_pinged_then_declared_dead() {
    let mut daemon = Daemon::new();
    daemon.set_up(&[]);
    let t = daemon.now;
    assert_eq!(daemon.connection.poll_timeout(), Some(t + 5 * S));
    daemon.connection.handle_timeout(t + 5 * S).unwrap();
    assert_eq!(daemon.calls(), [keepalive::message(PING)]);
    daemon.connection.handle_timeout(t + 10 * S).unwrap();
    assert_eq!(daemon.calls(), [keepalive::message(PING)]);
    let result = daemon.connection.handle_timeout(t + 15 * S);
    assert_eq!(
        result,
        Err(ConnectionError::KeepaliveTimeout {
            unanswered: 2,
            silent: 15 * S
        })
    );
}

#[test]
fn a_pong_keeps_the_link_alive() {
    let mut daemon = Daemon::new();
    daemon.set_up(&[]);
    let t = daemon.now;
    daemon.connection.handle_timeout(t + 5 * S).unwrap();
    daemon.now = t + 6 * S;
    daemon.send(keepalive::message(PONG)).unwrap();
    daemon.connection.handle_timeout(t + 10 * S).unwrap();
    assert_eq!(daemon.connection.poll_timeout(), Some(t + 11 * S));
}

#[test]
fn without_keepalive_support_no_ping_is_sent_and_the_timer_stops_once_ready() {
    let mut daemon = Daemon::new();
    daemon.authenticate(Int(0));
    daemon
        .connection
        .handle_timeout(daemon.now + 5 * S)
        .unwrap();
    assert_eq!(daemon.calls().len(), 1, "only the open call");
}

#[test]
fn a_reply_nobody_asked_for_is_an_error() {
    let mut daemon = Daemon::new();
    let call = daemon.expect(Procedure::AUTH_LIST);
    let wrong = Header {
        serial: call.header.serial + 7,
        ..call.header
    };
    let result = daemon.send(reply(wrong, Status::OK, Vec::new()));
    assert!(matches!(
        result,
        Err(ConnectionError::UnexpectedReply { .. })
    ));
}

#[test]
fn another_program_or_version_is_incompatible() {
    let mut daemon = Daemon::new();
    let mut message = keepalive::message(PING);
    message.header.version = 2;
    assert!(matches!(
        daemon.send(message),
        Err(ConnectionError::Incompatible { .. })
    ));
}

#[test]
fn close_waits_for_the_daemons_answer() {
    let mut daemon = Daemon::new();
    daemon.set_up(&[]);
    ready(&mut daemon);
    daemon.connection.close();
    daemon.answer(Procedure::CONNECT_CLOSE, &()).unwrap();
    assert_eq!(daemon.events(), [ConnectionEvent::Closed]);
    assert_eq!(daemon.connection.poll_timeout(), None);
}

#[test]
fn garbage_is_a_frame_error_not_a_panic() {
    let mut daemon = Daemon::new();
    let result = daemon
        .connection
        .handle_bytes(daemon.now, b"HTTP/1.1 400 Bad Request\r\n");
    assert!(matches!(result, Err(ConnectionError::Frame(_))));
}
