//! The UDP driver: moves datagrams and time between a socket and a [`Session`].
//! All protocol decisions stay in the session; this file only does I/O.

use std::fs::File;
use std::io::{self, Read};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::session::{Event, Random, Session};

/// Network failures (the network or the address is at fault, not the BMC's protocol).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The host name did not resolve.
    #[error("cannot resolve BMC address {host}: {source}")]
    Resolve {
        /// The host as given.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// Nothing listens on the BMC's UDP port (ICMP port unreachable).
    #[error("connection refused by {addr} (nothing listening on that UDP port)")]
    Refused {
        /// The BMC address.
        addr: SocketAddr,
    },
    /// Another socket error.
    #[error("network error talking to {addr}: {source}")]
    Io {
        /// The BMC address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
}

/// A connected UDP socket to one BMC.
pub struct UdpTransport {
    socket: UdpSocket,
    peer: SocketAddr,
}

impl UdpTransport {
    /// Resolves `host` and connects a UDP socket to `host:port`.
    pub fn connect(host: &str, port: u16) -> Result<Self, TransportError> {
        let resolve = |source| TransportError::Resolve {
            host: host.to_owned(),
            source,
        };
        let peer = (host, port)
            .to_socket_addrs()
            .map_err(resolve)?
            .next()
            .ok_or_else(|| resolve(io::Error::new(io::ErrorKind::NotFound, "no address")))?;
        let local: SocketAddr = if peer.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let io_err = |source| TransportError::Io { addr: peer, source };
        let socket = UdpSocket::bind(local).map_err(io_err)?;
        socket.connect(peer).map_err(io_err)?;
        Ok(Self { socket, peer })
    }

    /// The BMC's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Runs `session` until it reports an event.
    pub fn drive(&mut self, session: &mut Session) -> Result<Event, TransportError> {
        let mut buf = [0u8; 1024];
        loop {
            while let Some(datagram) = session.poll_transmit() {
                self.send(&datagram)?;
            }
            if let Some(event) = session.poll_event() {
                return Ok(event);
            }
            let Some(deadline) = session.poll_timeout() else {
                return Ok(Event::Closed {
                    acknowledged: false,
                });
            };
            let wait = deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1));
            self.socket
                .set_read_timeout(Some(wait))
                .map_err(|source| TransportError::Io {
                    addr: self.peer,
                    source,
                })?;
            match self.socket.recv(&mut buf) {
                Ok(n) => session.handle_datagram(Instant::now(), buf.get(..n).unwrap_or_default()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    session.handle_timeout(Instant::now());
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    return Err(TransportError::Refused { addr: self.peer });
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(TransportError::Io {
                        addr: self.peer,
                        source,
                    });
                }
            }
        }
    }

    fn send(&self, datagram: &[u8]) -> Result<(), TransportError> {
        match self.socket.send(datagram) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                Err(TransportError::Refused { addr: self.peer })
            }
            Err(source) => Err(TransportError::Io {
                addr: self.peer,
                source,
            }),
        }
    }
}

/// Randomness seeded once from the kernel (`/dev/urandom`), then SHA-256 in counter mode
/// over the 256-bit seed, so that drawing bytes can never fail half-way through a login.
pub struct OsRandom {
    seed: zeroize::Zeroizing<[u8; 32]>,
    counter: u64,
}

impl OsRandom {
    /// Reads the seed from `/dev/urandom`.
    pub fn open() -> io::Result<Self> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        File::open("/dev/urandom")?.read_exact(&mut seed[..])?;
        Ok(Self { seed, counter: 0 })
    }
}

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) {
        use sha2::{Digest, Sha256};
        for chunk in buf.chunks_mut(32) {
            self.counter += 1;
            let block = Sha256::new()
                .chain_update(&self.seed[..])
                .chain_update(self.counter.to_le_bytes())
                .finalize();
            chunk
                .iter_mut()
                .zip(block.iter())
                .for_each(|(out, b)| *out = *b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_random_fills_any_length_without_repeating() {
        let mut rng = OsRandom::open().unwrap();
        let (mut a, mut b) = ([0u8; 45], [0u8; 45]);
        rng.fill(&mut a);
        rng.fill(&mut b);
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 45]);
    }
}
