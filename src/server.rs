//! The HTTP server: idlink's router on a TCP listener, with limits that keep slow or idle
//! clients from holding the process, and a graceful stop.
//!
//! `axum::serve` has no header-read or idle timeouts: half-open connections piled up
//! until file descriptors ran out. Here every connection has a deadline at every moment:
//! - before its request headers are complete: [`Limits::header_read_timeout`], counted
//!   from the opening, or from the first byte of a later request on a kept-alive
//!   connection;
//! - between requests: [`Limits::keep_alive_timeout`] with no byte from the client;
//! - while a request is served: no byte moved either way for the request timeout plus the
//!   header-read timeout (a client that stopped reading its answer);
//!
//! and at most [`Limits::max_connections`] are open at once; more get a short 503.
//! The request-body and whole-request timeouts are layers of the router (`web::app`),
//! so they hold for tests that call the router without a socket too.
//!
//! HTTP/1.1 only, as before (axum's `http2` feature was never enabled); TLS ends at the
//! reverse proxy.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

/// The server's limits, from the settings (`HEADER_READ_TIMEOUT_SECS` and the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub request_body_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
}

/// Connections past the cap that are answered with a 503 at the same time; past these a
/// connection is closed unanswered, so a flood costs no more than this many tasks.
const REFUSALS: usize = 64;
/// How long a refused connection may take to send its request before it is closed.
const REFUSAL_WAIT: Duration = Duration::from_secs(2);
/// A connection's read buffer, and so the largest request head it can send: hyper's
/// default (~400 KB) times thousands of connections is too much memory to hand out.
const MAX_BUF: usize = 64 * 1024;

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish
/// (idle connections close at once) and returns when every connection is closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS));
    let full_reported = Arc::new(AtomicBool::new(false));
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection holds a receiver: `closed()` resolves when the last one ends.
    let (open_tx, open_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // EMFILE and the like: wait for connections to close rather than spin.
                    tracing::error!(error = %e, "cannot accept connections; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                full_reported.store(false, Ordering::Relaxed);
                let conn = Connection {
                    app: app.clone(),
                    limits,
                    remote,
                    _slot: slot,
                    _open: open_rx.clone(),
                };
                tokio::spawn(conn.run(stream, stop_rx.clone()));
            }
            Err(_) => {
                if !full_reported.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: answering new connections with 503"
                    );
                }
                if let Ok(permit) = refusals.clone().try_acquire_owned() {
                    tokio::spawn(refuse(stream, permit));
                }
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    open_tx.closed().await;
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Answers a connection past the cap with a 503 and closes it.
async fn refuse(stream: TcpStream, _permit: OwnedSemaphorePermit) {
    let service = service_fn(|_req: Request<Incoming>| async {
        let res = (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5"), (header::CONNECTION, "close")],
            "idlink is serving as many connections as it may. Please try again in a moment.\n",
        )
            .into_response();
        Ok::<_, Infallible>(res)
    });
    let conn = http1::Builder::new()
        .keep_alive(false)
        .max_buf_size(MAX_BUF)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(REFUSAL_WAIT, conn).await;
}

struct Connection {
    app: Router,
    limits: Limits,
    remote: SocketAddr,
    _slot: OwnedSemaphorePermit,
    _open: watch::Receiver<()>,
}

impl Connection {
    async fn run(self, stream: TcpStream, mut stop: watch::Receiver<bool>) {
        let track = Arc::new(Track::new());
        let io = TokioIo::new(Tracked {
            io: stream,
            track: track.clone(),
        });
        let (app, remote) = (self.app.clone(), self.remote);
        let on_request = track.clone();
        let service = service_fn(move |mut req: Request<Incoming>| {
            let in_flight = on_request.request_started();
            req.extensions_mut().insert(ConnectInfo(remote));
            let app = app.clone();
            async move {
                let res = app
                    .oneshot(req.map(Body::new))
                    .await
                    .unwrap_or_else(|never| match never {});
                // The request counts as in flight until its answer's body is sent.
                Ok::<_, Infallible>(res.map(|body| Guarded {
                    body,
                    _in_flight: in_flight,
                }))
            }
        });
        let conn = http1::Builder::new()
            .max_buf_size(MAX_BUF)
            // Our own deadline below: hyper's would also cut idle keep-alive connections.
            .header_read_timeout(None)
            .serve_connection(io, service);
        tokio::pin!(conn);
        let mut stopping = *stop.borrow();
        if stopping {
            conn.as_mut().graceful_shutdown();
        }
        loop {
            let deadline = match track.deadline(&self.limits) {
                Ok(at) => at,
                Err(why) => {
                    tracing::debug!(remote = %remote, why, "closing connection");
                    return;
                }
            };
            tokio::select! {
                served = conn.as_mut() => {
                    if let Err(e) = served {
                        tracing::debug!(remote = %remote, error = %e, "connection ended with an error");
                    }
                    return;
                }
                () = tokio::time::sleep_until(deadline) => {}
                () = track.changed.notified() => {}
                _ = stop.changed(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// What a connection is doing, to know its deadline.
struct Track {
    state: Mutex<TrackState>,
    /// Woken when the deadline may have moved earlier.
    changed: Notify,
}

struct TrackState {
    in_flight: usize,
    /// When the request head now being read began (None: idle between requests).
    head_since: Option<Instant>,
    /// When the last answer was sent.
    idle_since: Instant,
    /// When a byte last moved either way.
    last_io: Instant,
}

impl Track {
    fn new() -> Self {
        let now = Instant::now();
        Track {
            // The first request's headers are due from the opening.
            state: Mutex::new(TrackState {
                in_flight: 0,
                head_since: Some(now),
                idle_since: now,
                last_io: now,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TrackState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When to close the connection, or why to close it now.
    fn deadline(&self, limits: &Limits) -> Result<Instant, &'static str> {
        let st = self.lock();
        let (at, why) = if st.in_flight > 0 {
            (
                st.last_io + limits.request_timeout + limits.header_read_timeout,
                "no progress on a request",
            )
        } else if let Some(since) = st.head_since {
            (
                since + limits.header_read_timeout,
                "request headers not sent in time",
            )
        } else {
            (st.idle_since + limits.keep_alive_timeout, "idle")
        };
        if Instant::now() >= at {
            Err(why)
        } else {
            Ok(at)
        }
    }

    fn read(&self) {
        let mut st = self.lock();
        let now = Instant::now();
        st.last_io = now;
        if st.in_flight == 0 && st.head_since.is_none() {
            st.head_since = Some(now);
            drop(st);
            self.changed.notify_one();
        }
    }

    fn wrote(&self) {
        self.lock().last_io = Instant::now();
    }

    fn request_started(self: &Arc<Self>) -> InFlight {
        let mut st = self.lock();
        st.in_flight += 1;
        st.head_since = None;
        st.last_io = Instant::now();
        InFlight(self.clone())
    }
}

/// A request being served; dropped when its answer is sent (or the connection is gone).
struct InFlight(Arc<Track>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.in_flight = st.in_flight.saturating_sub(1);
        st.idle_since = Instant::now();
        drop(st);
        self.0.changed.notify_one();
    }
}

/// An answer's body that keeps its request in flight until it is dropped.
struct Guarded {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, noting when bytes move.
struct Tracked {
    io: TcpStream,
    track: Arc<Track>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.track.read();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.track.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.track.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
