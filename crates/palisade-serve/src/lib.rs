//! Serve a directory read-only over HTTP.
//!
//! `palisade tuf serve` uses this to publish a TUF repository (`metadata/`, `targets/`)
//! to clients on the network or on the same machine; tests and the TUF benchmark use it
//! as the static server. It is deliberately small:
//!
//! * `GET` and `HEAD` only (anything else is `405`); no directory listings; paths with
//!   `..` or that leave the directory are refused by tower-http's `ServeDir`;
//! * HTTP/1.1 with keep-alive and `TCP_NODELAY` (clients fetch many small files);
//! * `Cache-Control: no-cache` on every answer, so a caching proxy revalidates
//!   `timestamp.json` and friends instead of serving stale metadata;
//! * the address is the caller's choice; the CLI defaults to loopback. Port 0 picks a
//!   free port, which [`Server::addr`] reports.
//!
//! Symbolic links inside the directory are followed: the directory is the operator's.
//! Not here: TLS (put a reverse proxy in front), authentication, writes.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use std::io::Read;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// A running server; dropping it stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    /// Bind `listen` and serve `dir` from a background thread.
    ///
    /// Errors: the directory does not exist or is not a directory, the address cannot be
    /// bound, or the runtime cannot start.
    pub fn start(dir: &Path, listen: SocketAddr) -> io::Result<Server> {
        let meta = std::fs::metadata(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        if !meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a directory", dir.display()),
            ));
        }
        let std_listener = std::net::TcpListener::bind(listen)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {listen}: {e}")))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_io()
            .thread_name("palisade-serve")
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(dir.to_path_buf());
        let thread = std::thread::Builder::new()
            .name("palisade-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(std_listener)?;
                    let listener = axum::serve::ListenerExt::tap_io(
                        listener,
                        |tcp: &mut tokio::net::TcpStream| {
                            let _ = tcp.set_nodelay(true);
                        },
                    );
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await
                })
            })?;
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address bound (with the port chosen when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, finish the requests in flight and wait for the server thread.
    pub fn stop(mut self) -> io::Result<()> {
        self.shutdown()
    }

    /// Block until the server thread ends (it only ends on an I/O error or [`Server::stop`]
    /// from elsewhere; the CLI runs until interrupted).
    pub fn wait(mut self) -> io::Result<()> {
        self.join()
    }

    fn shutdown(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join()
    }

    fn join(&mut self) -> io::Result<()> {
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| io::Error::other("server thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Files up to this size are read in the request's own task (a few microseconds from the
/// page cache); larger ones are streamed by `ServeDir`. `ServeDir` goes through
/// `tokio::fs`, one hop to the blocking thread pool per open, stat and read: about
/// 100 us of CPU per small file, more than a TUF client spends on it.
const INLINE_LIMIT: u64 = 256 * 1024;

fn router(dir: PathBuf) -> Router {
    let root = std::sync::Arc::new(dir.clone());
    Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(false))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let root = root.clone();
                async move {
                    match small_file(&root, &req) {
                        Some(resp) => resp,
                        None => next.run(req).await,
                    }
                }
            },
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

/// Answers a GET or HEAD of a regular file of at most [`INLINE_LIMIT`] bytes under
/// `root`; `None` (let `ServeDir` answer) for anything else: other methods, larger files,
/// directories, missing files, or a path this function does not take (percent-decoded
/// segments that are empty, `.`, `..`, or hold `\` or NUL).
fn small_file(root: &Path, req: &Request) -> Option<Response> {
    let head = match *req.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => return None,
    };
    // Decoded first, then split (as `ServeDir` does): `..%2F` is a `..` segment here too.
    let raw = req.uri().path().strip_prefix('/')?;
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let mut path = root.to_path_buf();
    for seg in decoded.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains(['\\', '\0']) {
            return None;
        }
        path.push(seg);
    }
    let file = std::fs::File::open(&path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > INLINE_LIMIT {
        return None;
    }
    let mut body = Vec::with_capacity(meta.len() as usize);
    // The file may have grown since the stat: read one byte past the limit to see it.
    file.take(INLINE_LIMIT + 1).read_to_end(&mut body).ok()?;
    if body.len() as u64 > INLINE_LIMIT {
        return None;
    }
    let len = body.len();
    let mut resp = if head {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(body))
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if path.extension().is_some_and(|e| e == "json") {
            "application/json"
        } else {
            "application/octet-stream"
        }),
    );
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn client() -> palisade_http::Client {
        palisade_http::Client::new(Duration::from_secs(5))
    }

    #[test]
    fn serves_files_and_refuses_what_is_not_there() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("metadata")).unwrap();
        std::fs::write(d.path().join("metadata/1.root.json"), b"{\"signed\":{}}").unwrap();
        std::fs::write(d.path().join("secret-outside"), b"x").unwrap();
        let s = Server::start(&d.path().join("metadata"), "127.0.0.1:0".parse().unwrap()).unwrap();
        let c = client();
        let r = c
            .get(&format!("{}/1.root.json", s.url()), &[], 1000)
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"{\"signed\":{}}");
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        // Many requests over the kept-alive connection.
        for _ in 0..50 {
            let r = c
                .get(&format!("{}/1.root.json", s.url()), &[], 1000)
                .unwrap();
            assert_eq!(r.status, 200);
        }
        let r = c
            .get(&format!("{}/2.root.json", s.url()), &[], 1000)
            .unwrap();
        assert_eq!(r.status, 404);
        // No directory listing, and nothing above the served directory.
        let r = c.get(&format!("{}/", s.url()), &[], 1000).unwrap();
        assert_eq!(r.status, 404);
        let r = c
            .get(&format!("{}/../secret-outside", s.url()), &[], 1000)
            .unwrap();
        assert_ne!(r.status, 200);
        let r = c
            .get(&format!("{}/%2e%2e/secret-outside", s.url()), &[], 1000)
            .unwrap();
        assert_ne!(r.status, 200);
        let r = c
            .get(&format!("{}/%2e%2e%2fsecret-outside", s.url()), &[], 1000)
            .unwrap();
        assert_ne!(r.status, 200);
        s.stop().unwrap();
    }

    #[test]
    fn small_files_inline_large_files_streamed() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("targets/sub dir")).unwrap();
        let small = b"small target".to_vec();
        let large: Vec<u8> = (0..(INLINE_LIMIT as usize + 4097))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(d.path().join("targets/sub dir/a.bin"), &small).unwrap();
        std::fs::write(d.path().join("targets/big.bin"), &large).unwrap();
        let s = Server::start(d.path(), "127.0.0.1:0".parse().unwrap()).unwrap();
        let c = client();
        let r = c
            .get(
                &format!("{}/targets/sub%20dir/a.bin", s.url()),
                &[],
                1 << 20,
            )
            .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, small.as_slice()));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(r.header("content-length"), Some("12"));
        let r = c
            .get(&format!("{}/targets/big.bin", s.url()), &[], 1 << 20)
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(r.body == large, "large file streamed whole");
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        // A directory is not a file: no listing either way.
        let r = c.get(&format!("{}/targets", s.url()), &[], 1000).unwrap();
        assert_ne!(r.status, 200);
        s.stop().unwrap();
    }

    #[test]
    fn refuses_a_missing_directory_and_a_busy_port() {
        let d = tempfile::tempdir().unwrap();
        let e = Server::start(&d.path().join("nope"), "127.0.0.1:0".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        let s = Server::start(d.path(), "127.0.0.1:0".parse().unwrap()).unwrap();
        let e = Server::start(d.path(), s.addr()).unwrap_err();
        assert!(e.to_string().contains("cannot listen"), "{e}");
    }
}
