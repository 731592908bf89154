//! The HTTP `CONNECT` exchange that opens a tunnel through a proxy, sans-IO
//! ([`ConnectTunnel`]). Which proxy a connection takes, and the proxy URL and `NO_PROXY`
//! rules, are the configuration's: [`crate::config::proxy`].
//!
//! ```
//! use soniox::config::proxy::{NoProxy, Proxies, Proxy};
//! use soniox::core::proxy::ConnectTunnel;
//!
//! let proxy = Proxy::parse("http://me:s%40cret@proxy.corp:3128").unwrap();
//! let proxies = Proxies::new(Some(proxy.clone()), Some(proxy), NoProxy::parse(".internal, 10.0.0.0/8").unwrap());
//! assert!(proxies.for_target(true, "api.soniox.com", 443).is_some());
//! assert!(proxies.for_target(true, "svc.internal", 443).is_none());
//! assert!(proxies.for_target(false, "10.2.3.4", 80).is_none());
//!
//! // The tunnel: bytes to write, then the proxy's answer, fed as it arrives.
//! let mut tunnel = ConnectTunnel::new(proxies.for_target(true, "api.soniox.com", 443).unwrap(), "api.soniox.com", 443);
//! assert!(tunnel.request().starts_with(b"CONNECT api.soniox.com:443 HTTP/1.1\r\nHost: api.soniox.com:443\r\n"));
//! assert_eq!(tunnel.feed(b"HTTP/1.1 200 Connection established\r\n\r\n"), Ok(Some(39)));
//! // A refusal is a typed error that never shows the credentials.
//! let mut tunnel = ConnectTunnel::new(&Proxy::parse("http://me:s%40cret@proxy.corp:3128").unwrap(), "api.soniox.com", 443);
//! let refused = tunnel.feed(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").unwrap_err();
//! assert_eq!(refused.status, Some(407));
//! assert!(!refused.to_string().contains("cret"));
//! ```

use std::fmt;

use crate::config::proxy::{authority, Proxy};
use crate::error::ProxyError;

/// The longest `CONNECT` answer head (status line and headers) accepted from a proxy.
pub const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// One `CONNECT` exchange with a proxy, sans-IO: write [`request`](Self::request), then
/// read the answer and [`feed`](Self::feed) it until it says the tunnel is open (or why
/// not). A driver reading straight from a socket reads at most
/// [`read_limit`](Self::read_limit) bytes at a time: then it never reads past the
/// answer's head, and the socket holds exactly the tunnel's bytes afterwards.
#[derive(Clone)]
pub struct ConnectTunnel {
    request: Vec<u8>,
    head: Vec<u8>,
    proxy: String,
    target: String,
    with_credentials: bool,
}

impl fmt::Debug for ConnectTunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectTunnel")
            .field("proxy", &self.proxy)
            .field("target", &self.target)
            .field("head_bytes", &self.head.len())
            .finish_non_exhaustive()
    }
}

impl ConnectTunnel {
    /// A tunnel through `proxy` to `host:port` (an IPv6 host with or without brackets).
    pub fn new(proxy: &Proxy, host: &str, port: u16) -> ConnectTunnel {
        let target = authority(host.trim_matches(['[', ']']), port);
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some((user, password)) = proxy.credentials() {
            request.push_str("Proxy-Authorization: Basic ");
            request.push_str(&base64(format!("{user}:{password}").as_bytes()));
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        ConnectTunnel {
            request: request.into_bytes(),
            head: Vec::new(),
            proxy: proxy.to_string(),
            target,
            with_credentials: proxy.credentials().is_some(),
        }
    }

    /// The request to write (it holds the credentials: never log it).
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// The most bytes the next read may take without reading past the answer's head
    /// (1 or 2).
    pub fn read_limit(&self) -> usize {
        // The head ends at the first "\r\n\r\n" or "\n\n". After a '\n', one more byte
        // may end it; after anything else, no fewer than two.
        if self.head.last() == Some(&b'\n') || self.head.ends_with(b"\r\n\r") {
            1
        } else {
            2
        }
    }

    /// Takes bytes read from the proxy. `Ok(None)`: the answer's head is not complete
    /// yet; `Ok(Some(used))`: the tunnel is open, and the first `used` of `bytes` were the
    /// head's end (the rest, if any, already came through the tunnel); `Err`: the proxy
    /// refused (its status in [`ProxyError::status`]) or did not answer in HTTP.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Option<usize>, ProxyError> {
        let before = self.head.len();
        let room = (MAX_CONNECT_HEAD + 4).saturating_sub(before);
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        let Some(end) = head_end(&self.head, before.saturating_sub(3)) else {
            if self.head.len() > MAX_CONNECT_HEAD {
                return Err(self.error(
                    None,
                    false,
                    format!("its answer to CONNECT has a head larger than {MAX_CONNECT_HEAD} bytes"),
                ));
            }
            return Ok(None);
        };
        self.head.truncate(end);
        let (status, reason) = self.status_line()?;
        if (200..300).contains(&status) {
            return Ok(Some(end - before));
        }
        let mut message = format!("refused the tunnel: {status} {reason}");
        if status == 407 {
            message.push_str(if self.with_credentials {
                " (the proxy did not accept the credentials in the proxy URL)"
            } else {
                " (the proxy wants credentials: put them in the proxy URL, http://user:password@host:port)"
            });
        }
        Err(self.error(Some(status), matches!(status, 502..=504), message))
    }

    /// The error for a proxy that closed the connection before its answer was complete.
    pub fn closed(&self) -> ProxyError {
        self.error(None, true, "closed the connection before answering CONNECT".into())
    }

    /// The error for a proxy that could not be reached (refused, unreachable, reset):
    /// `why` is the I/O error.
    pub fn unreachable(&self, why: impl fmt::Display) -> ProxyError {
        self.error(None, true, format!("could not be reached ({why})"))
    }

    fn status_line(&self) -> Result<(u16, String), ProxyError> {
        let line = self.head.split(|b| *b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        let mut parts = line.trim_end_matches('\r').splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status = parts
            .next()
            .filter(|s| s.len() == 3)
            .and_then(|s| s.parse::<u16>().ok())
            .filter(|s| (100..600).contains(s));
        match status {
            Some(status) if version.starts_with("HTTP/1.") => {
                let reason: String = parts
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| c.is_ascii_graphic() || *c == ' ')
                    .take(200)
                    .collect();
                Ok((status, reason))
            }
            _ => Err(self.error(None, false, "its answer to CONNECT is not HTTP/1.x".into())),
        }
    }

    fn error(&self, status: Option<u16>, retryable: bool, message: String) -> ProxyError {
        ProxyError {
            proxy: self.proxy.clone(),
            target: self.target.clone(),
            status,
            message,
            retryable,
        }
    }
}

/// The end (exclusive) of the first "\r\n\r\n" or "\n\n" in `buf` at or after `from`.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len()).find_map(|i| {
        let rest = &buf[i..];
        if rest.starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if rest.starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        }
    })
}

/// Standard base64 with padding (RFC 4648), for `Proxy-Authorization: Basic`.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy(url: &str) -> Proxy {
        Proxy::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, out) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(base64(input.as_bytes()), out, "{input:?}");
        }
    }

    #[test]
    fn the_connect_request_names_the_target_and_carries_basic_credentials() {
        let t = ConnectTunnel::new(&proxy("http://Aladdin:open%20sesame@p:1"), "::1", 8443);
        assert_eq!(
            t.request(),
            b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
        );
        assert!(!format!("{t:?}").contains("QWxh"));
        let t = ConnectTunnel::new(&proxy("http://p:1"), "127.0.0.1", 80);
        assert_eq!(
            t.request(),
            b"CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n"
        );
    }

    #[test]
    fn reading_by_read_limit_never_passes_the_head_and_leftovers_are_reported() {
        for answer in [
            &b"HTTP/1.1 200 Connection established\r\n\r\n"[..],
            b"HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n",
            b"HTTP/1.1 200 OK\n\n",
            b"HTTP/1.1 204 \r\nA: \r\n\r\n",
        ] {
            let mut wire = answer.to_vec();
            wire.extend_from_slice(b"TUNNEL BYTES");
            let mut t = ConnectTunnel::new(&proxy("http://p:1"), "h", 1);
            let mut at = 0;
            let open = loop {
                let n = t.read_limit().min(wire.len() - at);
                assert!(n > 0);
                let used = t.feed(&wire[at..at + n]).unwrap();
                at += n;
                if let Some(used) = used {
                    assert_eq!(used, n, "a bounded read is all head");
                    break at;
                }
            };
            assert_eq!(open, answer.len(), "{:?}", String::from_utf8_lossy(answer));
        }
        // Fed in one piece (a driver with its own buffer): the tunnel's bytes are left.
        let mut t = ConnectTunnel::new(&proxy("http://p:1"), "h", 1);
        assert_eq!(t.feed(b"HTTP/1.1 200 OK\r\n"), Ok(None));
        assert_eq!(t.feed(b"\r\nleft"), Ok(Some(2)));
    }

    #[test]
    fn refusals_and_junk_are_typed_errors() {
        let refuse = |url: &str, answer: &[u8]| {
            let mut t = ConnectTunnel::new(&proxy(url), "api.soniox.com", 443);
            t.feed(answer).unwrap_err()
        };
        let e = refuse(
            "http://u:sekret@p:3128",
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n",
        );
        assert_eq!((e.status, e.is_retryable()), (Some(407), false));
        assert!(e.is_auth_required());
        assert_eq!(
            (e.proxy.as_str(), e.target.as_str()),
            ("http://***:***@p:3128", "api.soniox.com:443")
        );
        assert!(e.to_string().contains("did not accept the credentials"), "{e}");
        assert!(!e.to_string().contains("sekret") && !format!("{e:?}").contains("sekret"));
        let e = refuse("http://p:3128", b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        assert!(e.to_string().contains("wants credentials"), "{e}");
        let e = refuse("http://p:1", b"HTTP/1.1 403 Forbidden\r\n\r\n");
        assert_eq!((e.status, e.is_retryable()), (Some(403), false));
        let e = refuse("http://p:1", b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
        assert_eq!((e.status, e.is_retryable()), (Some(502), true));
        let e = refuse("http://p:1", b"SSH-2.0-OpenSSH\r\n\r\n");
        assert_eq!((e.status, e.is_retryable()), (None, false));
        assert!(e.to_string().contains("not HTTP"), "{e}");
        let e = refuse("http://p:1", b"HTTP/1.1 2000 OK\r\n\r\n");
        assert!(e.to_string().contains("not HTTP"), "{e}");
        let e = refuse("http://p:1", &vec![b'x'; MAX_CONNECT_HEAD + 100]);
        assert!(e.to_string().contains("larger than"), "{e}");
        let t = ConnectTunnel::new(&proxy("http://p:1"), "h", 1);
        assert!(t.closed().is_retryable() && t.unreachable("refused").to_string().contains("refused"));
    }
}
