//! [`Session`]: one kept-alive connection for one thread making many plain-HTTP requests
//! in a row (TUF target downloads), with as few system calls as HTTP/1.1 allows: one
//! write per request and, for a small answer, one read. No connection pool to lock, no
//! liveness probe before reuse (a connection the server closed meanwhile is noticed by
//! the request itself, which is then sent again once on a new connection: GET only),
//! socket timeouts changed only when the deadline left calls for it.
//!
//! `https://` URLs, URLs this code does not take (user info, unusual characters) and
//! processes with a proxy in the environment go through [`Client::get`] (ureq) instead,
//! with the same answer.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::{Client, HttpError, Response};

/// Largest answer head (status line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Most headers in an answer.
const MAX_HEADERS: usize = 128;
/// Read size: most small answers arrive whole in one read.
const READ_CHUNK: usize = 16 * 1024;
/// Connect timeout, as [`Client`]'s.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One connection for a sequence of requests (see the module doc). Not shared between
/// threads: give each thread its own.
#[derive(Debug)]
pub struct Session {
    client: Client,
    conn: Option<Conn>,
    /// Whether a proxy is configured in the environment (then ureq does everything).
    proxied: bool,
}

#[derive(Debug)]
struct Conn {
    /// `host:port` as it appears in the URL (the connection is for that one only).
    authority: String,
    stream: TcpStream,
    /// Bytes read but not yet used.
    buf: Vec<u8>,
    /// The socket's read timeout now.
    read_timeout: Option<Duration>,
    /// Requests answered on it.
    served: u64,
}

/// A plain-HTTP URL this code takes: `http://HOST[:PORT]/PATH` with a safe request target.
struct Target<'u> {
    authority: &'u str,
    host: &'u str,
    port: u16,
    path: &'u str,
}

fn parse_http_url(url: &str) -> Option<Target<'_>> {
    let rest = url.strip_prefix("http://")?;
    let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    // Host, optional port; IPv6 literals in brackets.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after {
            "" => 80,
            p => p.strip_prefix(':')?.parse().ok()?,
        };
        (h, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, 80),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'_'));
    // The request target goes on the request line as is: printable ASCII, no spaces.
    let path_ok = path.starts_with('/') && path.bytes().all(|b| b.is_ascii_graphic());
    (host_ok && path_ok).then_some(Target {
        authority,
        host,
        port,
        path,
    })
}

fn proxy_in_env() -> bool {
    [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Why a request on a reused connection failed: before any byte of the answer came (the
/// server had closed it: send again on a new one), or later (a real failure).
enum Failure {
    Stale,
    Failed(HttpError),
}

impl Session {
    /// A session making its requests with `client`'s settings (timeout, user agent).
    pub fn new(client: &Client) -> Session {
        Session {
            client: client.clone(),
            conn: None,
            proxied: proxy_in_env(),
        }
    }

    /// GET `url` as [`Client::get`] does (same answers, errors and limits), on this
    /// session's connection when the URL is plain HTTP.
    pub fn get(
        &mut self,
        url: &str,
        headers: &[(&str, &str)],
        limit: u64,
    ) -> Result<Response, HttpError> {
        let Some(target) = parse_http_url(url).filter(|_| !self.proxied) else {
            return self.client.get(url, headers, limit);
        };
        if headers
            .iter()
            .any(|(k, v)| !header_ok(k) || v.bytes().any(|b| b == b'\r' || b == b'\n'))
        {
            return self.client.get(url, headers, limit);
        }
        let mut req = Vec::with_capacity(256);
        write_request(&mut req, &target, headers, &self.client.user_agent);
        let reused = self
            .conn
            .as_ref()
            .is_some_and(|c| c.authority == target.authority);
        if !reused {
            self.conn = None;
        }
        if reused {
            match self.exchange(url, &req, limit) {
                Ok(r) => return Ok(r),
                Err(Failure::Failed(e)) => return Err(e),
                // The server closed the kept-alive connection: once more on a new one.
                Err(Failure::Stale) => self.conn = None,
            }
        }
        self.conn = Some(connect(&target, url, self.client.timeout)?);
        match self.exchange(url, &req, limit) {
            Ok(r) => Ok(r),
            Err(Failure::Failed(e)) => Err(e),
            Err(Failure::Stale) => Err(transport(url, "connection closed before an answer")),
        }
    }

    /// Sends `req` on the current connection and reads the answer; keeps the connection
    /// when it can serve another request.
    fn exchange(&mut self, url: &str, req: &[u8], limit: u64) -> Result<Response, Failure> {
        let timeout = self.client.timeout;
        let Some(conn) = self.conn.as_mut() else {
            return Err(Failure::Failed(transport(url, "no connection")));
        };
        let first = conn.served == 0;
        if let Err(e) = (&conn.stream).write_all(req) {
            self.conn = None;
            let e = io_error(url, e, "sending the request");
            return Err(if first {
                Failure::Failed(e)
            } else {
                Failure::Stale
            });
        }
        match read_response(conn, url, limit, timeout) {
            Ok((resp, keep)) => {
                if keep {
                    conn.served += 1;
                } else {
                    self.conn = None;
                }
                Ok(resp)
            }
            Err((e, closed_unanswered)) => {
                self.conn = None;
                Err(if closed_unanswered && !first {
                    Failure::Stale
                } else {
                    Failure::Failed(e)
                })
            }
        }
    }
}

fn header_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn write_request(out: &mut Vec<u8>, t: &Target<'_>, headers: &[(&str, &str)], ua: &str) {
    out.extend_from_slice(b"GET ");
    out.extend_from_slice(t.path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(t.authority.as_bytes());
    out.extend_from_slice(b"\r\nUser-Agent: ");
    out.extend_from_slice(ua.as_bytes());
    out.extend_from_slice(b"\r\nAccept: */*\r\n");
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

fn transport(url: &str, message: impl Into<String>) -> HttpError {
    HttpError::Transport {
        url: url.to_string(),
        message: message.into(),
    }
}

fn io_error(url: &str, e: io::Error, doing: &str) -> HttpError {
    if matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    ) {
        transport(url, format!("timeout {doing}"))
    } else {
        transport(url, format!("{doing}: {e}"))
    }
}

fn connect(t: &Target<'_>, url: &str, timeout: Duration) -> Result<Conn, HttpError> {
    let addrs = (t.host, t.port)
        .to_socket_addrs()
        .map_err(|e| transport(url, format!("resolving {}: {e}", t.host)))?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => {
                // Requests are small and one at a time: the send timeout is set once.
                stream
                    .set_nodelay(true)
                    .and_then(|()| stream.set_write_timeout(Some(timeout).filter(|t| !t.is_zero())))
                    .map_err(|e| io_error(url, e, "connecting"))?;
                return Ok(Conn {
                    authority: t.authority.to_string(),
                    stream,
                    buf: Vec::with_capacity(READ_CHUNK),
                    read_timeout: None,
                    served: 0,
                });
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => io_error(url, e, "connecting"),
        None => transport(url, format!("{}: no address", t.host)),
    })
}

/// Something answers HTTP: a socket with a settable read timeout, or bytes in a test.
pub(crate) trait Source: Read {
    /// Sets the read timeout (None: block).
    fn set_timeout(&mut self, t: Option<Duration>) -> io::Result<()>;
}

impl Source for &TcpStream {
    fn set_timeout(&mut self, t: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(t)
    }
}

impl<T: AsRef<[u8]>> Source for io::Cursor<T> {
    fn set_timeout(&mut self, _t: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
}

/// Reads the answer to one request from `conn`. Ok: the answer and whether the
/// connection can serve another request. Err: the error and whether the server closed
/// the connection before any byte of the answer.
fn read_response(
    conn: &mut Conn,
    url: &str,
    limit: u64,
    timeout: Duration,
) -> Result<(Response, bool), (HttpError, bool)> {
    let mut src = &conn.stream;
    let mut reader = Reader {
        src: &mut src,
        buf: &mut conn.buf,
        read_timeout: &mut conn.read_timeout,
        got_any: false,
        closed: false,
    };
    let r = parse_answer(&mut reader, url, limit, timeout);
    let closed_unanswered = reader.closed && !reader.got_any;
    r.map_err(|e| (e, closed_unanswered))
}

/// Reads from a [`Source`] against per-phase deadlines, keeping unused bytes in `buf`.
pub(crate) struct Reader<'a, S: Source> {
    pub(crate) src: &'a mut S,
    pub(crate) buf: &'a mut Vec<u8>,
    pub(crate) read_timeout: &'a mut Option<Duration>,
    /// Whether any byte came from the source.
    pub(crate) got_any: bool,
    /// Whether the source ended or was reset.
    pub(crate) closed: bool,
}

impl<S: Source> Reader<'_, S> {
    /// Appends at least one byte to `buf` (`Ok(false)`: end of stream), waiting until
    /// `deadline` at most (plus a tenth of `phase` or 1 s, whichever is less: the
    /// socket timeout is not changed for every read).
    fn fill(&mut self, deadline: Instant, phase: Duration, url: &str) -> Result<bool, HttpError> {
        self.fill_for(0, deadline, phase, url)
    }

    /// [`Reader::fill`], reading up to `want` bytes at once (at least a read chunk, at
    /// most 1 MiB) when that many are expected.
    fn fill_for(
        &mut self,
        want: usize,
        deadline: Instant,
        phase: Duration,
        url: &str,
    ) -> Result<bool, HttpError> {
        let slack = (phase / 10).min(Duration::from_secs(1));
        let chunk = want.clamp(READ_CHUNK, 1024 * 1024);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(transport(url, "timeout reading the answer"));
            }
            let needs_change = match *self.read_timeout {
                None => true,
                Some(cur) => cur > left + slack,
            };
            if needs_change {
                self.src
                    .set_timeout(Some(left))
                    .map_err(|e| io_error(url, e, "reading the answer"))?;
                *self.read_timeout = Some(left);
            }
            let start = self.buf.len();
            self.buf.resize(start + chunk, 0);
            let r = self.src.read(&mut self.buf[start..]);
            match r {
                Ok(n) => {
                    self.buf.truncate(start + n);
                    if n > 0 {
                        self.got_any = true;
                    } else {
                        self.closed = true;
                    }
                    return Ok(n > 0);
                }
                Err(e) => {
                    self.buf.truncate(start);
                    match e.kind() {
                        io::ErrorKind::Interrupted => {}
                        io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::BrokenPipe => {
                            self.closed = true;
                            return Err(io_error(url, e, "reading the answer"));
                        }
                        // The socket's timeout was shorter than the deadline: set it
                        // to what is left (next loop) and wait again, or give up.
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                            *self.read_timeout = None;
                        }
                        _ => return Err(io_error(url, e, "reading the answer")),
                    }
                }
            }
        }
    }
}

/// Parses one answer (head, then body by `Content-Length`, chunked coding or up to the
/// end of the stream) from `r`, bodies bounded by `limit`. Returns the answer and whether
/// the connection can carry another request. Unused bytes stay in `r.buf`.
pub(crate) fn parse_answer<S: Source>(
    r: &mut Reader<'_, S>,
    url: &str,
    limit: u64,
    timeout: Duration,
) -> Result<(Response, bool), HttpError> {
    // Head (1xx interim answers are skipped).
    let deadline = Instant::now() + timeout;
    let (status, headers, keep_alive, length, chunked) = loop {
        let mut hs = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut hs);
        match resp.parse(r.buf) {
            Ok(httparse::Status::Complete(n)) => {
                let status = resp.code.unwrap_or(0);
                let version = resp.version.unwrap_or(0);
                let mut headers = Vec::with_capacity(resp.headers.len());
                let mut keep_alive = version == 1;
                let mut length: Option<u64> = None;
                let mut chunked = false;
                for h in resp.headers.iter() {
                    let name = h.name.to_ascii_lowercase();
                    let value = String::from_utf8_lossy(h.value).into_owned();
                    match name.as_str() {
                        "connection" => {
                            for t in value.split(',').map(str::trim) {
                                if t.eq_ignore_ascii_case("close") {
                                    keep_alive = false;
                                } else if t.eq_ignore_ascii_case("keep-alive") && version == 0 {
                                    keep_alive = true;
                                }
                            }
                        }
                        "content-length" => {
                            let l: u64 = value.trim().parse().map_err(|_| {
                                transport(url, format!("bad Content-Length {value:?}"))
                            })?;
                            if length.is_some_and(|p| p != l) {
                                return Err(transport(url, "conflicting Content-Length"));
                            }
                            length = Some(l);
                        }
                        "transfer-encoding" => {
                            let last = value.rsplit(',').next().unwrap_or("").trim();
                            if last.eq_ignore_ascii_case("chunked") {
                                chunked = true;
                            } else {
                                return Err(transport(
                                    url,
                                    format!("unsupported Transfer-Encoding {value:?}"),
                                ));
                            }
                        }
                        _ => {}
                    }
                    headers.push((name, value));
                }
                r.buf.drain(..n);
                if (100..200).contains(&status) {
                    if status == 101 {
                        return Err(transport(url, "unexpected 101 Switching Protocols"));
                    }
                    continue;
                }
                break (status, headers, keep_alive, length, chunked);
            }
            Ok(httparse::Status::Partial) => {
                if r.buf.len() > MAX_HEAD {
                    return Err(transport(url, "answer head too large"));
                }
                if !r.fill(deadline, timeout, url)? {
                    return Err(transport(url, "connection closed before an answer"));
                }
            }
            Err(e) => return Err(transport(url, format!("malformed answer: {e}"))),
        }
    };
    let too_large = || HttpError::TooLarge {
        url: url.to_string(),
        limit,
    };
    let deadline = Instant::now() + timeout;
    let no_body = status == 204 || status == 304;
    let mut keep = keep_alive;
    let body = if no_body {
        Vec::new()
    } else if chunked {
        read_chunked(r, url, limit, deadline, timeout)?
    } else if let Some(len) = length {
        if len > limit {
            // The rest is not read: the connection cannot be reused.
            return Err(too_large());
        }
        let len = usize::try_from(len).map_err(|_| too_large())?;
        while r.buf.len() < len {
            if !r.fill_for(len - r.buf.len(), deadline, timeout, url)? {
                return Err(transport(url, "connection closed in the body"));
            }
        }
        if len <= READ_CHUNK {
            // Copied out: the read buffer keeps its allocation for the next answer.
            let body = r.buf[..len].to_vec();
            r.buf.drain(..len);
            body
        } else {
            let rest = r.buf.split_off(len);
            std::mem::replace(r.buf, rest)
        }
    } else {
        // Up to the end of the stream.
        keep = false;
        loop {
            if r.buf.len() as u64 > limit {
                return Err(too_large());
            }
            if !r.fill(deadline, timeout, url)? {
                break;
            }
        }
        std::mem::take(r.buf)
    };
    if body.len() as u64 > limit {
        return Err(too_large());
    }
    // Bytes after the answer that nobody asked for: do not reuse the connection.
    if !r.buf.is_empty() {
        keep = false;
    }
    Ok((
        Response {
            status,
            headers,
            body,
        },
        keep,
    ))
}

fn read_chunked<S: Source>(
    r: &mut Reader<'_, S>,
    url: &str,
    limit: u64,
    deadline: Instant,
    timeout: Duration,
) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    loop {
        let (start, size) = loop {
            match httparse::parse_chunk_size(r.buf) {
                Ok(httparse::Status::Complete((start, size))) => break (start, size),
                Ok(httparse::Status::Partial) => {
                    if r.buf.len() > MAX_HEAD {
                        return Err(transport(url, "chunk size line too long"));
                    }
                    if !r.fill(deadline, timeout, url)? {
                        return Err(transport(url, "connection closed in the body"));
                    }
                }
                Err(_) => return Err(transport(url, "malformed chunked body")),
            }
        };
        r.buf.drain(..start);
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                if let Some(end) = find_blank_line_end(r.buf) {
                    r.buf.drain(..end);
                    return Ok(body);
                }
                if r.buf.len() > MAX_HEAD {
                    return Err(transport(url, "trailers too large"));
                }
                if !r.fill(deadline, timeout, url)? {
                    return Err(transport(url, "connection closed in the body"));
                }
            }
        }
        if (body.len() as u64).saturating_add(size) > limit {
            return Err(HttpError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let size = usize::try_from(size).map_err(|_| transport(url, "chunk too large"))?;
        // The chunk and its CRLF.
        while r.buf.len() < size + 2 {
            if !r.fill_for(size + 2 - r.buf.len(), deadline, timeout, url)? {
                return Err(transport(url, "connection closed in the body"));
            }
        }
        if &r.buf[size..size + 2] != b"\r\n" {
            return Err(transport(url, "malformed chunked body"));
        }
        body.extend_from_slice(&r.buf[..size]);
        r.buf.drain(..size + 2);
    }
}

/// After the last chunk: the end of the (possibly empty) trailer section.
fn find_blank_line_end(buf: &[u8]) -> Option<usize> {
    if buf.starts_with(b"\r\n") {
        return Some(2);
    }
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Parses `bytes` as one answer (for the fuzz target): must never panic.
#[doc(hidden)]
pub fn parse_answer_bytes(bytes: &[u8], limit: u64) -> Result<(u16, usize, bool), String> {
    let mut cursor = io::Cursor::new(bytes);
    let mut buf = Vec::new();
    let mut t = None;
    let mut r = Reader {
        src: &mut cursor,
        buf: &mut buf,
        read_timeout: &mut t,
        got_any: false,
        closed: false,
    };
    parse_answer(&mut r, "http://fuzz/", limit, Duration::from_secs(5))
        .map(|(resp, keep)| (resp.status, resp.body.len(), keep))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    /// Reads one request head from `s` (None: the client closed); returns its path.
    fn read_request(s: &mut std::io::BufReader<TcpStream>) -> Option<String> {
        let mut first = String::new();
        if s.read_line(&mut first).ok()? == 0 {
            return None;
        }
        loop {
            let mut l = String::new();
            if s.read_line(&mut l).ok()? == 0 || l == "\r\n" {
                break;
            }
        }
        first.split(' ').nth(1).map(str::to_string)
    }

    /// A server on 127.0.0.1 that answers each request with `answer(path, n)` (n counts
    /// requests on the connection from 0; None closes it). Returns the base URL and the
    /// number of connections accepted.
    fn server(
        answer: impl Fn(&str, usize) -> Option<Vec<u8>> + Send + Sync + 'static,
    ) -> (String, Arc<AtomicUsize>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let conns = Arc::new(AtomicUsize::new(0));
        let c = conns.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let answer = answer.clone();
                std::thread::spawn(move || {
                    let mut w = s.try_clone().unwrap();
                    let mut r = std::io::BufReader::new(s);
                    for n in 0.. {
                        let Some(path) = read_request(&mut r) else {
                            return;
                        };
                        let Some(a) = answer(&path, n) else { return };
                        if w.write_all(&a).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{addr}"), conns)
    }

    fn ok(body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nX-Test: yes\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn session(timeout: u64) -> Session {
        let mut s = Session::new(&Client::new(Duration::from_secs(timeout)));
        // The tests' servers are local: never through a proxy from the environment.
        s.proxied = false;
        s
    }

    #[test]
    fn one_connection_carries_many_requests() {
        let (url, conns) = server(|path, _| Some(ok(path)));
        let mut s = session(5);
        for i in 0..20 {
            let r = s.get(&format!("{url}/f/{i}?q=1"), &[], 100).unwrap();
            assert_eq!(r.status, 200);
            assert_eq!(r.header("x-test"), Some("yes"));
            assert_eq!(r.body, format!("/f/{i}?q=1").as_bytes());
        }
        assert_eq!(conns.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_connection_the_server_closed_is_replaced_once() {
        // Each connection serves one answer, then the server closes it without saying so.
        let (url, conns) = server(|path, n| (n == 0).then(|| ok(path)));
        let mut s = session(5);
        for i in 0..3 {
            let r = s.get(&format!("{url}/{i}"), &[], 100).unwrap();
            assert_eq!(r.body, format!("/{i}").as_bytes());
        }
        assert_eq!(conns.load(Ordering::SeqCst), 3);
        // A fresh connection that closes unanswered is an error, not retried forever.
        let (url, conns) = server(|_, _| None);
        let e = s.get(&format!("{url}/x"), &[], 100).unwrap_err();
        assert!(matches!(e, HttpError::Transport { .. }), "{e}");
        assert_eq!(conns.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn chunked_bodies_close_and_status_codes() {
        let (url, conns) = server(|path, _| {
            Some(match path {
                "/chunked" => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n".to_vec(),
                "/missing" => b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!".to_vec(),
                "/close" => b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok".to_vec(),
                "/continue" => b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!".to_vec(),
                _ => ok("plain"),
            })
        });
        let mut s = session(5);
        let r = s.get(&format!("{url}/chunked"), &[], 100).unwrap();
        assert_eq!(r.body, b"hello world");
        let r = s.get(&format!("{url}/missing"), &[], 100).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (404, &b"no!"[..]));
        let r = s.get(&format!("{url}/continue"), &[], 100).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"!"[..]));
        assert_eq!(conns.load(Ordering::SeqCst), 1);
        // Connection: close is honoured: the next request opens a new connection.
        let r = s.get(&format!("{url}/close"), &[], 100).unwrap();
        assert_eq!(r.body, b"ok");
        s.get(&format!("{url}/x"), &[], 100).unwrap();
        assert_eq!(conns.load(Ordering::SeqCst), 2);
        // A chunked body over the limit.
        let e = s.get(&format!("{url}/chunked"), &[], 10).unwrap_err();
        assert!(matches!(e, HttpError::TooLarge { limit: 10, .. }), "{e}");
    }

    #[test]
    fn bodies_over_the_limit_are_refused_and_the_session_goes_on() {
        let (url, conns) = server(|path, _| Some(ok(&path.repeat(10))));
        let mut s = session(5);
        let e = s.get(&format!("{url}/abc"), &[], 39).unwrap_err();
        assert!(matches!(e, HttpError::TooLarge { limit: 39, .. }), "{e}");
        let r = s.get(&format!("{url}/abc"), &[], 40).unwrap();
        assert_eq!(r.body.len(), 40);
        // The unread body made the first connection unusable.
        assert_eq!(conns.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_server_that_drips_its_body_is_cut_off() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut w = s.try_clone().unwrap();
            let mut r = std::io::BufReader::new(s);
            read_request(&mut r);
            let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
            for _ in 0..30 {
                if w.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        let start = Instant::now();
        let e = session(1)
            .get(&format!("http://{addr}/x"), &[], 10_000_000)
            .unwrap_err();
        assert!(e.to_string().contains("timeout"), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn headers_are_sent_and_other_urls_go_through_ureq() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let seen2 = seen.clone();
        std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut w = s.try_clone().unwrap();
            let mut r = std::io::BufReader::new(s);
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                seen2.lock().unwrap().push(line.trim_end().to_string());
            }
            w.write_all(&ok("")).unwrap();
        });
        let mut s = session(5);
        s.get(
            &format!("http://{addr}/p"),
            &[("Accept-Encoding", "identity")],
            10,
        )
        .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0], "GET /p HTTP/1.1");
        assert!(seen.contains(&format!("Host: {addr}")), "{seen:?}");
        assert!(
            seen.contains(&"Accept-Encoding: identity".to_string()),
            "{seen:?}"
        );
        assert!(seen.iter().any(|h| h.starts_with("User-Agent: palisade/")));
        // https: ureq's TLS (fails cleanly against a plain server, no panic).
        let (url, _) = server(|p, _| Some(ok(p)));
        let e = s
            .get(&url.replace("http://", "https://"), &[], 10)
            .unwrap_err();
        assert!(matches!(e, HttpError::Transport { .. }), "{e}");
    }

    #[test]
    fn urls_taken_and_left_to_ureq() {
        let t = parse_http_url("http://127.0.0.1:8080/a/b?c#frag").unwrap();
        assert_eq!((t.host, t.port, t.path), ("127.0.0.1", 8080, "/a/b?c"));
        let t = parse_http_url("http://[::1]/").unwrap();
        assert_eq!((t.host, t.port, t.authority), ("::1", 80, "[::1]"));
        assert_eq!(parse_http_url("http://example.com").unwrap().path, "/");
        for u in [
            "https://example.com/",
            "http://user:pw@example.com/",
            "http://example.com/a b",
            "http://example.com:99999/",
            "http:///x",
            "http://exa\rmple.com/",
            "http://example.com?q",
        ] {
            assert!(parse_http_url(u).is_none(), "{u}");
        }
    }

    #[test]
    fn truncated_and_corrupted_answers_never_panic_or_exceed_the_limit() {
        // A small deterministic stand-in for the fuzz target (fuzz/fuzz_targets/http_answer.rs).
        let seeds: [&[u8]; 3] = [
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n",
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nto the end",
        ];
        let mut x: u32 = 1;
        for seed in seeds {
            for cut in 0..=seed.len() {
                let _ = parse_answer_bytes(&seed[..cut], 8);
            }
            for _ in 0..2000 {
                let mut b = seed.to_vec();
                for _ in 0..3 {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    let i = x as usize % b.len();
                    b[i] = (x >> 8) as u8;
                }
                if let Ok((_, len, _)) = parse_answer_bytes(&b, 8) {
                    assert!(len <= 8, "{}", String::from_utf8_lossy(&b));
                }
            }
        }
    }

    #[test]
    fn answers_parsed_from_bytes() {
        let p = |b: &[u8]| parse_answer_bytes(b, 100);
        assert_eq!(
            p(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
            Ok((200, 2, true))
        );
        // HTTP/1.0 closes unless asked; no length: up to the end.
        assert_eq!(p(b"HTTP/1.0 200 OK\r\n\r\nabc"), Ok((200, 3, false)));
        assert_eq!(
            p(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"),
            Ok((200, 0, true))
        );
        // Extra bytes after the body: not reused.
        assert_eq!(
            p(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab"),
            Ok((200, 1, false))
        );
        assert_eq!(
            p(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"),
            Ok((304, 0, true))
        );
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            b"garbage\r\n\r\n",
            b"",
        ] {
            assert!(p(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(
            p(b"HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n")
                .unwrap_err()
                .contains("larger")
        );
    }
}
