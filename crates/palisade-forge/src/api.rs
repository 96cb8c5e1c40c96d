//! Where forge answers come from: the live REST API ([`HttpApi`]), a directory of answers
//! exported earlier ([`DirApi`]), and a recorder that writes what it reads
//! ([`Recorder`], behind `palisade forge export`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// Largest answer read: 8 MiB.
pub const ANSWER_LIMIT: u64 = 8 * 1024 * 1024;
/// Most pages followed for one listing.
pub const MAX_PAGES: usize = 20;

/// Why a question got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 401: the token is missing, wrong or expired.
    #[error("the forge refused the token (HTTP 401: {0})")]
    Unauthorized(String),
    /// 403/429 with the rate limit exhausted.
    #[error("the forge's API rate limit is exhausted{}", .0.as_deref().map(|r| format!(" (resets at {r})")).unwrap_or_default())]
    RateLimited(Option<String>),
    /// 403: the token may not read this.
    #[error("the token may not read {path} (HTTP 403: {message})")]
    Forbidden {
        /// The API path.
        path: String,
        /// The forge's message.
        message: String,
    },
    /// 404.
    #[error("{path}: not found (HTTP 404: {message})")]
    NotFound {
        /// The API path.
        path: String,
        /// The forge's message (GitHub says "Branch not protected" for an unprotected branch).
        message: String,
    },
    /// Exported data has no answer for this question.
    #[error("{0}: not in the exported forge data")]
    NotExported(String),
    /// Any other status.
    #[error("{path}: HTTP {status}: {message}")]
    Status {
        /// The API path.
        path: String,
        /// The status.
        status: u16,
        /// The forge's message.
        message: String,
    },
    /// Network, TLS or an answer that is not the JSON expected.
    #[error("{0}")]
    Transport(String),
}

impl ApiError {
    /// Errors after which asking more questions is pointless (bad token, rate limit).
    pub fn is_fatal(&self) -> bool {
        matches!(self, ApiError::Unauthorized(_) | ApiError::RateLimited(_))
    }
}

/// One page of an answer.
#[derive(Debug, Clone)]
pub struct Page {
    /// The JSON body.
    pub body: Value,
    /// The API path of the next page, if any.
    pub next: Option<String>,
}

/// A source of forge answers. `path` is relative to the API root
/// (`repos/OWNER/NAME/branches/main/protection`, optionally with `?query`).
pub trait Api {
    /// One page.
    fn get(&self, path: &str) -> Result<Page, ApiError>;

    /// Every page of a listing (arrays concatenated), up to [`MAX_PAGES`].
    fn get_all(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        self.get_some(path, usize::MAX)
    }

    /// Pages of a listing until it holds at least `want` items (or ends, or
    /// [`MAX_PAGES`]).
    fn get_some(&self, path: &str, want: usize) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        let mut pages = 0;
        while let Some(p) = next.take() {
            if pages == MAX_PAGES || out.len() >= want {
                break;
            }
            pages += 1;
            let page = self.get(&p)?;
            match page.body {
                Value::Array(items) => out.extend(items),
                other => {
                    return Err(ApiError::Transport(format!(
                        "{p}: expected a JSON array, got {}",
                        kind(&other)
                    )));
                }
            }
            next = page.next;
        }
        Ok(out)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `want` for [`Asker::ask`]: a single page, not a listing.
pub(crate) const ONE: usize = 0;

/// Asks one source question after question, and stops asking after an answer that makes
/// further questions pointless ([`ApiError::is_fatal`]: a refused token, an exhausted
/// rate limit), returning that error for every later question.
pub(crate) struct Asker<'a> {
    api: &'a dyn Api,
    fatal: Option<ApiError>,
}

impl<'a> Asker<'a> {
    pub(crate) fn new(api: &'a dyn Api) -> Self {
        Asker { api, fatal: None }
    }

    /// One page (`want` = [`ONE`]) or pages until `want` items.
    pub(crate) fn ask(&mut self, path: &str, want: usize) -> Result<Value, ApiError> {
        if let Some(e) = &self.fatal {
            return Err(e.clone());
        }
        let r = if want > ONE {
            self.api.get_some(path, want).map(Value::Array)
        } else {
            self.api.get(path).map(|p| p.body)
        };
        if let Err(e) = &r
            && e.is_fatal()
        {
            self.fatal = Some(e.clone());
        }
        r
    }
}

/// Which forge's conventions (headers, rate-limit signals) to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// GitHub REST API v3.
    GitHub,
    /// GitLab REST API v4.
    GitLab,
}

/// The live API.
#[derive(Debug, Clone)]
pub struct HttpApi {
    client: palisade_http::Client,
    base: String,
    token: Option<String>,
    flavour: Flavour,
}

impl HttpApi {
    /// An API at `base` (e.g. `https://api.github.com`, `https://gitlab.com/api/v4`).
    pub fn new(flavour: Flavour, base: &str, token: Option<String>) -> HttpApi {
        HttpApi {
            client: palisade_http::Client::new(Duration::from_secs(30)),
            base: base.trim_end_matches('/').to_string(),
            token,
            flavour,
        }
    }

    fn message(body: &[u8]) -> String {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => v
                .get("message")
                .or_else(|| v.get("error"))
                .map(|m| match m {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default(),
            Err(_) => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        }
    }

    /// The API-relative path of an absolute URL on our base, or `None` for another
    /// origin (whose links are never followed: the token must not leave the forge).
    fn relative<'a>(&self, url: &'a str) -> Option<&'a str> {
        url.strip_prefix(&self.base)?.strip_prefix('/')
    }

    fn next_link(&self, link: &str) -> Option<String> {
        for part in link.split(',') {
            let mut pieces = part.split(';');
            let url = pieces.next()?.trim();
            if pieces.any(|p| p.trim() == "rel=\"next\"") {
                let url = url.strip_prefix('<')?.strip_suffix('>')?;
                return self.relative(url).map(str::to_string);
            }
        }
        None
    }
}

impl Api for HttpApi {
    fn get(&self, path: &str) -> Result<Page, ApiError> {
        let url = format!("{}/{}", self.base, path);
        let mut headers: Vec<(&str, String)> = Vec::new();
        match self.flavour {
            Flavour::GitHub => {
                headers.push(("Accept", "application/vnd.github+json".into()));
                headers.push(("X-GitHub-Api-Version", "2022-11-28".into()));
                if let Some(t) = &self.token {
                    headers.push(("Authorization", format!("Bearer {t}")));
                }
            }
            Flavour::GitLab => {
                if let Some(t) = &self.token {
                    headers.push(("PRIVATE-TOKEN", t.clone()));
                }
            }
        }
        let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let resp = self
            .client
            .get(&url, &hdrs, ANSWER_LIMIT)
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let message = || Self::message(&resp.body);
        let reset = || {
            resp.header("x-ratelimit-reset")
                .or_else(|| resp.header("ratelimit-reset"))
                .map(|r| match r.parse::<u64>() {
                    Ok(secs) => palisade_io::rfc3339(secs),
                    Err(_) => r.to_string(),
                })
                .or_else(|| resp.header("retry-after").map(|s| format!("in {s} s")))
        };
        match resp.status {
            200..=299 => {}
            401 => return Err(ApiError::Unauthorized(message())),
            429 => return Err(ApiError::RateLimited(reset())),
            403 if resp.header("x-ratelimit-remaining") == Some("0")
                || resp.header("ratelimit-remaining") == Some("0")
                || message().to_ascii_lowercase().contains("rate limit") =>
            {
                return Err(ApiError::RateLimited(reset()));
            }
            403 => {
                return Err(ApiError::Forbidden {
                    path: path.to_string(),
                    message: message(),
                });
            }
            404 => {
                return Err(ApiError::NotFound {
                    path: path.to_string(),
                    message: message(),
                });
            }
            status => {
                return Err(ApiError::Status {
                    path: path.to_string(),
                    status,
                    message: message(),
                });
            }
        }
        let body: Value = serde_json::from_slice(&resp.body)
            .map_err(|e| ApiError::Transport(format!("{url}: not JSON: {e}")))?;
        let next = resp.header("link").and_then(|l| self.next_link(l));
        Ok(Page { body, next })
    }
}

/// Answers exported earlier (`palisade forge export`, or `gh api PATH > DIR/PATH.json`):
/// the answer to `PATH?query` is the file `DIR/PATH.json` (listings hold every page as
/// one array). An error answer is the forge's error object (`{"message": ...}`) with a
/// `"status"` member (GitHub writes one; the exporter adds it).
#[derive(Debug, Clone)]
pub struct DirApi {
    root: PathBuf,
}

impl DirApi {
    /// Answers under `root`.
    pub fn new(root: &Path) -> DirApi {
        DirApi {
            root: root.to_path_buf(),
        }
    }

    /// The file holding the answer to `path`, or `None` for a path that would leave the
    /// directory.
    pub fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
        let bare = path.split('?').next().unwrap_or(path);
        let mut file = root.to_path_buf();
        for seg in bare.split('/') {
            if seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\') {
                return None;
            }
            file.push(seg);
        }
        let name = file.file_name()?.to_string_lossy().into_owned();
        file.set_file_name(format!("{name}.json"));
        Some(file)
    }
}

impl Api for DirApi {
    fn get(&self, path: &str) -> Result<Page, ApiError> {
        let file = Self::file_for(&self.root, path)
            .ok_or_else(|| ApiError::Transport(format!("{path}: not a plain API path")))?;
        if !file.exists() {
            return Err(ApiError::NotExported(path.to_string()));
        }
        let bytes = palisade_io::read_limited(&file, ANSWER_LIMIT)
            .map_err(|e| ApiError::Transport(format!("{}: {e}", file.display())))?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::Transport(format!("{}: not JSON: {e}", file.display())))?;
        if let Some(status) = error_status(&body) {
            let message = body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            return Err(match status {
                401 => ApiError::Unauthorized(message),
                403 => ApiError::Forbidden {
                    path: path.to_string(),
                    message,
                },
                404 => ApiError::NotFound {
                    path: path.to_string(),
                    message,
                },
                status => ApiError::Status {
                    path: path.to_string(),
                    status,
                    message,
                },
            });
        }
        Ok(Page { body, next: None })
    }
}

/// The status of an exported error answer: an object with a `message` and a numeric or
/// string `status` of 400 or more.
fn error_status(body: &Value) -> Option<u16> {
    let obj = body.as_object()?;
    obj.get("message")?;
    let status = match obj.get("status")? {
        Value::String(s) => s.parse::<u16>().ok()?,
        Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
        _ => return None,
    };
    (status >= 400).then_some(status)
}

/// Asks `inner` and writes every answer (and 403/404 error answers) under a directory in
/// [`DirApi`]'s layout, atomically, so the audit can later run offline on it.
pub struct Recorder<'a> {
    inner: &'a dyn Api,
    root: PathBuf,
    written: std::cell::RefCell<Vec<String>>,
}

impl<'a> Recorder<'a> {
    /// Records `inner`'s answers under `root`.
    pub fn new(inner: &'a dyn Api, root: &Path) -> Recorder<'a> {
        Recorder {
            inner,
            root: root.to_path_buf(),
            written: Default::default(),
        }
    }

    /// The API paths written, in order.
    pub fn written(&self) -> Vec<String> {
        self.written.borrow().clone()
    }

    fn write(&self, path: &str, body: &Value) -> Result<(), ApiError> {
        let file = DirApi::file_for(&self.root, path)
            .ok_or_else(|| ApiError::Transport(format!("{path}: not a plain API path")))?;
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| ApiError::Transport(format!("{}: {e}", dir.display())))?;
        }
        let mut text = serde_json::to_string_pretty(body).unwrap_or_default();
        text.push('\n');
        palisade_io::write_atomic(
            &file,
            text.as_bytes(),
            palisade_io::WriteOptions {
                overwrite: true,
                mode: None,
            },
        )
        .map_err(|e| ApiError::Transport(format!("{}: {e}", file.display())))?;
        self.written.borrow_mut().push(path.to_string());
        Ok(())
    }

    fn record_error(&self, path: &str, e: &ApiError) -> Result<(), ApiError> {
        let (status, message) = match e {
            ApiError::Forbidden { message, .. } => (403, message),
            ApiError::NotFound { message, .. } => (404, message),
            _ => return Ok(()),
        };
        self.write(
            path,
            &serde_json::json!({"message": message, "status": status.to_string()}),
        )
    }
}

impl Api for Recorder<'_> {
    fn get(&self, path: &str) -> Result<Page, ApiError> {
        match self.inner.get(path) {
            Ok(page) => {
                self.write(path, &page.body)?;
                Ok(page)
            }
            Err(e) => {
                self.record_error(path, &e)?;
                Err(e)
            }
        }
    }

    fn get_some(&self, path: &str, want: usize) -> Result<Vec<Value>, ApiError> {
        match self.inner.get_some(path, want) {
            Ok(items) => {
                self.write(path, &Value::Array(items.clone()))?;
                Ok(items)
            }
            Err(e) => {
                self.record_error(path, &e)?;
                Err(e)
            }
        }
    }
}
