//! Many databases in one run (`--targets`, SPEC section 11): the targets
//! file and the schedule that runs one piece of work per target, `parallel`
//! at a time, canaries first, stopping new starts after a failure or a
//! signal.
//!
//! The work itself (one command on one database) is the caller's: the CLI
//! runs its usual request against each target's URL. A target holds a
//! connection only while its work runs, so a fleet of 2,000 never holds
//! more than `parallel` connections.

pub mod targets;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

pub use targets::Target;

/// How a fleet runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// How many targets run at once (`--parallel`, at least 1).
    pub parallel: usize,
    /// How many targets run first, alone (`--canary`): a failure among them
    /// starts no other target.
    pub canary: usize,
    /// Whether a failure stops new targets from starting: off with
    /// `--continue-on-error`, and for commands that change nothing.
    pub stop_on_failure: bool,
}

/// What the schedule tells the caller as the run goes.
pub enum Event<'a, R> {
    /// A target started.
    Started,
    /// A target finished with its result.
    Finished(usize, &'a R),
    /// Nothing happened for a while (for a live progress line).
    Tick,
}

/// How often [`Event::Tick`] comes while targets run.
const TICK: Duration = Duration::from_millis(200);

/// Runs `work` on each target as `schedule` says; `failed` tells a result
/// that stops new starts, and `on_event` sees each start and finish, on the
/// calling thread. Returns each target's result, `None` for a target that
/// never started (after a failure, or a signal).
pub fn run<R: Send>(
    targets: &[Target],
    schedule: Schedule,
    work: &(dyn Fn(&Target) -> R + Sync),
    failed: &(dyn Fn(&R) -> bool + Sync),
    on_event: &mut dyn FnMut(Event<'_, R>),
) -> Vec<Option<R>> {
    let mut results: Vec<Option<R>> = targets.iter().map(|_| None).collect();
    let canary = schedule.canary.min(targets.len());
    let stop = AtomicBool::new(false);
    let phases = [0..canary, canary..targets.len()];
    for range in phases {
        if range.is_empty() {
            continue;
        }
        if stop.load(Ordering::SeqCst) || crate::interrupt::requested().is_some() {
            break;
        }
        let phase = Phase {
            targets,
            range,
            schedule,
            stop: &stop,
            work,
            failed,
        };
        phase.run(&mut results, on_event);
        // A canary that failed stops the run, whatever --continue-on-error says.
        let canaries_failed = results[..canary].iter().flatten().any(failed);
        if canary > 0 && canaries_failed {
            stop.store(true, Ordering::SeqCst);
        }
    }
    results
}

/// One group of targets run together: the canaries, then the rest.
struct Phase<'a, R> {
    targets: &'a [Target],
    range: std::ops::Range<usize>,
    schedule: Schedule,
    stop: &'a AtomicBool,
    work: &'a (dyn Fn(&Target) -> R + Sync),
    failed: &'a (dyn Fn(&R) -> bool + Sync),
}

/// What a worker tells the calling thread.
enum Message<R> {
    Started,
    Finished(usize, R),
}

impl<R: Send> Phase<'_, R> {
    fn run(&self, results: &mut [Option<R>], on_event: &mut dyn FnMut(Event<'_, R>)) {
        let next = AtomicUsize::new(self.range.start);
        let workers = self.schedule.parallel.max(1).min(self.range.len());
        std::thread::scope(|scope| {
            let (sender, receiver) = mpsc::channel();
            for _ in 0..workers {
                let sender = sender.clone();
                let next = &next;
                scope.spawn(move || self.worker(next, &sender));
            }
            drop(sender);
            loop {
                match receiver.recv_timeout(TICK) {
                    Ok(Message::Started) => on_event(Event::Started),
                    Ok(Message::Finished(index, result)) => {
                        on_event(Event::Finished(index, &result));
                        results[index] = Some(result);
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => on_event(Event::Tick),
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
        });
    }

    /// Takes the next target until none is left or new starts stop.
    fn worker(&self, next: &AtomicUsize, sender: &mpsc::Sender<Message<R>>) {
        loop {
            if self.stop.load(Ordering::SeqCst) || crate::interrupt::requested().is_some() {
                return;
            }
            let index = next.fetch_add(1, Ordering::SeqCst);
            if index >= self.range.end {
                return;
            }
            // The receiver lives until every worker is done.
            let _ = sender.send(Message::Started);
            let result = (self.work)(&self.targets[index]);
            if self.schedule.stop_on_failure && (self.failed)(&result) {
                self.stop.store(true, Ordering::SeqCst);
            }
            let _ = sender.send(Message::Finished(index, result));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::settings::DatabaseUrl;

    fn targets(count: usize) -> Vec<Target> {
        (0..count)
            .map(|index| Target {
                name: format!("t{index}"),
                url: DatabaseUrl::parse(&format!("sqlite:t{index}.db")).expect("a URL"),
                line: index + 1,
            })
            .collect()
    }

    fn schedule(parallel: usize, canary: usize, stop_on_failure: bool) -> Schedule {
        Schedule {
            parallel,
            canary,
            stop_on_failure,
        }
    }

    /// Runs with targets whose name is in `failing` failing; returns which ran.
    fn ran(count: usize, schedule: Schedule, failing: &[&str]) -> Vec<bool> {
        let targets = targets(count);
        let work = |target: &Target| !failing.contains(&target.name.as_str());
        let failed = |ok: &bool| !ok;
        run(&targets, schedule, &work, &failed, &mut |_| {})
            .iter()
            .map(Option::is_some)
            .collect()
    }

    #[test]
    fn every_target_runs_when_nothing_fails() {
        assert!(ran(50, schedule(8, 0, true), &[]).iter().all(|ran| *ran));
        assert!(ran(3, schedule(8, 5, true), &[]).iter().all(|ran| *ran));
    }

    #[test]
    fn a_failing_canary_starts_nothing_else_even_with_continue_on_error() {
        let ran = ran(20, schedule(4, 2, false), &["t1"]);
        assert_eq!(&ran[..2], [true, true]);
        assert!(ran[2..].iter().all(|ran| !ran));
    }

    #[test]
    fn a_failure_stops_new_starts_unless_told_to_go_on() {
        let stopped = ran(40, schedule(1, 0, true), &["t5"]);
        assert!(stopped[..=5].iter().all(|ran| *ran));
        assert!(stopped[6..].iter().all(|ran| !ran));
        let went_on = ran(40, schedule(1, 0, false), &["t5"]);
        assert!(went_on.iter().all(|ran| *ran));
    }

    #[test]
    fn at_most_parallel_targets_run_at_once() {
        let targets = targets(30);
        let running = AtomicUsize::new(0);
        let peak = Mutex::new(0);
        let work = |_: &Target| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            if let Ok(mut peak) = peak.lock() {
                *peak = (*peak).max(now);
            }
            std::thread::sleep(Duration::from_millis(5));
            running.fetch_sub(1, Ordering::SeqCst);
        };
        let mut started = 0;
        let mut finished = 0;
        run(
            &targets,
            schedule(4, 0, true),
            &work,
            &|_| false,
            &mut |event| match event {
                Event::Started => started += 1,
                Event::Finished(..) => finished += 1,
                Event::Tick => {}
            },
        );
        assert_eq!((started, finished), (30, 30));
        assert!(*peak.lock().expect("the peak") <= 4);
    }
}
