//! When the API stored each notification, to the millisecond. The API's own `created_at` has whole
//! seconds only, so a reader polls its database (read-only, every 10 ms) and stamps each new row
//! with the host clock when it first sees it.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::layout::Host;
use crate::tools::Tools;
use crate::{Lab, LabError, Result};

const POLLER: &str = "import sqlite3, sys, time
db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True, timeout=5)
last = 0
while True:
    try:
        rows = db.execute('SELECT id, notification_uuid FROM notifications WHERE id > ? ORDER BY id', (last,)).fetchall()
    except sqlite3.Error:
        rows = []
    now = time.time()
    for row_id, uuid in rows:
        last = max(last, row_id)
        print(uuid, '%.6f' % now, flush=True)
    time.sleep(0.01)
";

/// The running poller and what it has seen: notification uuid to Unix seconds.
#[derive(Debug)]
pub struct StoreWatch {
    child: Child,
    seen: Arc<Mutex<BTreeMap<String, f64>>>,
}

impl StoreWatch {
    /// Starts polling the lab API's database.
    pub fn start(lab: &Lab) -> Result<Self> {
        let db = lab.layout().host_dir(Host::Api).join("masakari.db");
        let python = Tools::installed()?.venv_bin("python3");
        let mut child = std::process::Command::new(&python)
            .args(["-c", POLLER])
            .arg(&db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|source| LabError::Spawn {
                program: python.display().to_string(),
                source,
            })?;
        let seen = Arc::new(Mutex::new(BTreeMap::new()));
        if let Some(out) = child.stdout.take() {
            let sink = Arc::clone(&seen);
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(std::io::Result::ok) {
                    let mut words = line.split_whitespace();
                    if let (Some(uuid), Some(Ok(at))) = (words.next(), words.next().map(str::parse))
                    {
                        sink.lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .entry(uuid.to_owned())
                            .or_insert(at);
                    }
                }
            });
        }
        Ok(Self { child, seen })
    }

    /// When the notification was first seen in the database (waits up to 2 s for the poller).
    pub fn stored_at(&self, uuid: &str) -> Option<f64> {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let at = self
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(uuid)
                .copied();
            if at.is_some() || Instant::now() > deadline {
                return at;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for StoreWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
