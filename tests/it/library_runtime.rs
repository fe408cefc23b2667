//! The library called from inside a tokio runtime, as most services call
//! it from `async fn main` (issue 11: the PostgreSQL backend panicked with
//! "Cannot start a runtime from within a runtime"). Both kinds of runtime a
//! service builds: current-thread and multi-thread.

use migrate::Migrator;

use crate::support::{Project, for_each_backend, states};

fn project() -> Project {
    Project::new()
        .up(
            1,
            "users",
            "CREATE TABLE rt_users (id INTEGER PRIMARY KEY);\n",
        )
        .up(2, "seed", "INSERT INTO rt_users (id) VALUES (1);\n")
}

#[test]
fn up_works_inside_a_current_thread_runtime() {
    for_each_backend(|db| {
        let project = project();
        let migrator = Migrator::open(db.url(), project.path()).expect("a valid URL");
        // The test's database helpers block on runtimes of their own, so the
        // runtime is built here, around the library calls only.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let applied = runtime.block_on(async {
            let applied = migrator.up().expect("up inside a runtime");
            let status = migrator.status().expect("status inside a runtime");
            assert_eq!(status.current_version, 2);
            applied
        });
        assert_eq!(applied.len(), 2);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

#[test]
fn up_works_inside_a_multi_thread_runtime() {
    for_each_backend(|db| {
        let project = project();
        let migrator = Migrator::open(db.url(), project.path()).expect("a valid URL");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let applied = runtime
            .block_on(async move {
                // From a task, as a service's handler would.
                tokio::spawn(async move { migrator.up() }).await
            })
            .expect("the task ends")
            .expect("up inside a runtime");
        assert_eq!(applied.len(), 2);
        assert_eq!(db.versions(), states(&[(1, "added"), (2, "added")]));
    });
}

/// `up_async` from a service's `#[tokio::main]`: the run goes to the
/// blocking pool, and a current-thread runtime (one worker, which a blocking
/// call would stall: no tick at all) keeps running other tasks meanwhile.
#[test]
fn up_async_runs_off_the_runtime() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    for_each_backend(|db| {
        let project = project().up(3, "slow", db.slow_statement());
        let migrator = Migrator::open(db.url(), project.path()).expect("a valid URL");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let ticks = Arc::new(AtomicUsize::new(0));
        let counted = ticks.clone();
        let applied = runtime.block_on(async move {
            let ticker = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    counted.fetch_add(1, Ordering::SeqCst);
                }
            });
            let applied = migrator.up_async().await.expect("up_async");
            ticker.abort();
            applied
        });
        assert_eq!(applied.len(), 3);
        assert!(
            ticks.load(Ordering::SeqCst) > 0,
            "the runtime was blocked by the run"
        );
        assert_eq!(
            db.versions(),
            states(&[(1, "added"), (2, "added"), (3, "added")])
        );
    });
}
