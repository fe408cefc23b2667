//! Helpers of the integration suite: a builder that writes a migrations
//! folder from the test itself, the databases (see [`db`]), and a runner of
//! the real `migrate` binary.

pub mod db;
pub mod terminal;

use std::fmt::Display;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

pub use db::{Backend, TestDb, for_each_backend, for_each_backend_where};

/// A migrations folder in its own temporary folder, written by the test.
pub struct Project {
    dir: TempDir,
}

impl Default for Project {
    fn default() -> Project {
        Project::new()
    }
}

impl Project {
    /// An empty project with `up/` and `down/` folders.
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        for folder in ["up", "down"] {
            std::fs::create_dir(dir.path().join(folder)).expect("create a folder");
        }
        Project { dir }
    }

    /// `up/V_NAME.sql` (`up/V.sql` when `name` is empty): the add phase.
    pub fn up(self, version: impl Display, name: &str, sql: &str) -> Project {
        self.file(&named("up", version, name), sql)
    }

    /// `down/V_NAME.sql`: the rollback of the add phase.
    pub fn down(self, version: impl Display, name: &str, sql: &str) -> Project {
        self.file(&named("down", version, name), sql)
    }

    /// `up/V.simdrop.sql`.
    pub fn simdrop(self, version: impl Display, sql: &str) -> Project {
        self.file(&format!("up/{version}.simdrop.sql"), sql)
    }

    /// `down/V.simdrop.sql`.
    pub fn rollback_simdrop(self, version: impl Display, sql: &str) -> Project {
        self.file(&format!("down/{version}.simdrop.sql"), sql)
    }

    /// `up/V.drop.sql`.
    pub fn drop(self, version: impl Display, sql: &str) -> Project {
        self.file(&format!("up/{version}.drop.sql"), sql)
    }

    /// Any file, relative to the project, with any bytes.
    pub fn file(self, path: &str, bytes: impl AsRef<[u8]>) -> Project {
        self.write(path, bytes);
        self
    }

    /// Writes (or overwrites) a file after the project was built.
    pub fn write(&self, path: &str, bytes: impl AsRef<[u8]>) {
        let path = self.dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the file's folder");
        }
        std::fs::write(&path, bytes).expect("write the file");
    }

    /// Removes a file.
    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.dir.path().join(path)).expect("remove the file");
    }

    /// The project folder (`--dir`).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A run of the binary with `--dir` set, the current folder set to the
    /// project, and no settings inherited from the environment.
    pub fn command(&self) -> Invocation {
        let mut command = Command::new(env!("CARGO_BIN_EXE_migrate"));
        command
            .current_dir(self.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATE_DIR")
            .env_remove("MIGRATE_RELEASE")
            .env_remove("RUST_LOG")
            // Tables fit COLUMNS when it is set; the snapshots are full width.
            .env_remove("COLUMNS")
            .env_remove("MIGRATE_LOCK_MODE")
            .env_remove("MIGRATE_LOCK_LEASE")
            .arg("--dir")
            .arg(self.path());
        if db::PostgresTarget::current() == db::PostgresTarget::PgBouncer {
            // Behind the pooler the run lock is a lease (issue 20): a killed
            // run's lease must expire within the tests' 20-second waits.
            command.env("MIGRATE_LOCK_LEASE", "3s");
        }
        Invocation { command }
    }
}

fn named(folder: &str, version: impl Display, name: &str) -> String {
    if name.is_empty() {
        format!("{folder}/{version}.sql")
    } else {
        format!("{folder}/{version}_{name}.sql")
    }
}

/// Runs `migrate --dir PROJECT --database-url URL ARGS...` to completion.
pub fn migrate(project: &Project, db: &TestDb, args: &[&str]) -> Run {
    project.command().database(db).args(args).run()
}

/// One invocation of the binary, before it runs.
pub struct Invocation {
    command: Command,
}

impl Invocation {
    /// A run with no argument and nothing from the environment: for the
    /// tests of how options and settings are found.
    pub fn bare(current_dir: &Path) -> Invocation {
        let mut command = Command::new(env!("CARGO_BIN_EXE_migrate"));
        command
            .current_dir(current_dir)
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATE_DIR")
            .env_remove("MIGRATE_RELEASE")
            .env_remove("RUST_LOG");
        Invocation { command }
    }

    /// Adds `--database-url URL`.
    pub fn database(mut self, db: &TestDb) -> Invocation {
        self.command.arg("--database-url").arg(db.url());
        self
    }

    /// Adds arguments.
    pub fn args<S: AsRef<std::ffi::OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.command.args(args);
        self
    }

    /// Adds a flag and a path, such as `--env-file PATH`.
    pub fn arg_path(mut self, flag: &str, path: &Path) -> Invocation {
        self.command.arg(flag).arg(path);
        self
    }

    /// Sets an environment variable of the child.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Invocation {
        self.command.env(name, value);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(mut self, name: &str) -> Invocation {
        self.command.env_remove(name);
        self
    }

    /// Runs to completion.
    pub fn run(mut self) -> Run {
        let output = self.command.output().expect("run migrate");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Runs to completion, or kills it and fails the test after `limit`.
    #[track_caller]
    pub fn run_within(self, limit: std::time::Duration) -> Run {
        let started = std::time::Instant::now();
        let mut child = self.spawn();
        while child.try_wait().expect("poll migrate").is_none() {
            if started.elapsed() > limit {
                child.kill().expect("kill migrate");
                let run = Run::from_child(child);
                panic!("migrate still ran after {limit:?}; killed\n{run}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Run::from_child(child)
    }

    /// Starts it in the background, its output captured.
    pub fn spawn(mut self) -> Child {
        self.command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start migrate")
    }
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Collects a spawned run.
    pub fn from_child(child: Child) -> Run {
        let output = child.wait_with_output().expect("wait for migrate");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Stdout parsed as the one JSON document it must be.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not one JSON document ({error}):\n{self}"))
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code\n{self}");
        self
    }

    /// Asserts exit 0.
    #[track_caller]
    pub fn success(&self) -> &Run {
        self.expect(0)
    }

    /// Stdout and stderr together, for "never printed anywhere" checks.
    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The stdout lines that report an operation, as `(operation, version)`,
    /// e.g. `("add", "12")`.
    pub fn operations(&self) -> Vec<(String, String)> {
        self.stdout
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let operation = words.next()?;
                let version = words.next()?;
                let known = [
                    "add",
                    "rollback_add",
                    "simdrop",
                    "rollback_simdrop",
                    "drop",
                    "mark",
                ];
                (known.contains(&operation) && version.bytes().all(|byte| byte.is_ascii_digit()))
                    .then(|| (operation.to_string(), version.to_string()))
            })
            .collect()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "exit code: {}\n--- stdout\n{}--- stderr\n{}---",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `(version, operation)` of each entry of a JSON `operations` array.
#[track_caller]
pub fn json_operations(document: &serde_json::Value) -> Vec<(u64, String)> {
    document["operations"]
        .as_array()
        .unwrap_or_else(|| panic!("no operations array in {document}"))
        .iter()
        .map(|operation| {
            (
                operation["version"].as_u64().expect("a numeric version"),
                operation["operation"]
                    .as_str()
                    .expect("an operation name")
                    .to_string(),
            )
        })
        .collect()
}

/// Builds the `(version, state)` pairs `TestDb::versions` returns.
pub fn states(pairs: &[(u64, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(version, state)| (version.to_string(), state.to_string()))
        .collect()
}

/// Makes output stable for snapshots: RFC 3339 times become `[time]`,
/// durations `N ms` become `[ms]`, each folder of `dirs` becomes `[dir]`,
/// and trailing spaces are dropped.
pub fn mask(text: &str, dirs: &[&Path]) -> String {
    let mut text = text.to_string();
    for dir in dirs {
        text = text.replace(&dir.display().to_string(), "[dir]");
    }
    let masked = mask_durations(&mask_times(&text));
    let lines: Vec<&str> = masked.split('\n').map(str::trim_end).collect();
    lines.join("\n")
}

/// [`mask`] for a run of `project` on `db`: also the database's URL
/// becomes `[url]` and its unique name `[db]` (MySQL names it in messages).
pub fn mask_run(text: &str, project: &Project, db: &TestDb) -> String {
    let text = text.replace(db.url(), "[url]").replace(db.name(), "[db]");
    mask(&text, &[project.path(), db.dir()])
}

/// Replaces `2026-03-01T12:00:00.123456Z` (fraction optional) with `[time]`.
fn mask_times(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut index = 0;
    let fits = |at: usize| {
        at + SHAPE.len() <= bytes.len()
            && SHAPE
                .iter()
                .zip(&bytes[at..])
                .all(|(shape, byte)| match shape {
                    b'd' => byte.is_ascii_digit(),
                    other => other == byte,
                })
    };
    while index < bytes.len() {
        if fits(index) {
            let mut end = index + SHAPE.len();
            if bytes.get(end) == Some(&b'.') {
                end += 1;
                while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
            }
            if matches!(bytes.get(end), Some(b'Z')) {
                end += 1;
            } else if matches!(bytes.get(end), Some(b'+' | b'-')) && end + 6 <= bytes.len() {
                end += 6;
            }
            // Padded to the time's width, so that table columns stay aligned.
            out.push_str(&format!("{:<width$}", "[time]", width = end - index));
            index = end;
        } else {
            let next = text[index..].chars().next().expect("a character");
            out.push(next);
            index += next.len_utf8();
        }
    }
    out
}

/// Replaces `14 ms` with `[ms]`, and the padding before it with one space.
fn mask_durations(text: &str) -> String {
    let mut out = String::new();
    for (number, line) in text.split('\n').enumerate() {
        if number > 0 {
            out.push('\n');
        }
        let words: Vec<&str> = line.split(' ').collect();
        let mut masked = Vec::new();
        let mut index = 0;
        while index < words.len() {
            let word = words[index];
            let mut next = index + 1;
            while words.get(next) == Some(&"") {
                next += 1;
            }
            let is_number = !word.is_empty() && word.bytes().all(|byte| byte.is_ascii_digit());
            let unit = words
                .get(next)
                .map(|unit| unit.trim_end_matches([',', ')']));
            if is_number && unit == Some("ms") {
                // The padding before a right-aligned number varies with its width.
                while masked.last().is_some_and(String::is_empty) {
                    masked.pop();
                }
                let rest = &words[next]["ms".len()..];
                masked.push(format!("[ms]{rest}"));
                index = next + 1;
            } else {
                masked.push(word.to_string());
                index += 1;
            }
        }
        out.push_str(&masked.join(" "));
    }
    out
}

#[test]
fn mask_hides_times_durations_and_folders() {
    let text = "add  12  /tmp/x/up/12.sql      14 ms\n\
                at 2026-11-22T05:04:13.008342Z, done in 3 ms)";
    assert_eq!(
        mask(text, &[Path::new("/tmp/x")]),
        "add  12  [dir]/up/12.sql [ms]\nat [time]                     , done in [ms])"
    );
}

/// Runs `up` in `processes` processes at once on a project whose versions
/// 1 to `versions` each insert their number into `hits`, and checks that
/// every version was applied exactly once: by the runs, in `hits`, in the
/// log and in the version table.
pub fn race_up_and_check_each_version_once(
    project: &Project,
    db: &TestDb,
    processes: usize,
    versions: u64,
) {
    let children: Vec<_> = (0..processes)
        .map(|_| project.command().database(db).args(["up"]).spawn())
        .collect();
    let runs: Vec<Run> = children.into_iter().map(Run::from_child).collect();
    let mut applied = 0;
    for run in &runs {
        run.success();
        applied += run.operations().len();
    }
    let expected = i64::try_from(versions).expect("a small count");
    assert_eq!(applied as i64, expected, "{runs:?}");
    assert_eq!(db.scalar("SELECT count(*) FROM hits"), expected);
    assert_eq!(
        db.scalar("SELECT count(DISTINCT version) FROM hits"),
        expected
    );
    let duplicates = db.rows(
        "SELECT version FROM db_version_log WHERE operation = 'add' AND outcome = 'ok' \
         GROUP BY version HAVING count(*) <> 1",
    );
    assert_eq!(duplicates, Vec::<Vec<String>>::new());
    assert_eq!(
        db.scalar("SELECT count(*) FROM db_version_log WHERE operation = 'add' AND outcome = 'ok'"),
        expected
    );
    let states = db.versions();
    assert!(
        states.iter().all(|(_, state)| state == "added"),
        "{states:?}"
    );
    assert_eq!(states.len() as i64, expected);
}
