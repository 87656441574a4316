//! fence_redfish_rs against fence_redfish (fence-agents 4.12.1), call by call, on the same
//! sushy-emulator (PyPI sushy-tools, fake driver, HTTPS with a CA of the test's own, basic auth).
//! No cluster: two emulators serve the whole file (made by the first test that needs them, killed
//! by PID when the test process exits). Needs root and `make deps`.
//!
//! Each case runs both agents with the same stdin (as Pacemaker's fencer writes it) and compares
//! stdout and the exit code, and after power actions the emulator's PowerState. The power cases
//! run both agents at once, each on its own system of emulator `two`, so the fake driver's 1-11 s
//! delay is paid once per step (off, on, reboot: four power changes per system).
//!
//! Where ours is stricter on purpose (README "fence_redfish_rs"), the case says so and asserts
//! both answers:
//! * several systems and no `systems_uri`: fence_redfish fences the last member listed; ours
//!   fails (exit 1) and names the members;
//! * `diag` against the fake driver, which answers the Nmi reset with 501: fence_redfish never
//!   reads that status and prints "Success: Rebooted"; ours fails (exit 1) with the 501's message;
//! * the CA: ours takes `ssl_ca_file`, fence_redfish only `REQUESTS_CA_BUNDLE` (environment).
//!
//! What may differ in metadata: the agent's name, longdesc, and our `ssl_ca_file` parameter.

#![allow(clippy::unwrap_used, clippy::panic)] // test harness: failing loudly is the point

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use masakari_lab::stage::{Stage, build_dir};
use masakari_lab::sushy::{FakeSystem, Sushy, SushySpec, free_loopback_port};
use masakari_lab::tls::Ca;
use masakari_lab::tools::Tools;

const PASSWORD: &str = "redfish-pw";
const THEIRS: &str = "/usr/sbin/fence_redfish";

struct Shared {
    ca: Ca,
    /// Two systems: `a` for fence_redfish's power actions, `b` for ours.
    two: Sushy,
    /// One system, for discovery without `systems_uri`.
    one: Sushy,
    a: FakeSystem,
    b: FakeSystem,
    only: FakeSystem,
}

static PIDS: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

/// The emulators are in a static, never dropped: they are killed (by PID) when the process exits.
extern "C" fn kill_at_exit() {
    for pid in &PIDS {
        let pid = pid.load(Ordering::SeqCst);
        if let Ok(pid) = i32::try_from(pid)
            && pid > 0
        {
            // SAFETY: a plain kill(2) of the emulator this process started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
    let _ = std::fs::remove_dir_all(scratch());
}

fn scratch() -> PathBuf {
    PathBuf::from(format!(
        "/var/tmp/masakari-fence-redfish-{}",
        std::process::id()
    ))
}

fn shared() -> MutexGuard<'static, Shared> {
    static SHARED: OnceLock<Mutex<Shared>> = OnceLock::new();
    let shared = SHARED.get_or_init(|| {
        // SAFETY: registers a plain function that runs once at process exit.
        unsafe { libc::atexit(kill_at_exit) };
        let dir = scratch();
        let ca = Ca::create(&dir.join("tls")).unwrap();
        let (a, b) = (FakeSystem::new("a", true), FakeSystem::new("b", true));
        let only = FakeSystem::new("only", true);
        let two = emulator(&dir, &ca, "two", vec![a.clone(), b.clone()]);
        PIDS[0].store(two.pid(), Ordering::SeqCst);
        let one = emulator(&dir, &ca, "one", vec![only.clone()]);
        PIDS[1].store(one.pid(), Ordering::SeqCst);
        Mutex::new(Shared {
            ca,
            two,
            one,
            a,
            b,
            only,
        })
    });
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn emulator(dir: &Path, ca: &Ca, name: &str, systems: Vec<FakeSystem>) -> Sushy {
    let address = IpAddr::V4(Ipv4Addr::LOCALHOST);
    Sushy::start(
        &Tools::installed().unwrap(),
        SushySpec {
            dir: dir.join(name),
            netns: None,
            address,
            port: free_loopback_port().unwrap(),
            tls: ca.issue(name, address).unwrap(),
            ca: ca.cert(),
            username: "admin".into(),
            password: PASSWORD.into(),
            systems,
            notification_url: None,
        },
    )
    .unwrap()
}

fn our_agent() -> PathBuf {
    build_dir().unwrap().join("fence_redfish_rs")
}

/// What one run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    stdout: String,
    code: Option<i32>,
    stderr: String,
}

/// The stdin lines of a device on `bmc` (`ip=127.0.0.1:PORT`, the user, the password) and `extra`.
fn device(bmc: &Sushy, extra: &[String]) -> Vec<String> {
    let port = bmc.spec().port;
    let mut lines = vec![
        format!("ip=127.0.0.1:{port}"),
        "username=admin".to_owned(),
        format!("password={PASSWORD}"),
    ];
    lines.extend_from_slice(extra);
    lines
}

fn spawn(program: &Path, lines: &[String], env: &[(&str, &Path)]) -> Child {
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        cmd.env(key, value);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(lines.join("\n").as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    drop(stdin);
    child
}

fn finish(child: Child) -> Outcome {
    let out = child.wait_with_output().unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// fence_redfish with `theirs` and ours with `our_lines`, at once; (theirs, ours).
fn both_with(theirs: &[String], our_lines: &[String], env: &[(&str, &Path)]) -> (Outcome, Outcome) {
    let (t, o) = (
        spawn(Path::new(THEIRS), theirs, env),
        spawn(&our_agent(), our_lines, &[]),
    );
    (finish(t), finish(o))
}

/// Both agents with the same stdin; asserts the same stdout and exit code; ours' outcome.
fn same(lines: &[String], env: &[(&str, &Path)], what: &str) -> Outcome {
    let (theirs, ours) = both_with(lines, lines, env);
    assert_eq!(
        (&ours.stdout, ours.code),
        (&theirs.stdout, theirs.code),
        "{what}: ours {ours:#?} theirs {theirs:#?}"
    );
    ours
}

fn action(name: &str) -> String {
    format!("action={name}")
}

fn systems_uri(system: &FakeSystem) -> String {
    format!("systems_uri={}", system.uri())
}

#[test]
fn status_monitor_list_and_validate_all_answer_alike() {
    let s = shared();
    let insecure = "ssl_insecure=1".to_owned();
    for (act, stdout, code) in [
        ("status", "Status: ON\n", 0),
        ("monitor", "", 0),
        (
            "list",
            "NOTICE: List option is not working on this device yet\n",
            0,
        ),
        ("validate-all", "", 0),
    ] {
        let lines = device(&s.one, &[action(act), insecure.clone()]);
        let ours = same(&lines, &[], act);
        assert_eq!(
            (ours.stdout.as_str(), ours.code),
            (stdout, Some(code)),
            "{act}"
        );
        let lines = device(&s.two, &[action(act), insecure.clone(), systems_uri(&s.a)]);
        same(&lines, &[], act);
    }
    // The same through argv (short and long options), ours only: no password on argv elsewhere.
    let port = s.one.spec().port;
    let out = Command::new(our_agent())
        .args([
            "-a",
            &format!("127.0.0.1:{port}"),
            "-l",
            "admin",
            "-p",
            PASSWORD,
        ])
        .args(["--ssl-insecure", "--action=status"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Status: ON\n");
}

#[test]
fn bad_credentials_a_wrong_systems_uri_and_no_service_fail_alike() {
    let s = shared();
    let insecure = "ssl_insecure=1".to_owned();
    let mut bad = device(&s.one, &[action("status"), insecure.clone()]);
    bad[2] = "password=wrong".into();
    let ours = same(&bad, &[], "bad password");
    assert_eq!(ours.code, Some(1));
    assert!(
        ours.stderr.contains("401: Incorrect username or password"),
        "{ours:?}"
    );
    bad.push(systems_uri(&s.only));
    same(&bad, &[], "bad password with systems_uri");

    let wrong = device(
        &s.one,
        &[
            action("status"),
            insecure.clone(),
            "systems_uri=/redfish/v1/Systems/nope".into(),
        ],
    );
    let ours = same(&wrong, &[], "wrong systems_uri");
    assert_eq!(ours.code, Some(1));
    assert!(
        ours.stderr.contains("404: Fake system nope was not found"),
        "{ours:?}"
    );

    let nobody = format!("ip=127.0.0.1:{}", free_loopback_port().unwrap());
    let mut unreachable = device(&s.one, &[action("status"), insecure]);
    unreachable[0] = nobody;
    let ours = same(&unreachable, &[], "nothing listening");
    assert_eq!(ours.code, Some(1));
    assert!(ours.stderr.contains("Connection timed out"), "{ours:?}");
}

#[test]
fn certificates_are_verified_unless_ssl_insecure() {
    let s = shared();
    let status = device(&s.one, &[action("status")]);
    let ours = same(&status, &[], "a certificate of an unknown CA");
    assert_eq!(ours.code, Some(1));
    assert!(ours.stderr.contains("certificate"), "{ours:?}");
    let mut insecure = status.clone();
    insecure.push("ssl_insecure=1".into());
    assert_eq!(same(&insecure, &[], "ssl_insecure").stdout, "Status: ON\n");
    // Trusting the CA: fence_redfish through requests' environment, ours through ssl_ca_file.
    let ca = s.ca.cert();
    let mut with_ca = status.clone();
    with_ca.push(format!("ssl_ca_file={}", ca.display()));
    let (theirs, ours) = both_with(&status, &with_ca, &[("REQUESTS_CA_BUNDLE", &ca)]);
    assert_eq!(
        (theirs.stdout.as_str(), theirs.code),
        ("Status: ON\n", Some(0))
    );
    assert_eq!((ours.stdout.as_str(), ours.code), ("Status: ON\n", Some(0)));
    let mut wrong_ca = status;
    wrong_ca.push(format!("ssl_ca_file={}", s.ca.wrong_cert().display()));
    let refused = finish(spawn(&our_agent(), &wrong_ca, &[]));
    assert_eq!(refused.code, Some(1), "{refused:?}");
}

#[test]
fn several_systems_without_systems_uri_is_our_error_and_their_guess() {
    let s = shared();
    let lines = device(&s.two, &[action("status"), "ssl_insecure=1".into()]);
    let (theirs, ours) = both_with(&lines, &lines, &[]);
    assert_eq!(
        (theirs.stdout.as_str(), theirs.code),
        ("Status: ON\n", Some(0))
    );
    assert_eq!((ours.stdout.as_str(), ours.code), ("", Some(1)));
    assert!(
        ours.stderr.contains("lists 2 systems; set systems_uri"),
        "{ours:?}"
    );
    assert!(ours.stderr.contains(&s.a.uri()) && ours.stderr.contains(&s.b.uri()));
}

/// fence_redfish on system `a` and ours on system `b`, at once, with `action=act` and `extra`.
fn on_own_systems(s: &Shared, act: &str, extra: &[String]) -> (Outcome, Outcome) {
    let mut common = vec![action(act), "ssl_insecure=1".to_owned()];
    common.extend_from_slice(extra);
    let mut theirs = device(&s.two, &common);
    theirs.push(systems_uri(&s.a));
    let mut our_lines = device(&s.two, &common);
    our_lines.push(systems_uri(&s.b));
    both_with(&theirs, &our_lines, &[])
}

/// [`on_own_systems`]: the same output and exit code, and both systems in `power` afterwards.
fn power_step(s: &Shared, act: &str, power: &str) -> Outcome {
    let (t, o) = on_own_systems(s, act, &[]);
    assert_eq!(
        (&o.stdout, o.code),
        (&t.stdout, t.code),
        "{act}: ours {o:#?} theirs {t:#?}"
    );
    assert_eq!(
        s.two.power_state(&s.a).unwrap(),
        power,
        "{act}: fence_redfish's system"
    );
    assert_eq!(s.two.power_state(&s.b).unwrap(), power, "{act}: our system");
    o
}

#[test]
fn off_on_reboot_and_diag_call_by_call() {
    let s = shared();
    s.two.set_power(&s.a, true).unwrap();
    s.two.set_power(&s.b, true).unwrap();
    assert_eq!(power_step(&s, "on", "On").stdout, "Success: Already ON\n");
    assert_eq!(
        power_step(&s, "off", "Off").stdout,
        "Success: Powered OFF\n"
    );
    assert_eq!(
        power_step(&s, "off", "Off").stdout,
        "Success: Already OFF\n"
    );
    let off = power_step(&s, "status", "Off");
    assert_eq!((off.stdout.as_str(), off.code), ("Status: OFF\n", Some(2)));
    assert_eq!(power_step(&s, "on", "On").stdout, "Success: Powered ON\n");
    assert_eq!(power_step(&s, "reboot", "On").stdout, "Success: Rebooted\n");

    // diag: the fake driver answers the Nmi reset 501; fence_redfish does not look.
    let (t, o) = on_own_systems(&s, "diag", &[]);
    assert_eq!(
        (t.stdout.as_str(), t.code),
        ("Success: Rebooted\n", Some(0))
    );
    assert_eq!((o.stdout.as_str(), o.code), ("", Some(1)));
    assert!(
        o.stderr.contains("501: Power state Nmi is not supported"),
        "{o:?}"
    );
}

/// Runs `args` with our staged agents laid over /usr/sbin in a private mount namespace (the
/// host's /usr/sbin is untouched), as a node of the lab sees them.
fn with_staged_agents(stage: &Stage, args: &[&str]) -> Outcome {
    let script = format!(
        "mount -t overlay overlay -o 'lowerdir={}/usr/sbin:/usr/sbin' /usr/sbin && exec \"$@\"",
        stage.root().display()
    );
    let out = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script, "sh"])
        .args(args)
        .output()
        .unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn metadata_pcs_and_stonith_admin_take_ours_as_they_take_fence_redfish() {
    let s = shared();
    let stage = Stage::install(&format!("tfrm-{}", std::process::id())).unwrap();
    let meta = |program: &Path| {
        let out = Command::new(program)
            .args(["-o", "metadata"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (theirs, ours_xml) = (meta(Path::new(THEIRS)), meta(&our_agent()));
    let names = |xml: &str| -> Vec<String> {
        xml.split("<parameter name=\"")
            .skip(1)
            .filter_map(|p| p.split('"').next().map(str::to_owned))
            .filter(|n| n != "ssl_ca_file")
            .collect()
    };
    assert_eq!(names(&ours_xml), names(&theirs));
    assert!(ours_xml.contains("<resource-agent name=\"fence_redfish_rs\""));

    let describe = with_staged_agents(&stage, &["pcs", "stonith", "describe", "fence_redfish_rs"]);
    assert_eq!(describe.code, Some(0), "{describe:?}");
    for param in [
        "ip",
        "username",
        "password",
        "systems_uri",
        "ssl_insecure",
        "pcmk_host_list",
    ] {
        assert!(
            describe.stdout.contains(param),
            "pcs describe lacks {param}: {describe:?}"
        );
    }
    let admin = with_staged_agents(
        &stage,
        &["stonith_admin", "--metadata", "--agent", "fence_redfish_rs"],
    );
    assert_eq!(admin.code, Some(0), "{admin:?}");
    assert!(
        admin
            .stdout
            .contains("<resource-agent name=\"fence_redfish_rs\""),
        "{admin:?}"
    );
    let theirs_admin = with_staged_agents(
        &stage,
        &["stonith_admin", "--metadata", "--agent", "fence_redfish"],
    );
    assert_eq!(names(&admin.stdout), names(&theirs_admin.stdout));
    drop(s);
}
