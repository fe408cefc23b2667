//! Ends a session whose route to the server went silent. A partition or a
//! failover behind a proxy can leave the socket open while nothing is
//! forwarded: the proxy's own system answers TCP keepalive, and a read
//! timeout would also cut a legitimate hour-long `ALTER TABLE`, so neither
//! tells a dead route from a long statement. And the `mysql` crate's reads
//! block and cannot be interrupted from another thread.
//!
//! So, while the session is open, a thread opens a plain TCP connection to
//! the server by the same route every [`PROBE_EVERY`] and waits up to
//! [`PROBE_TIMEOUT`] for the first bytes of the server's greeting, which a
//! MySQL or MariaDB server sends unasked (no login, nothing on the server's
//! log but an aborted handshake). [`PROBE_FAILURES`] probes in a row without
//! an answer shut the session's socket down: the blocked read returns, the
//! statement fails with a connection error, and the run ends with exit 1
//! instead of waiting for ever. (The server ends the session itself after
//! its `wait_timeout`, freeing the locks.) PostgreSQL has the same watch,
//! with its own probe, in `postgres/connect.rs`.

use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mysql::Conn;

/// How often the route is probed.
const PROBE_EVERY: Duration = Duration::from_secs(10);
/// How long a probe waits for the server's greeting.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Probes in a row without an answer that end the session.
const PROBE_FAILURES: u32 = 2;

/// The watch of one session; dropping it stops the watch.
pub(super) struct RouteWatch {
    open: Arc<AtomicBool>,
}

impl Drop for RouteWatch {
    fn drop(&mut self) {
        self.open.store(false, Ordering::SeqCst);
    }
}

/// Starts watching `connection`'s route to `host:port`; `None` when there is
/// nothing to watch (a Unix socket) or the watch cannot be set up, which is
/// logged and changes nothing else.
pub(super) fn watch(connection: &Conn, host: &str, port: u16) -> Option<RouteWatch> {
    let server: SocketAddr = (host, port).to_socket_addrs().ok()?.next()?;
    // SAFETY: `connection` owns this descriptor and is alive for this call;
    // it is only borrowed here to make a duplicate the watch owns, which
    // refers to the same socket and stays valid however long the thread runs.
    let socket = unsafe { BorrowedFd::borrow_raw(connection.as_raw_fd()) }
        .try_clone_to_owned()
        .map(TcpStream::from)
        .map_err(|error| log::debug!("no route watch: {error}"))
        .ok()?;
    let open = Arc::new(AtomicBool::new(true));
    let still_open = Arc::clone(&open);
    let started = std::thread::Builder::new()
        .name("migrate-route-watch".into())
        .spawn(move || run(&socket, server, &still_open));
    if let Err(error) = started {
        log::debug!("no route watch: {error}");
        return None;
    }
    Some(RouteWatch { open })
}

fn run(socket: &TcpStream, server: SocketAddr, open: &AtomicBool) {
    let mut failures = 0;
    loop {
        std::thread::sleep(PROBE_EVERY);
        if !open.load(Ordering::SeqCst) {
            return;
        }
        if answers(server) {
            failures = 0;
            continue;
        }
        failures += 1;
        log::debug!("route probe {failures} of {PROBE_FAILURES} got no answer from {server}");
        if failures >= PROBE_FAILURES {
            log::warn!(
                "the connection to {server} went silent: no answer to {PROBE_FAILURES} probes \
                 {}s apart; closing it",
                PROBE_EVERY.as_secs()
            );
            let _ = socket.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Whether a new connection to `server` gets the first bytes of a greeting.
fn answers(server: SocketAddr) -> bool {
    let Ok(mut probe) = TcpStream::connect_timeout(&server, PROBE_TIMEOUT) else {
        return false;
    };
    if probe.set_read_timeout(Some(PROBE_TIMEOUT)).is_err() {
        return false;
    }
    let mut first = [0u8; 1];
    matches!(probe.read(&mut first), Ok(1))
}
