//! When each notification's POST reached the API: one probe on the API's side, the same for both
//! monitors. `tcpdump` runs in the API's namespace and prints, for every TCP segment sent to the
//! API's port, its arrival time and its payload as text; a request is found by the
//! `POST /v1/notifications` line and told apart by its body (the host name and the guest's UUID).
//! The body also carries the monitor's own stamp of the event (`generated_time`: both monitors
//! take it when they get the event from libvirt), so stamp -> POST is each monitor's own time on
//! one clock and one probe.
//! Plain HTTP only (the bench's lab runs the API under noauth2 without TLS).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use masakari_lab::bench::timefmt;
use masakari_lab::layout::{API_PORT, Host};
use masakari_lab::wait::poll_until;
use masakari_lab::{Lab, LabError, Result};

/// The request line every notification starts with.
const REQUEST_LINE: &str = "POST /v1/notifications";

/// The running capture.
#[derive(Debug)]
pub struct PostWatch {
    child: Child,
    dump: PathBuf,
}

impl PostWatch {
    /// Starts capturing in the API's namespace; returns once tcpdump listens.
    pub fn start(lab: &Lab) -> Result<Self> {
        let dir = lab.layout().host_dir(Host::Api);
        let (dump, errors) = (dir.join("posts.tcpdump"), dir.join("posts.tcpdump.err"));
        let filter = format!("tcp dst port {API_PORT} and tcp[tcpflags] & tcp-push != 0");
        let netns = lab.layout().netns(Host::Api);
        let argv = ["netns", "exec", &netns, "tcpdump", "-i", "any", "-n", "-tt"];
        let child = std::process::Command::new("ip")
            .args(argv)
            .args(["-l", "-A", "-s", "0", &filter])
            .stdin(Stdio::null())
            .stdout(create(&dump)?)
            .stderr(create(&errors)?)
            .spawn()
            .map_err(|source| LabError::Spawn {
                program: "tcpdump".to_owned(),
                source,
            })?;
        poll_until(
            "tcpdump to listen",
            std::time::Duration::from_secs(10),
            || Ok(read(&errors).contains("listening on").then_some(())),
        )?;
        Ok(Self { child, dump })
    }

    /// The first POST of `host`'s notification about `uuid` that reached the API.
    pub fn posted(&self, host: &str, uuid: &str) -> Option<Posted> {
        first_post(&posts(&read(&self.dump)), host, uuid)
    }
}

impl Drop for PostWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A notification's POST as the API's side saw it (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posted {
    /// When its request line arrived.
    pub at: f64,
    /// Its `generated_time`: when the monitor got the event.
    pub generated: Option<f64>,
}

/// One request as captured: when its request line arrived, and its text (headers and body).
#[derive(Debug, Clone, PartialEq)]
struct Post {
    at: f64,
    text: String,
}

/// The notification POSTs in a capture, each with the text of the segments of its connection up to
/// the next request on it.
fn posts(dump: &str) -> Vec<Post> {
    let mut posts: Vec<Post> = Vec::new();
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    let mut segment: Option<(f64, String)> = None;
    for line in dump.lines() {
        if let Some(header) = header(line) {
            segment = Some(header);
            continue;
        }
        let Some((at, flow)) = &segment else {
            continue;
        };
        if line.contains(REQUEST_LINE) {
            open.insert(flow.clone(), posts.len());
            posts.push(Post {
                at: *at,
                text: String::new(),
            });
        }
        if let Some(post) = open.get(flow).and_then(|&i| posts.get_mut(i)) {
            post.text.push_str(line);
        }
    }
    posts
}

/// The first of `posts` that carries `host`'s notification about `uuid`.
fn first_post(posts: &[Post], host: &str, uuid: &str) -> Option<Posted> {
    let host = format!("\"{host}\"");
    let post = posts
        .iter()
        .find(|p| p.text.contains(&host) && p.text.contains(uuid))?;
    Some(Posted {
        at: post.at,
        generated: generated_time(&post.text),
    })
}

/// `"generated_time":"2026-12-07T02:55:13.658463"` (or with a space after the colon, as Python
/// writes it) in Unix seconds.
fn generated_time(text: &str) -> Option<f64> {
    let (_, rest) = text.split_once("\"generated_time\":")?;
    let value = rest.trim_start().strip_prefix('"')?;
    let (stamp, _) = value.split_once('"')?;
    timefmt::parse_utc(stamp)
}

/// A segment's header line, `1765150000.123456 veth0 In  IP 10.0.0.1.40000 > 10.0.0.2.15868: Flags
/// [P.], ...`: its time and its source address and port (the connection).
fn header(line: &str) -> Option<(f64, String)> {
    let (stamp, rest) = line.split_once(' ')?;
    let at: f64 = stamp.parse().ok()?;
    let (before, _) = rest.split_once(" > ")?;
    let (_, source) = before.rsplit_once(" IP ")?;
    Some((at, source.trim().to_owned()))
}

fn create(path: &Path) -> Result<std::fs::File> {
    std::fs::File::create(path).map_err(|source| LabError::File {
        path: path.to_owned(),
        source,
    })
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "\
1765150000.100000 veth0 In  IP 10.0.0.5.40000 > 10.0.0.2.15868: Flags [P.], seq 1:150, length 149
E.....@.@...POST /v1/notifications HTTP/1.1
content-type: application/json

1765150000.200000 veth0 In  IP 10.0.0.5.40002 > 10.0.0.2.15868: Flags [P.], seq 1:90, length 89
E.....@.@...POST /v1/notifications HTTP/1.1
1765150000.200100 veth0 In  IP 10.0.0.5.40000 > 10.0.0.2.15868: Flags [P.], seq 150:300, length 150
E.....@.@...{\"notification\":{\"hostname\":\"compute1\",\"generated_time\":\"2025-12-07T23:26:40.050000\",\"payload\":{\"instance_uuid\":\"u-1\"}}}
1765150000.200200 veth0 In  IP 10.0.0.5.40002 > 10.0.0.2.15868: Flags [P.], seq 90:200, length 110
E.....@.@...{\"notification\": {\"hostname\": \"compute1-incumbent\", \"generated_time\": \"2025-12-07T23:26:40.150000\", \"payload\": {\"instance_uuid\": \"u-1\"}}}
";

    #[test]
    fn each_request_is_timed_by_its_request_line_and_known_by_its_connections_body() {
        let posts = posts(DUMP);
        assert_eq!(posts.len(), 2);
        let at = |host| first_post(&posts, host, "u-1").map(|p| p.at);
        assert_eq!(at("compute1"), Some(1_765_150_000.1));
        assert_eq!(at("compute1-incumbent"), Some(1_765_150_000.2));
        assert_eq!(at("compute2"), None);
        let generated = |host| first_post(&posts, host, "u-1").and_then(|p| p.generated);
        assert_eq!(generated("compute1"), Some(1_765_150_000.05));
        assert_eq!(generated("compute1-incumbent"), Some(1_765_150_000.15));
    }

    #[test]
    fn a_payload_line_is_not_taken_for_a_header() {
        assert_eq!(header("E.....@.@...{\"a\": 1 > 2}"), None);
        assert_eq!(
            header("1765150000.5 lo In  IP 127.0.0.1.5 > 127.0.0.1.6: Flags [P.]"),
            Some((1_765_150_000.5, "127.0.0.1.5".to_owned()))
        );
    }
}
