//! The proxy step of the blocking REST client's ureq connector chain (first in
//! [`super::tls::connector`]): TCP to the proxy, then the crate's one `CONNECT` exchange
//! ([`crate::driver::proxy::open_blocking`] over [`crate::core::proxy::ConnectTunnel`]), the
//! same the realtime socket and the async client run. The TLS step after it then runs
//! inside the tunnel for `https`.
//!
//! Which proxy (if any) is the core's decision for the client's base URL
//! ([`Proxies::for_target`](crate::config::proxy::Proxies::for_target), `NO_PROXY`
//! included), made once when the client is built: every REST call goes to that one host.
//! ureq's own `ConnectProxyConnector` is not used: it reports a `407` as text only, and
//! its `NO_PROXY` rules are not ours. The agent is still told about the proxy
//! ([`ureq_proxy`]) so that it neither resolves the API's host name locally (the proxy
//! does) nor pools tunnelled and direct connections together.

use std::fmt;

use ureq::unversioned::transport::time::{Duration as UDuration, Instant as UInstant};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, Either, NextTimeout, TcpConnector, Transport, TransportAdapter,
};
use ureq::Proxy as UreqProxy;

use crate::config::proxy::Proxy;
use crate::core::proxy::ConnectTunnel;

/// Opens a tunnel through `proxy` for every new connection; passes through without one.
pub(crate) struct ProxyConnector {
    pub(crate) proxy: Option<Proxy>,
}

impl fmt::Debug for ProxyConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConnector").field("proxy", &self.proxy).finish()
    }
}

type TcpOut = <TcpConnector as Connector<()>>::Out;

impl<In: Transport> Connector<In> for ProxyConnector {
    type Out = Either<In, TcpOut>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let Some(proxy) = &self.proxy else {
            return Ok(None);
        };
        let target_host = details.uri.host().unwrap_or_default();
        let target_port = details
            .uri
            .port_u16()
            .unwrap_or(if details.needs_tls() { 443 } else { 80 });
        let tunnel = ConnectTunnel::new(proxy, target_host, target_port);
        let unreachable = |e: ureq::Error| match e {
            // A timeout stays a timeout (of the connect budget).
            e @ ureq::Error::Timeout(_) => e,
            ureq::Error::Io(io) => ureq::Error::Other(Box::new(tunnel.unreachable(io))),
            e => ureq::Error::Other(Box::new(tunnel.unreachable(e))),
        };
        let proxy_uri: ureq::http::Uri = format!("http://{}/", authority(proxy))
            .parse()
            .map_err(|_| ureq::Error::BadUri(format!("proxy {proxy}")))?;
        let addrs = match proxy.host().parse::<std::net::IpAddr>() {
            // An IP literal needs no lookup (ureq's resolver starts a thread per lookup).
            Ok(ip) => {
                let mut addrs = details.resolver.empty();
                addrs.push(std::net::SocketAddr::new(ip, proxy.port()));
                addrs
            }
            Err(_) => details
                .resolver
                .resolve(&proxy_uri, details.config, remaining(details))
                .map_err(unreachable)?,
        };
        let to_proxy = ConnectionDetails {
            uri: &proxy_uri,
            addrs,
            config: details.config,
            request_level: details.request_level,
            resolver: details.resolver,
            now: details.now,
            timeout: remaining(details),
            current_time: details.current_time.clone(),
            run_connector: details.run_connector.clone(),
            register_shutdown: details.register_shutdown.clone(),
        };
        let tcp = match TcpConnector::default()
            .connect(&to_proxy, None::<()>)
            .map_err(unreachable)?
        {
            Some(tcp) => tcp,
            None => return Err(ureq::Error::Other(Box::new(tunnel.unreachable("no connection")))),
        };
        let mut io = TransportAdapter::new(tcp, details.current_time.clone());
        io.set_timeout(remaining(details));
        crate::driver::proxy::open_blocking(&mut io, tunnel).map_err(io_to_ureq)?;
        Ok(Some(Either::B(io.into_inner())))
    }
}

/// An I/O error from the tunnel as ureq's: the ureq error a transport wrapped (a timeout),
/// the [`ProxyError`](crate::ProxyError) of a refusal, or the I/O error itself.
fn io_to_ureq(e: std::io::Error) -> ureq::Error {
    if e.get_ref()
        .is_some_and(|inner| inner.is::<ureq::Error>() || inner.is::<crate::ProxyError>())
    {
        let inner = e.into_inner().expect("checked above");
        return match inner.downcast::<ureq::Error>() {
            Ok(ureq) => *ureq,
            Err(other) => ureq::Error::Other(other),
        };
    }
    ureq::Error::Io(e)
}

/// `host:port`, with brackets around an IPv6 address.
fn authority(proxy: &Proxy) -> String {
    match proxy.host().contains(':') {
        true => format!("[{}]:{}", proxy.host(), proxy.port()),
        false => format!("{}:{}", proxy.host(), proxy.port()),
    }
}

/// The proxy as ureq's agent configuration knows it (see the module docs: only so that it
/// leaves name resolution to the proxy and keys its pool by it). Never used to connect:
/// no credentials.
pub(crate) fn ureq_proxy(proxy: &Proxy) -> Option<UreqProxy> {
    UreqProxy::new(&format!("http://{}", authority(proxy))).ok()
}

/// What is left of the connect budget (`details.timeout` counts from `details.now`).
pub(crate) fn remaining(details: &ConnectionDetails) -> NextTimeout {
    let mut timeout = details.timeout;
    if let (UDuration::Exact(limit), UInstant::Exact(start), UInstant::Exact(now)) =
        (timeout.after, details.now, (details.current_time)())
    {
        timeout.after = UDuration::Exact(limit.saturating_sub(now.saturating_duration_since(start)));
    }
    timeout
}
