//! The one HTTP(S) client of Palisade.
//!
//! Every command that talks to a server (the TUF client, forge APIs) goes through
//! [`Client`], so they share one policy:
//!
//! * TLS by rustls with the aws-lc-rs provider (the trust core's crypto) and the
//!   platform's certificate roots (`rustls-platform-verifier`: the system store, so a
//!   corporate CA installed on the machine is honoured); plain `http://` is allowed too,
//!   for loopback test servers and mirrors the user names explicitly;
//! * a connect timeout, and the same time limit on each later phase of a request
//!   (sending it, awaiting the answer's head, receiving its body), so a request ends
//!   within about three times the limit given; name resolution is the system's
//!   (`getaddrinfo`, bounded by its own resolver timeouts). No overall ureq timeout is
//!   set on purpose: with one, ureq resolves every request on a new thread, even on a
//!   reused connection, which cost a thread per target download;
//! * bodies read up to a limit the caller gives, never more ([`HttpError::TooLarge`]);
//! * no redirects followed silently across hosts (callers that send credentials must not
//!   leak them): ureq follows none, a 3xx answer is returned as is.
//!
//! A thread that makes many requests in a row (a TUF target download thread) uses a
//! [`Session`]: the same policy and answers, one kept-alive plain-HTTP connection of its
//! own and one write and usually one read per request (HTTP/1.1 answers read with
//! `httparse`); `https://` and proxied requests go through [`Client`].
//!
//! Not here: what the answers mean (the TUF client and `palisade-forge` decide).

use std::sync::Arc;
use std::time::Duration;

mod session;
pub use session::Session;
#[doc(hidden)]
pub use session::parse_answer_bytes;

/// What went wrong talking to a server.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The body was larger than the caller's limit.
    #[error("{url}: answer larger than {limit} bytes")]
    TooLarge {
        /// The URL asked.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// Connection, TLS, timeout or protocol failure.
    #[error("{url}: {message}")]
    Transport {
        /// The URL asked.
        url: String,
        /// What failed.
        message: String,
    },
}

/// An answer: status, headers (names in lower case) and the body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Header names (lower case) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, at most the limit given.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A blocking HTTP(S) client.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    user_agent: String,
    /// The limit on each phase of a request.
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl Client {
    /// A client with a 10 s connect timeout and `timeout` on each phase of a request
    /// (send, answer head, body).
    pub fn new(timeout: Duration) -> Client {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(provider)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_send_request(Some(timeout))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .max_idle_connections_per_host(16)
            .tls_config(tls)
            .build()
            .into();
        Client {
            agent,
            user_agent: format!("palisade/{}", env!("CARGO_PKG_VERSION")),
            timeout,
        }
    }

    /// GET `url` with extra `headers`, reading at most `limit` bytes of body.
    pub fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        limit: u64,
    ) -> Result<Response, HttpError> {
        let transport = |message: String| HttpError::Transport {
            url: url.to_string(),
            message,
        };
        let mut req = self.agent.get(url).header("User-Agent", &self.user_agent);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.call().map_err(|e| transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(limit.saturating_add(1))
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => HttpError::TooLarge {
                    url: url.to_string(),
                    limit,
                },
                other => transport(other.to_string()),
            })?;
        if body.len() as u64 > limit {
            return Err(HttpError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// One connection on 127.0.0.1: reads the request, then `answer` writes to it.
    fn serve_with(answer: impl FnOnce(&mut std::net::TcpStream) + Send + 'static) -> String {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            answer(&mut s);
        });
        format!("http://{addr}/x")
    }

    fn serve_once(answer: &'static [u8]) -> String {
        serve_with(move |s| s.write_all(answer).unwrap())
    }

    #[test]
    fn reads_status_headers_and_bounded_body() {
        let url =
            serve_once(b"HTTP/1.1 404 Not Found\r\nX-Thing: A\r\nContent-Length: 5\r\n\r\nhello");
        let r = Client::new(Duration::from_secs(5))
            .get(&url, &[], 100)
            .unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(r.header("x-thing"), Some("A"));
        assert_eq!(r.body, b"hello");
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        let e = Client::new(Duration::from_secs(5))
            .get(&url, &[], 3)
            .unwrap_err();
        assert!(matches!(e, HttpError::TooLarge { limit: 3, .. }), "{e}");
    }

    #[test]
    fn redirects_are_not_followed() {
        let url = serve_once(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n",
        );
        let r = Client::new(Duration::from_secs(5))
            .get(&url, &[], 100)
            .unwrap();
        assert_eq!(r.status, 302);
    }

    #[test]
    fn https_client_builds_with_platform_roots() {
        // A TLS handshake against a plain-TCP server fails cleanly (no panic): the TLS
        // stack and the platform verifier are configured.
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .replace("http://", "https://");
        let e = Client::new(Duration::from_secs(5))
            .get(&url, &[], 100)
            .unwrap_err();
        assert!(matches!(e, HttpError::Transport { .. }), "{e}");
    }

    #[test]
    fn a_server_that_drips_its_body_is_cut_off() {
        // Headers at once, then one byte a second of a body announced as 1 MB: the body
        // phase's limit ends the request (no overall timeout is configured).
        let url = serve_with(|s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
            for _ in 0..30 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        let start = std::time::Instant::now();
        let e = Client::new(Duration::from_secs(1))
            .get(&url, &[], 10_000_000)
            .unwrap_err();
        assert!(matches!(e, HttpError::Transport { .. }), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }
}
