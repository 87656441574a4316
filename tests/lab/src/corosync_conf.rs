//! corosync.conf for the lab's controllers: knet on the lab network, a short token for fast detection.

use std::fmt::Write as _;

use crate::layout::{Host, Layout};

/// The totem token timeout (ms): loss of a controller is detected within about this long.
pub const TOKEN_MS: u32 = 1000;

/// corosync.conf, the same on every controller (corosync finds its own address in the nodelist).
/// Each key and each closing brace stands on its own line: corosync's parser demands it.
pub fn render(layout: &Layout) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "# Written by masakari-lab.\n\
         totem {{\n\
         \tversion: 2\n\
         \tcluster_name: mlab-{name}\n\
         \ttransport: knet\n\
         \ttoken: {TOKEN_MS}\n\
         \tcrypto_cipher: none\n\
         \tcrypto_hash: none\n\
         }}\n\
         nodelist {{\n",
        name = layout.spec().name
    );
    for (i, m) in layout.controllers().into_iter().enumerate() {
        let _ = write!(
            s,
            "\tnode {{\n\
             \t\tring0_addr: {addr}\n\
             \t\tname: {name}\n\
             \t\tnodeid: {id}\n\
             \t}}\n",
            addr = Host::Node(m).address(),
            name = m.name(),
            id = i + 1
        );
    }
    s.push_str(
        "}\n\
         quorum {\n\
         \tprovider: corosync_votequorum\n\
         }\n\
         logging {\n\
         \tto_logfile: yes\n\
         \tlogfile: /var/log/pacemaker/corosync.log\n\
         \tto_syslog: no\n\
         \tto_stderr: no\n\
         \ttimestamp: on\n\
         }\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::LabSpec;

    #[test]
    fn lists_every_controller_and_no_compute() {
        let layout = Layout::new(LabSpec {
            controllers: 3,
            ..LabSpec::new("t")
        })
        .unwrap();
        let conf = render(&layout);
        for name in ["ctl1", "ctl2", "ctl3"] {
            assert!(conf.contains(&format!("name: {name}\n")), "{conf}");
        }
        assert!(!conf.contains("compute"));
        assert!(conf.contains("ring0_addr: 10.250.0.13\n"));
    }

    #[test]
    fn puts_every_brace_on_its_own_line() {
        let layout = Layout::new(LabSpec::new("t")).unwrap();
        for line in render(&layout).lines() {
            let line = line.trim();
            assert!(line == "}" || !line.contains('}'), "{line}");
        }
    }
}
