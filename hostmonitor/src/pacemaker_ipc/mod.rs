//! Talking to Pacemaker's daemons over their own IPC, without I/O: the framing every message
//! carries ([`header`]) and the CIB manager's messages ([`cib_messages`]). The daemon's libqb
//! connection (`daemon::net::libqb`) moves the bytes. One kept connection answers the reconcile's
//! version read in a fraction of a millisecond, where a `cibadmin` run costs about 10 ms of CPU.

pub mod cib_messages;
pub mod header;
