//! A small, strict parser for the two base URLs in [`Config`](crate::Config). Public so
//! that a caller (a test, a tool) can check a URL exactly as `Config` will.
//!
//! Only what the SDK needs: scheme, host, optional port, optional path. No user info,
//! query or fragment. Plain-text schemes are accepted for loopback hosts only, unless
//! the caller allows them.

use std::net::IpAddr;

/// A parsed absolute URL with an allowed scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    full: String,
    scheme_len: usize,
    host: String,
    port: Option<u16>,
    path: String,
}

impl BaseUrl {
    /// Parses `url`. `schemes[0]` is the secure scheme, `schemes[1]` the plain one.
    pub fn parse(url: &str, schemes: &[&str; 2], allow_plain: bool) -> Result<BaseUrl, String> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or("not an absolute URL")?;
        let scheme = scheme.to_ascii_lowercase();
        if !schemes.contains(&scheme.as_str()) {
            return Err(format!("the scheme must be {} or {}", schemes[0], schemes[1]));
        }
        if rest.contains(['?', '#', '@']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("query, fragment, user info, spaces and control characters are not allowed".into());
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return Err("the host is missing".into());
        }
        let loopback = is_loopback(&host);
        if scheme == schemes[1] && !loopback && !allow_plain {
            return Err(format!(
                "{}:// is only allowed for loopback hosts; use {}:// (or allow_insecure_http(true))",
                schemes[1], schemes[0]
            ));
        }
        let path = path.trim_end_matches('/').to_owned();
        let mut full = format!("{scheme}://{authority}");
        full.push_str(&path);
        Ok(BaseUrl {
            scheme_len: scheme.len(),
            full,
            host,
            port,
            path,
        })
    }

    /// The URL as a string, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.full
    }
    /// `https`, `http`, `wss` or `ws`.
    pub fn scheme(&self) -> &str {
        &self.full[..self.scheme_len]
    }
    /// The host, without brackets for IPv6.
    pub fn host(&self) -> &str {
        &self.host
    }
    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
    /// The authority as written: host (IPv6 in brackets) and the port if one was given,
    /// what an HTTP/1.1 `Host` header carries.
    pub fn authority(&self) -> &str {
        let start = self.scheme_len + "://".len();
        &self.full[start..self.full.len() - self.path.len()]
    }
    /// The path (empty or starting with `/`, no trailing slash).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Drops a trailing `/v1` (the API's paths already start with it), and the slashes
    /// before it (`https://host//v1` is `https://host`, never `https://host/`); repeated
    /// (`/v1/v1` too), so the result never ends in `/v1`.
    pub(crate) fn without_v1(mut self) -> BaseUrl {
        while self.path.ends_with("/v1") {
            let kept = self.path[..self.path.len() - 3].trim_end_matches('/').len();
            let cut = self.path.len() - kept;
            self.path.truncate(kept);
            let full = self.full.len() - cut;
            self.full.truncate(full);
        }
        self
    }
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or("unclosed [ in host")?;
        let port = match after {
            "" => None,
            a => Some(
                a.strip_prefix(':')
                    .ok_or_else(|| format!("{a:?} after the ] of the host"))?,
            ),
        };
        (h, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?),
        None => None,
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authority_is_the_host_header_as_written() {
        for (url, authority) in [
            ("https://tts-rt.soniox.com", "tts-rt.soniox.com"),
            ("http://127.0.0.1:8080/base/", "127.0.0.1:8080"),
            ("http://[::1]:9/x", "[::1]:9"),
        ] {
            let u = BaseUrl::parse(url, &["https", "http"], false).unwrap();
            assert_eq!(u.authority(), authority, "{url}");
        }
    }
    const HTTP: [&str; 2] = ["https", "http"];

    #[test]
    fn parses_host_port_and_path() {
        let u = BaseUrl::parse("https://api.soniox.com:8443/base/", &HTTP, false).unwrap();
        assert_eq!(
            (u.scheme(), u.host(), u.port(), u.path()),
            ("https", "api.soniox.com", Some(8443), "/base")
        );
        assert_eq!(u.as_str(), "https://api.soniox.com:8443/base");
        let u = BaseUrl::parse("http://[::1]:80", &HTTP, false).unwrap();
        assert_eq!(u.host(), "::1");
    }

    #[test]
    fn a_trailing_v1_goes_with_the_slashes_before_it() {
        // Found by the `config` fuzz target: `//v1` left a trailing slash behind.
        for (url, want) in [
            ("https://h/v1", "https://h"),
            ("https://h//v1", "https://h"),
            ("https://h/$/v//v1/", "https://h/$/v"),
            ("https://h/base/v1", "https://h/base"),
            ("https://h/v2", "https://h/v2"),
            ("https://h/x/v1//v1", "https://h/x"),
        ] {
            let u = BaseUrl::parse(url, &HTTP, false).unwrap().without_v1();
            assert_eq!(u.as_str(), want, "{url}");
            assert!(!u.path().ends_with('/'), "{url}");
        }
    }

    #[test]
    fn refuses_malformed_urls() {
        for bad in [
            "",
            "api.soniox.com",
            "https://",
            "https://h:99999",
            "https://u@h",
            "https://h/?q",
            "https://h h",
            "https://[::1]g/v1",
        ] {
            assert!(BaseUrl::parse(bad, &HTTP, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("127.0.0.1") && is_loopback("127.8.9.1") && is_loopback("::1") && is_loopback("LOCALHOST"));
        assert!(!is_loopback("10.0.0.1") && !is_loopback("localhost.example.com"));
    }
}
