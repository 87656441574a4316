//! The main job (`make demo`): a lab running our binaries (staged from the build), our host monitor on
//! ctl1 as the Pacemaker resource `ocf:masakari:hostmonitor`; compute1 fails, Pacemaker fences it through its BMC, the monitor notifies Masakari, and the
//! timeline of what each party saw is printed. With the spec's `keystone` (the Makefile's default),
//! the monitor reads the seed's `masakarimonitors.conf` and goes through a real Keystone and HTTPS.
//! Also the lab's `status` report.

use std::time::{Duration, Instant};

use cib::FenceStatus;
use serde_json::{Value, json};

use crate::error::{LabError, Result};
use crate::lab::{HISTORY_INTERVAL, Lab};
use crate::masakari::StoredNotification;
use crate::monitor::{Monitor, MonitorSetup};
use crate::observe;
use crate::spec::LabSpec;
use crate::stage::Stage;

/// How long the demo watches the failure unfold.
const WATCH: Duration = Duration::from_secs(90);
/// The compute the demo fails.
const VICTIM: &str = "compute1";

/// Builds the lab, fails compute1 and prints the timeline; tears the lab down at the end. The nodes run
/// the binaries of `spec.stage` when given (e.g. a root the RPMs were installed into), else those of
/// this build, staged with `make install-files`.
pub fn run(spec: LabSpec) -> Result<()> {
    let staged = match &spec.stage {
        Some(_) => None,
        None => Some(Stage::install(&spec.name)?),
    };
    let spec = LabSpec {
        stage: spec
            .stage
            .clone()
            .or_else(|| staged.as_ref().map(|s| s.root().to_owned())),
        ..spec
    };
    let started = Instant::now();
    println!(
        "bringing up lab {} ({} controller(s), {} computes, {:?} BMCs, stonith {}) ...",
        spec.name, spec.controllers, spec.computes, spec.bmc, spec.fence_agent
    );
    let lab = Lab::up(spec)?;
    println!("lab up in {:.1} s", started.elapsed().as_secs_f64());
    let config = if lab.layout().spec().keystone {
        Some(crate::keystone::monitors_conf(
            lab.layout(),
            &crate::keystone::password_login(lab.layout())?,
            "",
        )?)
    } else {
        None
    };
    let setup = MonitorSetup {
        managed: true,
        config,
        ..MonitorSetup::default()
    };
    let monitor = Monitor::start(&lab, &setup)?;
    println!(
        "masakari-hostmonitor runs on ctl1 as the Pacemaker resource ocf:masakari:hostmonitor, \
         Pacemaker alerts routed to it"
    );
    if lab.layout().spec().keystone {
        println!(
            "it reads the seed's masakarimonitors.conf: Keystone {} (password of user {}), the \
             instance-ha endpoint from the catalog, HTTPS trusting {}",
            crate::keystone::auth_url(),
            crate::keystone::SERVICE_USER,
            crate::tls::ca_file(lab.layout()).display()
        );
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&status(&lab)?).unwrap_or_default()
    );

    println!("\nkilling pacemaker-remoted on {VICTIM} ...");
    let t0 = Instant::now();
    lab.kill_remoted(VICTIM)?;
    let timeline = watch(&lab, t0)?;
    println!("\ntimeline (seconds after the kill):");
    for (at, what) in &timeline {
        println!("  {at:7.2}  {what}");
    }
    println!(
        "\nfencer history: {}",
        observe::fence_history_json(&lab.fence_history()?)
    );
    let stored: Vec<Value> = lab.notifications()?.iter().map(notification_json).collect();
    println!(
        "notifications stored by the Masakari API: {}",
        serde_json::to_string_pretty(&stored).unwrap_or_default()
    );
    println!("\nhost monitor log:\n{}", monitor.log());
    if stored.is_empty() {
        return Err(LabError::Timeout {
            what: "a notification stored by the Masakari API".into(),
            seconds: WATCH.as_secs_f64(),
        });
    }
    check_stored(&lab)?;
    lab.down()
}

/// What the Masakari API must hold after the demo: one notification, about the victim, saying it
/// stopped, is offline and was fenced (NORMAL: masakari-engine evacuates only then).
fn check_stored(lab: &Lab) -> Result<()> {
    let all = lab.notifications()?;
    let victim = crate::masakari::notifications_for(lab.layout(), VICTIM)?;
    let wrong = |detail: String| LabError::Answer {
        peer: "masakari-api".to_owned(),
        detail,
    };
    let [n] = victim.as_slice() else {
        return Err(wrong(format!(
            "{} notification(s) stored for {VICTIM}, not one (all stored: {all:?})",
            victim.len()
        )));
    };
    if all.len() != 1 {
        return Err(wrong(format!(
            "notifications stored for hosts that did not fail: {all:?}"
        )));
    }
    let expected = [
        ("event", "STOPPED"),
        ("cluster_status", "OFFLINE"),
        ("host_status", "NORMAL"),
    ];
    let payload_ok = expected
        .iter()
        .all(|(key, value)| n.payload.get(key).and_then(Value::as_str) == Some(value));
    if n.kind != "COMPUTE_HOST" || !payload_ok {
        return Err(wrong(format!(
            "{VICTIM}'s notification is {} {}, not COMPUTE_HOST STOPPED/OFFLINE/NORMAL",
            n.kind, n.payload
        )));
    }
    Ok(())
}

/// First sightings, in order, with their time after the fault.
struct Timeline {
    t0: Instant,
    lines: Vec<(f64, String)>,
    seen: std::collections::HashSet<&'static str>,
}

impl Timeline {
    fn note(&mut self, key: &'static str, what: String) {
        if self.seen.insert(key) {
            self.lines.push((self.t0.elapsed().as_secs_f64(), what));
        }
    }

    fn has(&self, key: &str) -> bool {
        self.seen.contains(key)
    }
}

/// Polls the cluster, the fencer, the BMC and the API until the victim is fenced (and back, unless
/// fencing leaves it off) or the watch ends; each first sighting becomes a line of the timeline.
fn watch(lab: &Lab, t0: Instant) -> Result<Vec<(f64, String)>> {
    let mut t = Timeline {
        t0,
        lines: Vec::new(),
        seen: Default::default(),
    };
    let mut last_history = None;
    while t0.elapsed() < WATCH {
        if let Some(n) = lab.crm_mon().ok().and_then(|v| v.node(VICTIM).cloned()) {
            if !n.online {
                t.note(
                    "offline",
                    format!("crm_mon: {VICTIM} offline (unclean={})", n.unclean),
                );
            } else if t.has("fenced") {
                t.note("back", format!("crm_mon: {VICTIM} online again"));
            }
        }
        if let Ok(false) = lab.bmc_power(VICTIM) {
            t.note(
                "bmc-off",
                format!("BMC of {VICTIM} reports chassis power off"),
            );
        }
        let ask_fencer = last_history.is_none_or(|at: Instant| at.elapsed() >= HISTORY_INTERVAL);
        let history = if ask_fencer {
            last_history = Some(Instant::now());
            lab.fence_history().unwrap_or_default()
        } else {
            Vec::new()
        };
        if let Some(e) = history
            .iter()
            .find(|e| e.target == VICTIM && e.status == FenceStatus::Success)
        {
            t.note(
                "fenced",
                format!("fencer: {} of {VICTIM} succeeded", e.action),
            );
        }
        if let Some(n) = lab.notifications().ok().and_then(|l| l.into_iter().next()) {
            t.note(
                "notified",
                format!("Masakari API stored {} {}", n.kind, n.payload),
            );
        }
        let settled = if lab.spec_reboot_is_off() {
            t.has("fenced") && t.has("bmc-off")
        } else {
            t.has("back")
        };
        if settled && t.has("notified") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if !t.has("fenced") {
        return Err(LabError::Timeout {
            what: format!("{VICTIM} to be fenced"),
            seconds: WATCH.as_secs_f64(),
        });
    }
    Ok(t.lines)
}

/// The lab's state as JSON: nodes, BMC power and stored notifications.
pub fn status(lab: &Lab) -> Result<Value> {
    let view = lab.crm_mon()?;
    let mut bmcs = serde_json::Map::new();
    for m in lab.layout().machines() {
        let power = match lab.bmc_power(&m.name()) {
            Ok(true) => json!("on"),
            Ok(false) => json!("off"),
            Err(e) => json!(format!("no answer: {e}")),
        };
        bmcs.insert(m.name(), power);
    }
    let notifications: Vec<Value> = lab
        .notifications()
        .map(|l| l.iter().map(notification_json).collect())
        .unwrap_or_default();
    Ok(
        json!({"cluster": observe::cluster_json(&view), "bmc_power": bmcs, "notifications": notifications}),
    )
}

/// A stored notification as JSON for people.
pub fn notification_json(n: &StoredNotification) -> Value {
    json!({
        "uuid": n.notification_uuid, "type": n.kind, "generated_time": n.generated_time,
        "created_at": n.created_at, "payload": n.payload, "status": n.status,
    })
}
