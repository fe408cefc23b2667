//! The three databases as the benchmark sees them: how to start from an
//! empty database, the URL each tool is given, and the database's own client
//! running the baseline script or the one query of the no-op floor.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::measure::{installed, setup};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
    Mariadb,
}

/// One database under test, with the empty database every run starts from.
pub struct Backend {
    pub kind: Kind,
    /// The client that runs the baseline: `sqlite3`, `psql` or `mariadb`.
    pub client: &'static str,
    /// SQLite: the database file. The servers: the URL given in the
    /// environment, used to drop and create the bench's own database.
    admin: String,
    /// The name of the bench's database on a server.
    database: String,
}

impl Backend {
    pub fn sqlite(work: &Path) -> Result<Backend, String> {
        if !installed("sqlite3", "-version") {
            return Err("the sqlite3 shell is not installed (apt-get install sqlite3)".into());
        }
        Ok(Backend {
            kind: Kind::Sqlite,
            client: "sqlite3",
            admin: work.join("bench.db").display().to_string(),
            database: String::new(),
        })
    }

    pub fn postgres() -> Result<Backend, String> {
        let url = std::env::var("MIGRATE_TEST_POSTGRES_URL")
            .map_err(|_| "MIGRATE_TEST_POSTGRES_URL is not set".to_string())?;
        if !installed("psql", "--version") {
            return Err("psql is not installed".into());
        }
        Ok(Backend {
            kind: Kind::Postgres,
            client: "psql",
            admin: url,
            database: format!("migrate_bench_{}", std::process::id()),
        })
    }

    pub fn mariadb() -> Result<Backend, String> {
        let url = std::env::var("MIGRATE_TEST_MYSQL_URL")
            .map_err(|_| "MIGRATE_TEST_MYSQL_URL is not set".to_string())?;
        let client = ["mariadb", "mysql"]
            .into_iter()
            .find(|client| installed(client, "--version"))
            .ok_or("neither the mariadb nor the mysql client is installed")?;
        MysqlUrl::parse(&url)?;
        Ok(Backend {
            kind: Kind::Mariadb,
            client,
            admin: url,
            database: format!("migrate_bench_{}", std::process::id()),
        })
    }

    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
            Kind::Mariadb => "MariaDB",
        }
    }

    /// The SQLite database file.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.admin)
    }

    /// Drops the bench's database and creates it empty.
    pub fn fresh(&self) -> Result<(), String> {
        match self.kind {
            Kind::Sqlite => {
                for suffix in ["", "-journal", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.admin));
                }
                Ok(())
            }
            Kind::Postgres => {
                let mut command = Command::new("psql");
                command
                    .env("PGOPTIONS", "-c client_min_messages=warning")
                    .arg(&self.admin)
                    .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
                    .arg("-c")
                    .arg(format!("DROP DATABASE IF EXISTS {}", self.database))
                    .arg("-c")
                    .arg(format!("CREATE DATABASE {}", self.database));
                setup(command)
            }
            Kind::Mariadb => {
                let mut command = self.mysql_client(None)?;
                command.arg("-e").arg(format!(
                    "DROP DATABASE IF EXISTS {0}; CREATE DATABASE {0}",
                    self.database
                ));
                setup(command)
            }
        }
    }

    /// Drops the bench's database at the end of the run.
    pub fn drop_database(&self) {
        let result = match self.kind {
            Kind::Sqlite => return,
            Kind::Postgres => {
                let mut command = Command::new("psql");
                command
                    .arg(&self.admin)
                    .args(["-X", "-q", "-c"])
                    .arg(format!("DROP DATABASE IF EXISTS {}", self.database));
                setup(command)
            }
            Kind::Mariadb => self.mysql_client(None).and_then(|mut command| {
                command
                    .arg("-e")
                    .arg(format!("DROP DATABASE IF EXISTS {}", self.database));
                setup(command)
            }),
        };
        if let Err(failure) = result {
            println!("  could not drop {}: {failure}", self.database);
        }
    }

    /// The URL of the bench's database in the server's own scheme
    /// (`sqlite:`, `postgres://`, `mysql://`), which every tool accepts.
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Sqlite => format!("sqlite:{}", self.admin),
            Kind::Postgres => with_database(&self.admin, &self.database),
            Kind::Mariadb => {
                let url = with_database(&self.admin, &self.database);
                match url.strip_prefix("mariadb://") {
                    Some(rest) => format!("mysql://{rest}"),
                    None => url,
                }
            }
        }
    }

    /// The client running `script` in one session.
    pub fn client_script(&self, script: &Path) -> Result<Command, String> {
        match self.kind {
            Kind::Sqlite => {
                let mut command = Command::new("sqlite3");
                command
                    .arg(&self.admin)
                    .arg(format!(".read {}", script.display()));
                Ok(command)
            }
            Kind::Postgres => {
                let mut command = Command::new("psql");
                command
                    .arg(self.url())
                    .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
                    .arg(script);
                Ok(command)
            }
            Kind::Mariadb => {
                let mut command = self.mysql_client(Some(&self.database))?;
                let file = File::open(script).map_err(|error| format!("{error}"))?;
                command.stdin(Stdio::from(file));
                Ok(command)
            }
        }
    }

    /// The client running the one query a no-op `up` or `status` needs.
    pub fn client_query(&self, sql: &str) -> Result<Command, String> {
        match self.kind {
            Kind::Sqlite => {
                let mut command = Command::new("sqlite3");
                command.arg(&self.admin).arg(sql);
                Ok(command)
            }
            Kind::Postgres => {
                let mut command = Command::new("psql");
                command
                    .arg(self.url())
                    .args(["-X", "-q", "-A", "-t", "-c", sql]);
                Ok(command)
            }
            Kind::Mariadb => {
                let mut command = self.mysql_client(Some(&self.database))?;
                command.args(["-e", sql]);
                Ok(command)
            }
        }
    }

    fn mysql_client(&self, database: Option<&str>) -> Result<Command, String> {
        let url = MysqlUrl::parse(&self.admin)?;
        let mut command = Command::new(self.client);
        command
            .arg(format!("--host={}", url.host))
            .arg(format!("--port={}", url.port))
            .arg(format!("--user={}", url.user));
        if let Some(password) = url.password {
            command.env("MYSQL_PWD", password);
        }
        if let Some(database) = database {
            command.arg(database);
        }
        Ok(command)
    }
}

/// The parts of `mysql://user:password@host:port/database` the client needs.
struct MysqlUrl {
    user: String,
    password: Option<String>,
    host: String,
    port: u16,
}

impl MysqlUrl {
    fn parse(url: &str) -> Result<MysqlUrl, String> {
        let rest = url
            .split_once("://")
            .map(|(_, rest)| rest)
            .ok_or_else(|| "MIGRATE_TEST_MYSQL_URL has no scheme".to_string())?;
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        let (credentials, address) = match authority.rsplit_once('@') {
            Some((credentials, address)) => (credentials, address),
            None => ("root", authority),
        };
        let (user, password) = match credentials.split_once(':') {
            Some((user, password)) => (user, Some(percent_decode(password))),
            None => (credentials, None),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .map_err(|_| format!("MIGRATE_TEST_MYSQL_URL: bad port {port:?}"))?,
            ),
            None => (address, 3306),
        };
        Ok(MysqlUrl {
            user: percent_decode(user),
            password,
            host: host.to_string(),
            port,
        })
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// `url` with its database (the path) replaced by `database`, the query kept.
fn with_database(url: &str, database: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let authority_start = head.find("://").map_or(0, |index| index + 3);
    let base = match head[authority_start..].find('/') {
        Some(slash) => &head[..authority_start + slash],
        None => head,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}
