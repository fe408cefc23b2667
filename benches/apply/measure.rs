//! Running a command and timing it, without ever panicking on the tool's
//! failure: a tool that fails is reported and left out of the later rounds.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one timed run gave: its wall time, or the tool's failure in words.
pub type Outcome = Result<Duration, String>;

/// Runs `command` to its end with stdout discarded and stderr kept for the
/// failure message; the time is the spawn to the exit.
pub fn timed(mut command: Command) -> Outcome {
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let started = Instant::now();
    let output = command.output();
    let elapsed = started.elapsed();
    let output = output.map_err(|error| format!("{}: {error}", program(&command)))?;
    if output.status.success() {
        return Ok(elapsed);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The first lines say what failed; a backtrace may follow them.
    let head: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(3)
        .collect();
    Err(format!(
        "{} exited with {}: {}",
        program(&command),
        output.status,
        head.join(" / ")
    ))
}

/// Runs a setup or clean-up command; its failure is the caller's to report.
pub fn setup(command: Command) -> Result<(), String> {
    timed(command).map(|_| ())
}

fn program(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

/// Whether `program` can be spawned (found on PATH and runs `arg`).
pub fn installed(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The measurements of several tools taken turn about, round after round,
/// with the order rotated each round so that none always runs first.
pub struct Rounds {
    /// One column per tool: the time of each round, `None` where it failed.
    pub times: Vec<Vec<Option<Duration>>>,
    /// The first failure of each tool, after which it was not run again.
    pub failures: Vec<Option<String>>,
}

impl Rounds {
    /// Runs `measure(tool)` for every tool in every round. `measure` owns any
    /// setup it needs (a fresh database) and leaves it out of the time.
    pub fn run(tools: usize, rounds: usize, mut measure: impl FnMut(usize) -> Outcome) -> Self {
        let mut times = vec![Vec::with_capacity(rounds); tools];
        let mut failures: Vec<Option<String>> = vec![None; tools];
        for round in 0..rounds {
            for turn in 0..tools {
                let tool = (turn + round) % tools;
                if failures[tool].is_some() {
                    times[tool].push(None);
                    continue;
                }
                match measure(tool) {
                    Ok(time) => times[tool].push(Some(time)),
                    Err(failure) => {
                        times[tool].push(None);
                        failures[tool] = Some(failure);
                    }
                }
            }
        }
        Rounds { times, failures }
    }

    /// The median time of `tool` over the rounds it completed.
    pub fn median(&self, tool: usize) -> Option<Duration> {
        let mut times: Vec<Duration> = self.times[tool].iter().flatten().copied().collect();
        times.sort();
        times.get(times.len() / 2).copied()
    }

    /// The paired ratios of `tool` to `baseline`, one per round where both
    /// completed, sorted.
    pub fn ratios(&self, tool: usize, baseline: usize) -> Vec<f64> {
        let mut ratios: Vec<f64> = self.times[tool]
            .iter()
            .zip(&self.times[baseline])
            .filter_map(|(time, base)| Some(secs(time.as_ref()?) / secs(base.as_ref()?)))
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios
    }
}

/// A median of sorted paired ratios, with their range.
#[derive(Clone, Copy, Debug)]
pub struct Ratio {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl Ratio {
    pub fn of(sorted: &[f64]) -> Option<Ratio> {
        Some(Ratio {
            median: *sorted.get(sorted.len() / 2)?,
            low: *sorted.first()?,
            high: *sorted.last()?,
        })
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} [{:.2}–{:.2}]", self.median, self.low, self.high)
    }
}

pub fn secs(duration: &Duration) -> f64 {
    duration.as_secs_f64()
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Peak resident set of `command` in KiB, read from `/usr/bin/time -f %M`
/// (GNU time reports the child's `ru_maxrss`).
pub fn peak_rss(command: &Command, scratch: &Path) -> Result<u64, String> {
    let report = scratch.join("rss.txt");
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    timed(wrapped)?;
    let text = std::fs::read_to_string(&report).map_err(|error| format!("rss.txt: {error}"))?;
    text.lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .ok_or_else(|| format!("/usr/bin/time printed {text:?}"))
}
