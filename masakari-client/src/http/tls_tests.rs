//! TLS trust against a real TLS peer: `openssl s_server` on loopback with a certificate made for
//! the test. Without the openssl program the test fails (`make deps` installs it), or is skipped
//! with a note when `MASAKARI_PCMK_MAY_SKIP` is set.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// The server, killed by its PID when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A test CA, a certificate it signed for 127.0.0.1, and an `s_server -www` using it; its port.
fn serve(dir: &Path) -> Option<(Server, u16)> {
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName = IP:127.0.0.1\nbasicConstraints = critical, CA:FALSE\n",
    )
    .ok()?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let steps: [&[&str]; 3] = [
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "1",
                "-subj",
                "/CN=hm test CA",
            ],
        ]
        .concat(),
        &[
            &["req", "-new"],
            &ec[..],
            &[
                "-keyout",
                "key.pem",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat(),
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-extfile",
            "leaf.ext",
        ],
    ];
    if !steps.iter().all(|args| openssl(dir, args)) {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args([
            "s_server", "-www", "-quiet", "-cert", "cert.pem", "-key", "key.pem",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = Server(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "s_server never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((server, port))
}

async fn fetch(settings: &Masakari, port: u16) -> Result<u16, String> {
    fetch_with(client(settings, "test").map_err(|e| e.to_string())?, port).await
}

async fn fetch_with(client: reqwest::Client, port: u16) -> Result<u16, String> {
    client
        .get(format!("https://127.0.0.1:{port}/"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| error_chain(&e))
}

#[tokio::test]
async fn only_the_configured_ca_is_trusted_unless_insecure() {
    let dir = std::env::temp_dir().join(format!("hm-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let Some((_server, port)) = serve(&dir) else {
        assert!(
            std::env::var_os("MASAKARI_PCMK_MAY_SKIP").is_some(),
            "openssl cannot make a test certificate here (make deps; MASAKARI_PCMK_MAY_SKIP=1 skips)"
        );
        eprintln!("skipped: openssl cannot make a test certificate here");
        return;
    };
    let refused = fetch(&Masakari::default(), port).await.unwrap_err();
    assert!(refused.contains("certificate"), "{refused}");
    let trusted = Masakari {
        ca_file: dir.join("ca.pem"),
        ..Masakari::default()
    };
    assert_eq!(fetch(&trusted, port).await, Ok(200));
    let other_ca = Masakari {
        ca_file: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/test-ca.pem"),
        ..Masakari::default()
    };
    let refused = fetch(&other_ca, port).await.unwrap_err();
    assert!(refused.contains("certificate"), "{refused}");
    let insecure = Masakari {
        insecure: true,
        ..Masakari::default()
    };
    assert_eq!(fetch(&insecure, port).await, Ok(200));
    // No ca_file: a CA installed in the system's bundle is trusted, as curl trusts it.
    let system =
        |bundles: &[&Path]| client_trusting(&Masakari::default(), "test", bundles).unwrap();
    let ca = dir.join("ca.pem");
    let missing = dir.join("no-such-bundle.crt");
    assert_eq!(fetch_with(system(&[&missing, &ca]), port).await, Ok(200));
    let refused = fetch_with(system(&[&missing]), port).await.unwrap_err();
    assert!(refused.contains("certificate"), "{refused}");
    std::fs::remove_dir_all(&dir).unwrap();
}
