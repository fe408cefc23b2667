//! A cancel request through a pooler that waits for the pooler to finish
//! it (issue 20).
//!
//! `tokio-postgres` closes its side of a cancel request's connection as
//! soon as the key is written. PgBouncer 1.18 (Debian 12's) then frees the
//! client while it still forwards the cancel, and exits with `FATAL …
//! disconnect_client(): bad client state: 0`
//! (<https://github.com/pgbouncer/pgbouncer/issues/801>; the fix is
//! <https://github.com/pgbouncer/pgbouncer/pull/846>): one interrupted
//! migration would take the pooler down for every application behind it.
//! libpq, like the protocol says, keeps the connection open until the
//! other side closes it; so does this, for a plain TCP connection to the
//! pooler. Where it cannot (a socket path, a pooler that insists on TLS),
//! the caller falls back to the driver's own cancel.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_postgres::CancelToken;
use tokio_postgres::config::Host;

use super::connect::Target;

/// How long to wait for the pooler to close the cancel connection.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// The first TCP host and port of the URL: where the pooler listens.
pub(super) fn pooler_address(target: &Target) -> Option<(String, u16)> {
    let config = &target.config;
    let host = match config.get_hosts().first()? {
        Host::Tcp(host) => host.clone(),
        #[cfg(unix)]
        Host::Unix(_) => return None,
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    Some((host, port))
}

/// Sends `token`'s cancel request to the pooler at `host:port` in plain
/// text and waits (at most [`CLOSE_WAIT`]) until the pooler closes the
/// connection, which it does once the server has the request.
pub(super) async fn through_pooler(
    token: &CancelToken,
    host: &str,
    port: u16,
) -> Result<(), String> {
    let mut socket = TcpStream::connect((host, port))
        .await
        .map_err(|error| error.to_string())?;
    token
        .cancel_query_raw(KeepOpen(&mut socket), tokio_postgres::NoTls)
        .await
        .map_err(|error| error.to_string())?;
    let mut sink = [0u8; 64];
    let closed = async {
        while let Ok(read) = socket.read(&mut sink).await {
            if read == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, closed).await;
    Ok(())
}

/// The cancel connection, whose `shutdown` leaves it open: the request
/// is complete when the pooler closes it, not when we stop writing.
struct KeepOpen<'a>(&'a mut TcpStream);

impl AsyncRead for KeepOpen<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(context, buf)
    }
}

impl AsyncWrite for KeepOpen<'_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(context, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(context)
    }

    fn poll_shutdown(self: Pin<&mut Self>, _context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
