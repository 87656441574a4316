//! Scheduler runs, counted as the pe-input files the controllers' schedulers wrote (one per run;
//! only the DC writes them). A monitor that writes the CIB makes the DC run its scheduler.

use masakari_lab::{Lab, LabError, Result};

/// pe-input files over every controller now.
pub fn runs(lab: &Lab) -> Result<usize> {
    let count = ["-c", "ls /var/lib/pacemaker/pengine | grep -c '^pe-'; true"];
    let mut total = 0;
    for m in lab.layout().controllers() {
        let out = lab.on_node(m, "sh", &count)?;
        let n: usize = out
            .trim()
            .parse()
            .map_err(|_| LabError::Usage(format!("pe-input count {out:?}")))?;
        total += n;
    }
    Ok(total)
}
