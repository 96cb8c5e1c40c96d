//! A fake forge API on 127.0.0.1 serving recorded answers from a directory, in the
//! layout of `palisade_forge::DirApi` (`PATH.json` for `GET /PATH?query`).
//!
//! Listings (JSON arrays) are paginated by `per_page` (at most [`PAGE`]) with GitHub's
//! `Link: <…>; rel="next"` header, so clients must follow pages. Error answers recorded
//! as `{"message", "status"}` are served with that status. A wrong token gets 401; a
//! server started with [`Mode::RateLimited`] answers every request with GitHub's 403
//! rate-limit reply.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Most items per page, whatever `per_page` asks.
pub const PAGE: usize = 2;

/// How the server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Serve the recorded answers.
    Normal,
    /// Every answer is the rate-limit reply.
    RateLimited,
}

/// A running fake forge; stopped when dropped.
pub struct ForgeServer {
    /// `http://127.0.0.1:PORT` (the API root).
    pub base: String,
    /// Requests served so far.
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ForgeServer {
    /// Serves `root`; requests must carry `Authorization: Bearer <token>` (GitHub) or
    /// `PRIVATE-TOKEN: <token>` (GitLab) when `token` is set.
    pub fn start(root: &Path, token: Option<&str>, mode: Mode) -> ForgeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (root, token, stop2, req2, base2) = (
            root.to_path_buf(),
            token.map(str::to_string),
            stop.clone(),
            requests.clone(),
            base.clone(),
        );
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                req2.fetch_add(1, Ordering::SeqCst);
                let _ = serve(stream, &root, token.as_deref(), mode, &base2);
            }
        });
        ForgeServer {
            base,
            requests,
            stop,
            addr,
            thread: Some(thread),
        }
    }
}

impl Drop for ForgeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn respond(
    mut s: TcpStream,
    status: u16,
    extra: &[(String, String)],
    body: &str,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Other",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())
}

fn serve(
    stream: TcpStream,
    root: &Path,
    token: Option<&str>,
    mode: Mode,
    base: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut auth = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            let v = v.trim().to_string();
            if k == "authorization" {
                auth = v.strip_prefix("Bearer ").map(str::to_string);
            } else if k == "private-token" {
                auth = Some(v);
            }
        }
    }
    if mode == Mode::RateLimited {
        return respond(
            stream,
            403,
            &[
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), "1767225600".into()),
            ],
            r#"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}"#,
        );
    }
    if let Some(t) = token
        && auth.as_deref() != Some(t)
    {
        return respond(
            stream,
            401,
            &[],
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#,
        );
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let path = path.trim_start_matches('/');
    let file: PathBuf = {
        let mut f = root.to_path_buf();
        for seg in path.split('/') {
            // GitLab paths carry %2F-encoded project ids: keep them as written.
            f.push(seg);
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        f.set_file_name(format!("{name}.json"));
        f
    };
    let Ok(text) = std::fs::read_to_string(&file) else {
        return respond(
            stream,
            404,
            &[],
            r#"{"message":"Not Found","status":"404"}"#,
        );
    };
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    if let Some(status) = body
        .get("status")
        .and_then(|s| s.as_str())
        .and_then(|s| s.parse::<u16>().ok())
        && body.get("message").is_some()
        && status >= 400
    {
        return respond(stream, status, &[], &text);
    }
    let serde_json::Value::Array(items) = body else {
        return respond(stream, 200, &[], &text);
    };
    let param = |k: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let per = param("per_page").unwrap_or(30).clamp(1, PAGE);
    let page = param("page").unwrap_or(1).max(1);
    let chunk: Vec<_> = items
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .cloned()
        .collect();
    let mut extra = Vec::new();
    if page * per < items.len() {
        let rest: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.starts_with("page=") && !kv.is_empty())
            .collect();
        let mut q = rest.join("&");
        if !q.is_empty() {
            q.push('&');
        }
        extra.push((
            "Link".to_string(),
            format!("<{base}/{path}?{q}page={}>; rel=\"next\"", page + 1),
        ));
    }
    respond(
        stream,
        200,
        &extra,
        &serde_json::Value::Array(chunk).to_string(),
    )
}
