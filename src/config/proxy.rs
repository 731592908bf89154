//! Proxy settings: which proxy (if any) a connection goes through. Both clients, REST and
//! realtime, ask [`Proxies::for_target`] before opening a socket, then run the core's
//! `ConnectTunnel` (`core::proxy`) over it; no rule here is written
//! anywhere else.
//!
//! # Proxy URLs
//!
//! `http://[user:password@]host[:port][/]` (the port defaults to 80; a URL without a scheme,
//! `proxy.example.com:3128`, is read as `http://`). The user and password are
//! percent-decoded once (`%40` for `@`, `%3A` for `:`) and sent as `Proxy-Authorization:
//! Basic`. `https://` proxies (TLS to the proxy itself) are refused, as is any other scheme
//! (`socks5://`, ...): the tunnel to an `https`/`wss` target carries TLS end to end whatever
//! the link to the proxy is, so the proxy sees only the `CONNECT host:port` line and the
//! proxy credentials, never the API key or a byte of the exchange.
//!
//! # `NO_PROXY` rules ([`NoProxy`])
//!
//! A comma-separated list; spaces around entries and empty entries are ignored; matching is
//! case-insensitive and a trailing `.` of a name is ignored. An entry is one of:
//!
//! - `*`: every host (no proxy at all);
//! - an IP address (`10.1.2.3`, `::1`, `[::1]`): that address, when the URL's host is that
//!   IP literal (names are never resolved to match);
//! - a CIDR block (`10.0.0.0/8`, `fd00::/8`): every IP literal inside it;
//! - a host name, bare or with a leading `.` or `*.` (`example.com`, `.example.com`,
//!   `*.example.com`): that name and every name under it (`api.example.com`,
//!   `a.b.example.com`), never `notexample.com`; names never match IP literals;
//! - any of the above but `*` and CIDR with `:port` (`example.com:8443`, `[::1]:80`): only
//!   that port.
//!
//! Loopback (`localhost`, `127.0.0.1`, `::1`) is **not** excluded implicitly: list it to
//! bypass the proxy for it (as curl and Python's `requests` do; Go excludes it implicitly).
//! An entry that is none of these is refused, never silently ignored.
//!
//! ```
//! use soniox::config::proxy::{NoProxy, Proxies, Proxy};
//!
//! let proxy = Proxy::parse("http://me:s%40cret@proxy.corp:3128").unwrap();
//! let proxies = Proxies::new(Some(proxy.clone()), Some(proxy), NoProxy::parse(".internal, 10.0.0.0/8").unwrap());
//! assert!(proxies.for_target(true, "api.soniox.com", 443).is_some());
//! assert!(proxies.for_target(true, "svc.internal", 443).is_none());
//! assert!(proxies.for_target(false, "10.2.3.4", 80).is_none());
//! ```

use std::fmt;
use std::net::IpAddr;

/// The longest proxy user name or password accepted, in bytes (after percent-decoding).
pub const MAX_CREDENTIAL_BYTES: usize = 1024;

/// An HTTP `CONNECT` proxy: host, port and optional credentials. `Debug` and `Display` never
/// show the credentials (`http://***:***@host:port`).
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    host: String,
    port: u16,
    credentials: Option<(String, String)>,
}

impl Proxy {
    /// The decoded user name and password, if any (for the `CONNECT` request only).
    pub(crate) fn credentials(&self) -> Option<&(String, String)> {
        self.credentials.as_ref()
    }

    /// Parses a proxy URL (see the [module docs](self)). The error never shows the
    /// credentials.
    pub fn parse(url: &str) -> Result<Proxy, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("the proxy URL is empty".into());
        }
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("http".to_owned(), url),
        };
        // From here on, only the redacted form may appear in a message.
        let shown = clip(&redact(url));
        match scheme.as_str() {
            "http" => {}
            "https" => {
                return Err(format!(
                    "proxy {shown}: https:// proxies (TLS to the proxy) are not supported; use an http:// \
                     proxy URL (https and wss still travel end-to-end encrypted inside the tunnel)"
                ))
            }
            _ => {
                return Err(format!(
                    "proxy {shown}: the scheme must be http:// (an HTTP CONNECT proxy); {scheme}:// is not supported"
                ))
            }
        }
        if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("proxy {shown}: spaces and control characters are not allowed"));
        }
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if !path.is_empty() && path != "/" {
            return Err(format!("proxy {shown}: a proxy URL has no path, query or fragment"));
        }
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let credentials = match userinfo {
            None => None,
            Some(info) => {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                let user = percent_decode(user).map_err(|e| format!("proxy {shown}: the user name {e}"))?;
                let password = percent_decode(password).map_err(|e| format!("proxy {shown}: the password {e}"))?;
                if user.contains(':') {
                    return Err(format!("proxy {shown}: the user name may not contain ':'"));
                }
                if user.len() > MAX_CREDENTIAL_BYTES || password.len() > MAX_CREDENTIAL_BYTES {
                    return Err(format!(
                        "proxy {shown}: the user name and password are limited to {MAX_CREDENTIAL_BYTES} bytes each"
                    ));
                }
                Some((user, password))
            }
        };
        let (host, port) = split_host_port(hostport).map_err(|e| format!("proxy {shown}: {e}"))?;
        if host.is_empty() {
            return Err(format!("proxy {shown}: the host is missing"));
        }
        if host.parse::<IpAddr>().is_err() && !is_host_name(&host) {
            return Err(format!(
                "proxy {shown}: {:?} is not a host name or IP address",
                clip(&host)
            ));
        }
        Ok(Proxy {
            host,
            port: port.unwrap_or(80),
            credentials,
        })
    }

    /// The proxy's host name or IP address (no brackets).
    pub fn host(&self) -> &str {
        &self.host
    }
    /// The proxy's port (80 when the URL has none).
    pub fn port(&self) -> u16 {
        self.port
    }
    /// Whether the URL carried credentials (sent as `Proxy-Authorization: Basic`).
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }
}

impl fmt::Display for Proxy {
    /// `http://host:port`, with `***:***@` when there are credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let creds = if self.credentials.is_some() { "***:***@" } else { "" };
        write!(f, "http://{creds}{}", authority(&self.host, self.port))
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({self})")
    }
}

/// Which proxy each connection uses: one for `https`/`wss` targets, one for `http`/`ws`
/// targets, and the [`NoProxy`] hosts reached directly. The default uses no proxy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proxies {
    secure: Option<Proxy>,
    plain: Option<Proxy>,
    no_proxy: NoProxy,
}

impl Proxies {
    /// `secure` for `https`/`wss` targets, `plain` for `http`/`ws` targets, except the
    /// hosts `no_proxy` matches.
    pub fn new(secure: Option<Proxy>, plain: Option<Proxy>, no_proxy: NoProxy) -> Proxies {
        Proxies {
            secure,
            plain,
            no_proxy,
        }
    }

    /// The proxy a connection to `host:port` goes through (`secure`: an `https` or `wss`
    /// URL), or `None` to connect directly. `host` is the URL's host (an IPv6 literal with
    /// or without brackets).
    pub fn for_target(&self, secure: bool, host: &str, port: u16) -> Option<&Proxy> {
        let proxy = if secure { &self.secure } else { &self.plain };
        proxy.as_ref().filter(|_| !self.no_proxy.matches(host, port))
    }

    /// Whether no connection goes through a proxy.
    pub fn is_none(&self) -> bool {
        self.secure.is_none() && self.plain.is_none()
    }

    /// The [`NoProxy`] list.
    pub fn no_proxy(&self) -> &NoProxy {
        &self.no_proxy
    }
}

/// The hosts reached without a proxy (`NO_PROXY`); see the [module docs](self) for the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoProxy {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Rule {
    All,
    Name { suffix: String, port: Option<u16> },
    Ip { ip: IpAddr, port: Option<u16> },
    Cidr { net: IpAddr, prefix: u8 },
}

impl NoProxy {
    /// Parses a comma-separated list; an entry that is no host name, IP address, CIDR
    /// block or `*` is refused.
    pub fn parse(list: &str) -> Result<NoProxy, String> {
        let mut rules = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            rules.push(Rule::parse(entry).map_err(|why| format!("no-proxy entry {:?}: {why}", clip(entry)))?);
        }
        Ok(NoProxy { rules })
    }

    /// Whether a connection to `host:port` bypasses the proxy.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.trim_matches(['[', ']']).trim_end_matches('.').to_ascii_lowercase();
        let ip = host.parse::<IpAddr>().ok();
        self.rules.iter().any(|rule| rule.matches(&host, ip, port))
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl Rule {
    fn parse(entry: &str) -> Result<Rule, String> {
        if entry == "*" {
            return Ok(Rule::All);
        }
        let entry = entry.to_ascii_lowercase();
        if let Some((net, prefix)) = entry.split_once('/') {
            let net: IpAddr = net.parse().map_err(|_| "a CIDR block needs an IP address before '/'")?;
            let max = if net.is_ipv4() { 32 } else { 128 };
            let prefix = prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("the prefix length must be 0 to {max}"))?;
            return Ok(Rule::Cidr { net, prefix });
        }
        if let Ok(ip) = entry.parse::<IpAddr>() {
            return Ok(Rule::Ip { ip, port: None });
        }
        let (host, port) = split_host_port(&entry)?;
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(Rule::Ip { ip, port });
        }
        let name = host
            .strip_prefix("*.")
            .or_else(|| host.strip_prefix('.'))
            .unwrap_or(&host);
        let name = name.trim_end_matches('.');
        if !is_host_name(name) {
            return Err("not a host name, IP address, CIDR block or '*'".into());
        }
        Ok(Rule::Name {
            suffix: name.to_owned(),
            port,
        })
    }

    fn matches(&self, host: &str, ip: Option<IpAddr>, port: u16) -> bool {
        let port_ok = |p: &Option<u16>| p.is_none_or(|p| p == port);
        match (self, ip) {
            (Rule::All, _) => true,
            (Rule::Ip { ip: rule, port: p }, Some(ip)) => canonical(*rule) == canonical(ip) && port_ok(p),
            (Rule::Cidr { net, prefix }, Some(ip)) => in_block(ip, *net, *prefix),
            (Rule::Name { suffix, port: p }, None) => {
                let under = host
                    .strip_suffix(suffix.as_str())
                    .is_some_and(|head| head.is_empty() || head.ends_with('.'));
                under && port_ok(p)
            }
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_block(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (canonical(ip), canonical(net)) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// `host:port`, with brackets around an IPv6 address.
pub(crate) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Splits `host[:port]` / `[v6][:port]`; the host lowercased, without brackets.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or("unclosed [ in the host")?;
        if h.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("[{h}] is not an IPv6 address"));
        }
        match after {
            "" => (h, None),
            _ => (h, Some(after.strip_prefix(':').ok_or("junk after ]")?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("bad port {:?}", clip(p)))?,
        ),
        None => None,
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// Letters, digits, '-', '_' and '.' in non-empty labels of at most 63 bytes, at most 253
/// bytes in all.
fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// `text` cut to at most 100 characters (with `...`), for messages.
fn clip(text: &str) -> String {
    match text.char_indices().nth(100) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// `url` with any user info replaced by `***` (for messages): everything up to the last
/// `@`, even past a `/` (a password with an unescaped `/` must not show either).
pub(crate) fn redact(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    match rest.rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => format!("{scheme}{rest}"),
    }
}

/// Decodes `%XX` escapes once (`+` stays `+`); the result must be UTF-8.
fn percent_decode(s: &str) -> Result<String, &'static str> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or("has a '%' not followed by two hex digits")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "has a '%' not followed by two hex digits")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "has a '%' not followed by two hex digits")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8 once percent-decoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy(url: &str) -> Proxy {
        Proxy::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn proxy_urls_parse_with_defaults_and_decoded_credentials() {
        let p = proxy("http://proxy.corp:3128");
        assert_eq!((p.host(), p.port(), p.has_credentials()), ("proxy.corp", 3128, false));
        let p = proxy("HTTP://Proxy.Corp/");
        assert_eq!((p.host(), p.port()), ("proxy.corp", 80));
        let p = proxy("proxy.corp:8080");
        assert_eq!((p.host(), p.port()), ("proxy.corp", 8080));
        let p = proxy("http://[::1]:3128");
        assert_eq!((p.host(), p.port()), ("::1", 3128));
        let p = proxy("http://us%40r:p%3Ass+w@127.0.0.1:1");
        assert_eq!(p.credentials, Some(("us@r".to_owned(), "p:ss+w".to_owned())));
        assert_eq!(p.to_string(), "http://***:***@127.0.0.1:1");
        assert_eq!(format!("{p:?}"), "Proxy(http://***:***@127.0.0.1:1)");
        let p = proxy("http://user@h:1");
        assert_eq!(p.credentials, Some(("user".to_owned(), String::new())));
        // A password may hold '@' unescaped: the last '@' ends the user info.
        let p = proxy("http://u:a@b@h:1");
        assert_eq!((p.credentials.clone().unwrap().1.as_str(), p.host()), ("a@b", "h"));
    }

    #[test]
    fn bad_proxy_urls_are_refused_without_showing_credentials() {
        for (url, part) in [
            ("", "empty"),
            ("https://u:sekret@proxy:443", "https:// proxies"),
            ("socks5://u:sekret@proxy:1080", "socks5:// is not supported"),
            ("http://u:sekret@proxy:0", "bad port"),
            ("http://u:sekret@proxy:99999", "bad port"),
            ("http://u:sekret@proxy:1/path", "no path"),
            ("http://u:sekret@proxy:1?q", "no path"),
            ("http://u:sekret@:1", "host is missing"),
            ("http://u:sekret%zz@h:1", "password has a '%'"),
            ("http://u:sekret%ff@h:1", "not UTF-8"),
            ("http://u:sekret@pro xy:1", "spaces"),
            ("http://u:sekret@pro\u{1}xy:1", "control"),
            ("http://u:sekret@pr/oxy:1", "no path"),
            ("http://u:sek/ret@proxy:1", "no path"),
            ("http://u:sek?ret@proxy:1", "no path"),
            ("u:sek#ret@proxy:1", "no path"),
            ("http://u:sekret@pröxy:1", "not a host name"),
            ("http://u:sekret@[zz]:1", "not an IPv6"),
        ] {
            let e = Proxy::parse(url).unwrap_err();
            assert!(e.contains(part), "{url:?}: {e}");
            assert!(!e.contains("sek"), "{url:?}: the password shows in {e}");
        }
        let long = format!("http://u:{}@h:1", "p".repeat(MAX_CREDENTIAL_BYTES + 1));
        assert!(Proxy::parse(&long).unwrap_err().contains("limited"));
    }

    #[test]
    fn no_proxy_matches_names_suffixes_ips_blocks_and_ports() {
        let n = NoProxy::parse(" example.com, .corp.net ,*.svc, 10.1.2.3, ::1, 192.168.0.0/16, fd00::/8, api.x:8443, [::2]:80, 127.0.0.2:9,").unwrap();
        let yes = |h: &str, p: u16| assert!(n.matches(h, p), "{h}:{p} should bypass");
        let no = |h: &str, p: u16| assert!(!n.matches(h, p), "{h}:{p} should use the proxy");
        yes("example.com", 443);
        yes("API.Example.com.", 443);
        yes("a.b.example.com", 1);
        no("notexample.com", 443);
        no("example.com.evil", 443);
        yes("corp.net", 1);
        yes("x.corp.net", 1);
        yes("svc", 1);
        yes("a.svc", 1);
        yes("10.1.2.3", 80);
        no("10.1.2.4", 80);
        yes("::1", 1);
        yes("[::1]", 1);
        yes("::ffff:10.1.2.3", 1);
        yes("192.168.44.1", 1);
        no("192.169.0.1", 1);
        yes("fd12::1", 1);
        no("fe80::1", 1);
        yes("api.x", 8443);
        no("api.x", 443);
        yes("::2", 80);
        no("::2", 81);
        yes("127.0.0.2", 9);
        no("127.0.0.2", 10);
        // Loopback is not excluded unless listed; names never match IP literals.
        no("127.0.0.1", 80);
        no("localhost", 80);
        // A name that looks like the end of an address is a name: it never matches an IP.
        assert!(!NoProxy::parse("0.0.1").unwrap().matches("127.0.0.1", 1));
        assert!(!NoProxy::parse("1").unwrap().matches("127.0.0.1", 1));
        assert!(NoProxy::parse("*").unwrap().matches("anything", 1));
        assert!(NoProxy::parse("").unwrap().is_empty());
        assert!(NoProxy::parse("0.0.0.0/0").unwrap().matches("8.8.8.8", 1));
        assert!(NoProxy::parse("localhost").unwrap().matches("LOCALHOST", 1));
    }

    #[test]
    fn bad_no_proxy_entries_are_refused() {
        for bad in [
            "exa mple.com",
            "10.0.0.0/33",
            "::/129",
            "host/8",
            "a..b",
            "h:0",
            "h:x",
            "[zz]",
            "*x",
            "é.com",
        ] {
            let e = NoProxy::parse(bad).unwrap_err();
            assert!(e.contains("no-proxy entry"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_proxy_for_a_target_depends_on_its_scheme_and_no_proxy() {
        let (s, p) = (proxy("http://secure:1"), proxy("http://plain:2"));
        let all = Proxies::new(
            Some(s.clone()),
            Some(p.clone()),
            NoProxy::parse("direct.example").unwrap(),
        );
        assert_eq!(all.for_target(true, "api.soniox.com", 443), Some(&s));
        assert_eq!(all.for_target(false, "api.soniox.com", 80), Some(&p));
        assert_eq!(all.for_target(true, "direct.example", 443), None);
        let only_https = Proxies::new(Some(s.clone()), None, NoProxy::default());
        assert_eq!(only_https.for_target(false, "h", 80), None);
        assert!(Proxies::default().is_none() && Proxies::default().for_target(true, "h", 1).is_none());
    }
}
