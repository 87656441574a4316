use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;

use masakari_client::{NotificationId, Timestamp};

use super::client::{self, ControlError, TIMEOUT};
use super::*;

/// A status answer with one overdue notification.
pub(crate) fn sample() -> StatusAnswer {
    StatusAnswer {
        hostname: "compute-1".into(),
        libvirt: LibvirtView {
            connected: true,
            uri: "qemu:///system".into(),
            socket: Some("/run/libvirt/libvirt-sock-ro".into()),
            last_error: None,
            connects: 1,
        },
        domains: DomainsView { seen: 3, active: 2 },
        pending: vec![PendingView {
            id: NotificationId::new("compute-1", 4, "vm"),
            event: "LIFECYCLE".into(),
            vir_domain_event: "STOPPED_FAILED".into(),
            instance_uuid: "6f1c2a40-0b1d-4e5f-9a3c-112233445566".into(),
            attempts: 14,
            last_error: Some("503 from http://api/v1/notifications: down".into()),
            next_try: Some(Timestamp::from_unix(1_700_000_060, 0)),
            overdue: true,
        }],
        api: ApiView {
            last_ok: Some(false),
            last_error: Some("503".into()),
            delivered: 2,
        },
    }
}

#[test]
fn requests_are_one_word() {
    assert_eq!("status\n".parse(), Ok(Request::Status));
    assert_eq!(Request::Status.to_string(), "status");
    let unknown = "release".parse::<Request>().unwrap_err();
    assert_eq!(unknown.to_string(), "unknown request \"release\"");
}

#[test]
fn the_status_answer_round_trips_and_names_its_fields() {
    let line = Answer::Status(Box::new(sample())).to_line();
    assert!(line.ends_with("}\n"));
    let json: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(json["libvirt"]["connected"], true);
    assert_eq!(json["libvirt"]["uri"], "qemu:///system");
    assert_eq!(json["domains"]["seen"], 3);
    assert_eq!(json["domains"]["active"], 2);
    assert_eq!(json["pending"][0]["id"], "compute-1/4/vm");
    assert_eq!(
        json["pending"][0]["instance_uuid"],
        sample().pending[0].instance_uuid
    );
    assert_eq!(json["pending"][0]["overdue"], true);
    assert_eq!(json["pending"][0]["next_try"], 1_700_000_060_000_000u64);
    assert_eq!(json["api"]["last_ok"], false);
    let back: StatusAnswer = parse_answer(line.as_bytes()).unwrap();
    assert_eq!(back, sample());
    assert_eq!(back.overdue(), 1);
}

#[test]
fn an_older_or_newer_daemon_still_reads() {
    let minimal = r#"{"hostname":"c1","libvirt":{"connected":false,"uri":"qemu:///system"},
        "domains":{"seen":0,"active":0},"pending":[],"api":{"last_ok":null},"new_field":1}"#;
    let status: StatusAnswer = parse_answer(minimal.as_bytes()).unwrap();
    assert_eq!(status.api.last_ok, None);
    assert_eq!(status.libvirt.last_error, None);
}

#[test]
fn a_refusal_and_another_shape_are_errors() {
    let refused = parse_answer::<StatusAnswer>(b"{\"error\":\"stopping\"}\n").unwrap_err();
    assert!(matches!(&refused, AnswerError::Refused(e) if e == "stopping"));
    let bad = parse_answer::<StatusAnswer>(b"{\"libvirt\":1}\n").unwrap_err();
    assert!(matches!(bad, AnswerError::Malformed(_)), "{bad}");
}

fn socket(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("im-control-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("control.sock");
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn the_client_asks_status_and_reads_one_line() {
    let path = socket("status");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut asked = String::new();
        BufReader::new(&stream).read_line(&mut asked).unwrap();
        let answer = Answer::Status(Box::new(sample())).to_line();
        (&stream).write_all(answer.as_bytes()).unwrap();
        asked
    });
    assert_eq!(client::status(&path, TIMEOUT).unwrap(), sample());
    assert_eq!(server.join().unwrap(), "status\n");
}

#[test]
fn nobody_listening_is_not_running() {
    let path = socket("none");
    let error = client::status(&path, TIMEOUT).unwrap_err();
    assert!(matches!(&error, ControlError::NotRunning { path: p } if *p == path));
    assert!(
        error
            .to_string()
            .starts_with("no instance monitor answers on /")
    );
}

#[test]
fn a_silent_daemon_times_out() {
    let path = socket("silent");
    let _listener = UnixListener::bind(&path).unwrap();
    let error = client::status(&path, std::time::Duration::from_millis(50)).unwrap_err();
    assert!(matches!(error, ControlError::Exchange { .. }), "{error}");
}
