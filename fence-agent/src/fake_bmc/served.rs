//! A [`FakeBmc`] served on a loopback UDP port by a thread, until dropped.

use std::io;
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::FakeBmc;

/// The fake BMC answering on `127.0.0.1:port`; the thread stops when this is dropped.
pub struct Served {
    bmc: Arc<Mutex<FakeBmc>>,
    /// The UDP port it answers on.
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Served {
    /// Serves `bmc` on a free loopback port.
    pub fn start(bmc: FakeBmc) -> io::Result<Served> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(20)))?;
        let port = socket.local_addr()?.port();
        let bmc = Arc::new(Mutex::new(bmc));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopping) = (bmc.clone(), stop.clone());
        let thread = std::thread::spawn(move || serve(&socket, &shared, &stopping));
        Ok(Served {
            bmc,
            port,
            stop,
            thread: Some(thread),
        })
    }

    /// The BMC, to read its counters or change its knobs between exchanges.
    pub fn bmc(&self) -> MutexGuard<'_, FakeBmc> {
        self.bmc.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn serve(socket: &UdpSocket, bmc: &Mutex<FakeBmc>, stop: &AtomicBool) {
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let datagram = buf.get(..n).unwrap_or_default();
        let reply = bmc
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .handle(datagram);
        if let Some(reply) = reply {
            let _ = socket.send_to(&reply, from);
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
