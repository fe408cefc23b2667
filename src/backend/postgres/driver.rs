//! The runtime that drives `tokio-postgres` under the synchronous
//! [`Backend`](crate::backend::Backend) trait, usable from anywhere a
//! library user calls it: plain threads, and inside a tokio runtime.
//!
//! Most services call the library from `async fn main`. There, a plain
//! `Runtime::block_on` panics ("Cannot start a runtime from within a
//! runtime"), and so does dropping a runtime. `tokio::task::block_in_place`
//! is no way out: it panics on a current-thread runtime (what
//! `#[tokio::main(flavor = "current_thread")]` and `#[tokio::test]` build).
//! So when the calling thread is inside a runtime, each wait runs on a
//! scoped thread of its own, which has no runtime context and may block
//! on ours; the caller's thread blocks in `join`, as any synchronous call
//! blocks it, and that is correct on both kinds of outer runtime. Outside
//! a runtime nothing changes: `block_on` on the calling thread, no thread
//! spawned. Our runtime is current-thread: whichever thread blocks on it
//! also runs the connection task, so the connection makes progress during
//! every wait, on any thread.

use std::future::Future;

use tokio::runtime::{Builder, Handle, Runtime};

/// A single-threaded tokio runtime that can be blocked on from any thread.
pub(super) struct Driver {
    /// `None` only while being dropped.
    runtime: Option<Runtime>,
}

impl Driver {
    /// A runtime with I/O and timers.
    pub(super) fn new() -> std::io::Result<Driver> {
        let runtime = Builder::new_current_thread().enable_all().build()?;
        Ok(Driver {
            runtime: Some(runtime),
        })
    }

    fn runtime(&self) -> &Runtime {
        match &self.runtime {
            Some(runtime) => runtime,
            None => unreachable!("the runtime is taken only by Drop"),
        }
    }

    /// Runs `future` to completion on this runtime and returns its output,
    /// from a thread of its own when the caller is inside a tokio runtime.
    pub(super) fn block_on<F>(&self, future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let runtime = self.runtime();
        if Handle::try_current().is_err() {
            return runtime.block_on(future);
        }
        std::thread::scope(|scope| {
            match scope.spawn(|| runtime.block_on(future)).join() {
                Ok(output) => output,
                // A panic of the driver is the caller's panic, as it would
                // be without the thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Starts a task on this runtime (the connection's), driven whenever
    /// something blocks on it.
    pub(super) fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime().spawn(future)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // A plain drop panics inside an outer runtime; this does not, and
        // it does not wait for the connection task, which ends with the
        // socket.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
