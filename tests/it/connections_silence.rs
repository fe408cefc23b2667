//! Issue 11, hangs: a connection that goes silent while the tool is inside
//! a transaction. A loopback proxy forwards PostgreSQL's traffic, then stops
//! forwarding (a partition behind a proxy); the server must end the tool's
//! session (`idle_in_transaction_session_timeout`), freeing the file's locks
//! and the run lock, and the run must then end with exit 1. The bounds the
//! tool sets on its own sessions are checked on both servers.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::db::{url_with_param, url_with_port};
use crate::support::{Project, TestDb, for_each_backend_where};

/// A TCP proxy on 127.0.0.1 to `upstream` that forwards until `forwarding`
/// is cleared, then reads and drops everything. With `relay_close`, a side
/// is closed when the other side closes; without, nothing is ever closed
/// (the worst proxy: sockets open, nothing forwarded), and new connections
/// are accepted and forward nothing either.
struct SilentProxy {
    port: u16,
    forwarding: Arc<AtomicBool>,
}

impl SilentProxy {
    fn start(upstream: &'static str, relay_close: bool) -> SilentProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let forwarding = Arc::new(AtomicBool::new(true));
        let flag = forwarding.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(upstream) else {
                    return;
                };
                for (from, to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ] {
                    let (Ok(from), Ok(to)) = (from, to) else {
                        return;
                    };
                    let flag = flag.clone();
                    std::thread::spawn(move || pump(from, to, &flag, relay_close));
                }
            }
        });
        SilentProxy { port, forwarding }
    }

    fn go_silent(&self) {
        self.forwarding.store(false, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, forwarding: &AtomicBool, relay_close: bool) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(count) if forwarding.load(Ordering::SeqCst) => {
                if to.write_all(&buffer[..count]).is_err() {
                    break;
                }
            }
            Ok(_) => {}
        }
    }
    if relay_close || forwarding.load(Ordering::SeqCst) {
        let _ = to.shutdown(Shutdown::Both);
    } else {
        // Keep the other side open for good, as a hung proxy does.
        std::mem::forget(to);
    }
}

/// Waits for a run whose connection went silent; kills it and fails the
/// test if it still runs `limit` after `started`.
#[track_caller]
fn finished_within(
    mut child: std::process::Child,
    started: Instant,
    limit: Duration,
) -> crate::support::Run {
    while child.try_wait().expect("poll migrate").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let run = crate::support::Run::from_child(child);
            panic!("migrate still ran {limit:?} after it started, its connection silent\n{run}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    crate::support::Run::from_child(child)
}

/// Runs a file whose `pg_sleep` is running when the proxy goes silent, and
/// checks the run ends with exit 1 within `limit`, leaving no session idle
/// in a transaction, the run lock free and the file rolled back.
fn silent_during_a_statement(relay_close: bool, limit: Duration) {
    let Some(db) = TestDb::postgres() else { return };
    // The test server of this suite listens on the loopback port 5432.
    if !db.url().contains("127.0.0.1:5432") && !db.url().contains("localhost:5432") {
        return;
    }
    let proxy = SilentProxy::start("127.0.0.1:5432", relay_close);
    let url = url_with_port(db.url(), proxy.port);
    // The URL's own setting wins over the tool's 60 s, to keep the test short.
    let url = url_with_param(
        &url,
        "options",
        "-c%20idle_in_transaction_session_timeout%3D1s",
    );
    // A name of its own, so that the check below sees this test's session only.
    let application = format!("m_{}", db.name());
    let url = url_with_param(&url, "application_name", &application);
    let project = Project::new().up(
        1,
        "slow",
        "CREATE TABLE held (id INTEGER);\nSELECT pg_sleep(2);\nINSERT INTO held VALUES (1);\n",
    );
    let started = Instant::now();
    let child = project
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .spawn();
    db.wait_for_run_lock();
    std::thread::sleep(Duration::from_millis(800));
    // pg_sleep is running: its answer, and everything after, is lost.
    proxy.go_silent();
    let run = finished_within(child, started, limit);
    run.expect(1);
    let idle = db.rows(&format!(
        "SELECT pid FROM pg_stat_activity WHERE application_name = '{application}' \
         AND state = 'idle in transaction'"
    ));
    assert!(
        idle.is_empty(),
        "a session stays idle in transaction: {idle:?}"
    );
    assert_eq!(
        db.run_lock_holder(),
        None,
        "the run lock is still held\n{run}"
    );
    assert!(!db.table_exists("held"), "the file was rolled back");
}

/// The proxy relays the server's close: the server's bound ends the run.
#[test]
fn a_silent_route_that_closes_ends_the_run_with_exit_1() {
    silent_during_a_statement(true, Duration::from_secs(30));
}

/// The proxy never closes anything: the tool's route probe ends the run.
#[test]
fn a_silent_route_that_never_closes_ends_the_run_with_exit_1() {
    silent_during_a_statement(false, Duration::from_secs(60));
}

/// MySQL/MariaDB behind a proxy that forwards nothing and closes nothing:
/// the tool's route watch shuts the session's socket, and the run ends.
#[test]
fn a_silent_mysql_route_that_never_closes_ends_the_run_with_exit_1() {
    let Some(db) = TestDb::mysql() else { return };
    // The test server of this suite listens on the loopback port 3306.
    if !db.url().contains("127.0.0.1:3306") && !db.url().contains("localhost:3306") {
        return;
    }
    let proxy = SilentProxy::start("127.0.0.1:3306", false);
    // Through the proxy: the driver would otherwise switch a loopback
    // connection to the server's Unix socket.
    let url = url_with_param(
        &url_with_port(db.url(), proxy.port),
        "prefer_socket",
        "false",
    );
    // A file of row changes that sleeps: atomic, so nothing stays behind.
    let project = Project::new().up(1, "slow", "SELECT SLEEP(15);\nSELECT 1;\n");
    let started = Instant::now();
    let child = project
        .command()
        .args(["--database-url", url.as_str(), "up"])
        .spawn();
    db.wait_for_run_lock();
    std::thread::sleep(Duration::from_millis(800));
    proxy.go_silent();
    let limit = Duration::from_secs(45);
    let run = finished_within(child, started, limit);
    run.expect(1);
    assert!(run.stderr.contains("went silent"), "{run}");
}

/// The server-side bounds the tool sets on its own session, read back by a
/// migration on each server.
#[test]
fn the_tools_sessions_bound_idleness_on_the_server() {
    for_each_backend_where(
        |backend| backend.name() != "sqlite",
        |db| {
            let sql = match db.backend().name() {
                "postgres" => {
                    "CREATE TABLE seen AS SELECT \
                     current_setting('idle_in_transaction_session_timeout') AS idle;\n"
                }
                _ => "CREATE TABLE seen AS SELECT @@SESSION.wait_timeout AS idle;\n",
            };
            let project = Project::new().up(1, "seen", sql);
            project
                .command()
                .args(["--database-url", db.url(), "up"])
                .run()
                .success();
            let idle = db.rows("SELECT idle FROM seen");
            let expected = match db.backend().name() {
                "postgres" => "1min",
                _ => "60",
            };
            assert_eq!(idle, vec![vec![expected.to_string()]]);
        },
    );
}
