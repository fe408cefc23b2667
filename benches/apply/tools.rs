//! The tools applying the 1,000 files: the database's own client (the
//! baseline), `migrate`, and the peers found on PATH (sqlx-cli, refinery_cli,
//! dbmate; `scripts/install-peers.sh` installs them), each from its own
//! folder in its own layout.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::backend::{Backend, Kind};
use crate::measure::installed;
use crate::project;

pub const MIGRATE: &str = env!("CARGO_BIN_EXE_migrate");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Client,
    /// The client running the same files and recording each in its own
    /// transaction, as a migrator must.
    Recording,
    Migrate,
    Sqlx,
    Refinery,
    Dbmate,
}

/// The peers, in the order of the table's columns.
pub const PEERS: [Tool; 3] = [Tool::Sqlx, Tool::Refinery, Tool::Dbmate];

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::Client => "client",
            Tool::Recording => "client+record",
            Tool::Migrate => "migrate",
            Tool::Sqlx => "sqlx-cli",
            Tool::Refinery => "refinery_cli",
            Tool::Dbmate => "dbmate",
        }
    }

    fn program(self) -> &'static str {
        match self {
            Tool::Client | Tool::Recording | Tool::Migrate => "",
            Tool::Sqlx => "sqlx",
            Tool::Refinery => "refinery",
            Tool::Dbmate => "dbmate",
        }
    }

    /// Whether the peer is on PATH.
    pub fn found(self) -> bool {
        installed(self.program(), "--version")
    }
}

/// The bench folder: `migrate`'s project, the baseline script and one
/// folder per peer, all holding the same migrations.
pub struct Workspace {
    pub root: PathBuf,
    pub count: usize,
    pub script: PathBuf,
    pub recording_script: PathBuf,
}

impl Workspace {
    pub fn new(root: &Path, count: usize, peers: &[Tool]) -> Workspace {
        project::write_migrate(root, count);
        let script = project::write_baseline(root, count);
        let recording_script = project::write_recording_baseline(root, count);
        for peer in peers {
            let dir = root.join(peer.label());
            match peer {
                Tool::Sqlx => project::write_sqlx(&dir, count),
                Tool::Refinery => project::write_refinery(&dir, count),
                Tool::Dbmate => project::write_dbmate(&dir, count),
                Tool::Client | Tool::Recording | Tool::Migrate => {}
            }
        }
        Workspace {
            root: root.to_path_buf(),
            count,
            script,
            recording_script,
        }
    }

    /// `tool` applying every file to `backend`'s (fresh) database.
    pub fn apply(&self, tool: Tool, backend: &Backend) -> Result<Command, String> {
        let url = backend.url();
        let dir = self.root.join(tool.label());
        let mut command = match tool {
            Tool::Client => return backend.client_script(&self.script),
            Tool::Recording => return backend.client_script(&self.recording_script),
            Tool::Migrate => self.migrate(backend, &["up", "-q"]),
            Tool::Sqlx => {
                // Without `mode=rwc` sqlx will not create the SQLite file;
                // it then keeps SQLite's default rollback journal.
                let url = match backend.kind {
                    Kind::Sqlite => format!("{url}?mode=rwc"),
                    _ => url,
                };
                let mut command = Command::new("sqlx");
                command
                    .args(["migrate", "run", "--source"])
                    .arg(&dir)
                    .args(["--database-url", &url]);
                command
            }
            Tool::Refinery => {
                // refinery reads the URL from the variable named by -e.
                // It opens SQLite without creating the file: an empty file
                // is an empty database.
                let url = match backend.kind {
                    Kind::Sqlite => {
                        std::fs::File::create(backend.path())
                            .map_err(|error| format!("creating the database: {error}"))?;
                        format!("sqlite://{}", backend.path().display())
                    }
                    _ => url,
                };
                let mut command = Command::new("refinery");
                command
                    .args(["migrate", "-e", "MIGRATE_BENCH_REFINERY_URL", "-p"])
                    .arg(&dir)
                    .env("MIGRATE_BENCH_REFINERY_URL", url);
                command
            }
            Tool::Dbmate => {
                let mut command = Command::new("dbmate");
                command
                    .args(["--no-dump-schema", "--url", &url, "--migrations-dir"])
                    .arg(&dir)
                    .arg("migrate");
                command
            }
        };
        // No tool may find a stray .env or config file of the project.
        command.current_dir(&self.root);
        Ok(command)
    }

    /// `migrate` with `args` on `backend`'s database and this project.
    pub fn migrate(&self, backend: &Backend, args: &[&str]) -> Command {
        let mut command = Command::new(MIGRATE);
        command
            .args(args)
            .arg("--dir")
            .arg(&self.root)
            .args(["--database-url", &backend.url(), "--no-env-file"])
            .current_dir(&self.root);
        command
    }

    /// The floor of a no-op `up` or `status`: the files `cat` reads.
    pub fn files(&self) -> Vec<PathBuf> {
        project::migrate_files(&self.root, self.count)
    }
}
