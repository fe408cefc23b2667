//! Starts the service against a PostgreSQL database of its own (created on
//! the server of `MIGRATE_TEST_POSTGRES_URL`, dropped after), talks to it
//! over HTTP, and starts it again: the second start-up finds nothing to
//! migrate. Skipped, loudly, without the URL; a failure with `CI=true`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use migrate::tokio_postgres::{self, NoTls};

/// A database of the test's own on the server at `server`, dropped with it.
struct Database {
    server: String,
    name: String,
}

impl Database {
    fn create(server: &str) -> Database {
        let name = format!("migrate_axum_{}", std::process::id());
        admin(
            server,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        admin(server, &format!("CREATE DATABASE {name}"));
        Database {
            server: server.to_string(),
            name,
        }
    }

    /// The server URL with this database's name as its path.
    fn url(&self) -> String {
        let (base, query) = self.server.split_once('?').unwrap_or((&self.server, ""));
        let authority = base.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        let query = match query {
            "" => String::new(),
            query => format!("?{query}"),
        };
        format!("{authority}/{}{query}", self.name)
    }

    fn count(&self, sql: &str) -> i64 {
        let url = self.url();
        runtime().block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, NoTls)
                .await
                .expect("connect to the test database");
            let connection = tokio::spawn(connection);
            let count = client.query_one(sql, &[]).await.expect(sql).get(0);
            drop(client);
            let _ = connection.await;
            count
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        admin(
            &self.server,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn admin(server: &str, sql: &str) {
    runtime().block_on(async {
        let (client, connection) = tokio_postgres::connect(server, NoTls)
            .await
            .expect("connect to MIGRATE_TEST_POSTGRES_URL");
        let connection = tokio::spawn(connection);
        client.batch_execute(sql).await.expect(sql);
        drop(client);
        let _ = connection.await;
    });
}

/// The running service, killed when dropped.
struct Service {
    child: Child,
    address: String,
    /// Everything it printed before it listened.
    startup: Vec<String>,
}

impl Service {
    fn start(url: &str) -> Service {
        let child = Command::new(env!("CARGO_BIN_EXE_axum-service"))
            .env("DATABASE_URL", url)
            .env("ADDRESS", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the service");
        // Killed on every path from here, a failed start-up included.
        let mut service = Service {
            child,
            address: String::new(),
            startup: Vec::new(),
        };
        let stdout = service.child.stdout.take().expect("its stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        loop {
            let Ok(line) = received.recv_timeout(Duration::from_secs(60)) else {
                panic!(
                    "the service did not listen; it printed {:?}",
                    service.startup
                );
            };
            if let Some(address) = line.strip_prefix("listening on http://") {
                service.address = address.to_string();
                return service;
            }
            service.startup.push(line);
        }
    }

    /// Sends one HTTP/1.1 request; returns the status code and the body.
    fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect to the service");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("a timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .expect("send the request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read the response");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `MIGRATE_TEST_POSTGRES_URL`, or `None` after a warning; a panic with `CI=true`.
fn server_url() -> Option<String> {
    if let Some(url) = std::env::var("MIGRATE_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        return Some(url);
    }
    let message = "MIGRATE_TEST_POSTGRES_URL is not set: the service test is SKIPPED";
    let in_ci = std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true"));
    assert!(!in_ci, "CI=true and {message}; set it to run it");
    let _ =
        std::io::stderr().write_all(format!("\n*****\nwarning: {message}\n*****\n\n").as_bytes());
    None
}

#[test]
fn the_service_migrates_its_database_at_start_up_and_serves() {
    let Some(server) = server_url() else {
        return;
    };
    let database = Database::create(&server);
    let service = Service::start(&database.url());
    let startup = &service.startup;
    assert_eq!(startup.len(), 3, "{startup:?}");
    assert!(startup[0].starts_with("add 1 up/1_notes.sql in "), "{startup:?}");
    assert!(startup[1].starts_with("add 2 up/2_created_at.sql in "), "{startup:?}");
    assert_eq!(startup[2], "migrated: 2 operations");
    assert_eq!(
        service.request("POST", "/notes", "hello"),
        (201, String::new())
    );
    assert_eq!(
        service.request("GET", "/notes", ""),
        (200, "hello\n".to_string())
    );
    drop(service);
    assert_eq!(
        database.count("SELECT count(*) FROM db_version WHERE state = 'added'"),
        2
    );

    // Started again: nothing to migrate, the data still there.
    let again = Service::start(&database.url());
    assert_eq!(again.startup, ["migrated: 0 operations"]);
    assert_eq!(
        again.request("GET", "/notes", ""),
        (200, "hello\n".to_string())
    );
}
