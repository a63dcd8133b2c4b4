//! What every request passes before the API sees it (issue 15): the `Host` it names, the client
//! address it comes from (through a trusted reverse proxy, if any), a time limit, and HSTS on TLS.

use super::CertNames;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use qar_core::ErrorCode;
use std::collections::HashSet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Where a request comes from: the peer's address, or, when the peer is a configured trusted
/// proxy, the client it names in `X-Forwarded-For`. Sign-in limits are kept per `ClientAddr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<ClientAddr>() {
            return Ok(*a);
        }
        // A router driven without the network layer (unit tests): every caller is one unknown
        // client, the strictest reading.
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// The network-level rules, from `ServerConfig`.
#[derive(Clone)]
pub(crate) struct WireRules {
    /// `--allowed-host` names (lower case, no port). Empty: see [`WireRules::host_allowed`].
    pub allowed_hosts: HashSet<String>,
    /// With TLS and no `--allowed-host`: the names the certificate covers.
    pub cert_names: Option<CertNames>,
    /// The address the server listens on, when it is one address (not 0.0.0.0 / ::).
    pub listen_ip: Option<IpAddr>,
    pub trusted_proxies: Vec<IpAddr>,
    pub hsts: bool,
    pub request_timeout: Duration,
}

/// The path of the long-poll, whose wait (≤ 25 s) comes on top of the request time limit.
const LONG_POLL_PATH: &str = "/v1/sync/pull";

impl WireRules {
    /// Loopback names and addresses are always allowed: a page elsewhere cannot make a browser
    /// send them (DNS rebinding needs a name the attacker controls), and `./x run` and the tests
    /// use them. Otherwise the configured names; without any, the listening address itself and,
    /// on TLS, the names in the certificate.
    pub fn host_allowed(&self, host: &str) -> bool {
        if host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            if ip.is_loopback() || Some(ip) == self.listen_ip {
                return true;
            }
        }
        if !self.allowed_hosts.is_empty() {
            return self.allowed_hosts.contains(host);
        }
        self.cert_names.as_ref().is_some_and(|c| c.covers(host))
    }

    fn client_of(&self, peer: IpAddr, forwarded: Option<&str>) -> IpAddr {
        // A server on [::] sees IPv4 clients as ::ffff:a.b.c.d.
        let peer = peer.to_canonical();
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        // The right-most address that is not one of our proxies: entries left of it were
        // written by the client and cannot be trusted.
        let mut client = peer;
        for hop in forwarded.unwrap_or("").rsplit(',') {
            match hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) {
                Ok(ip) if self.trusted_proxies.contains(&ip) => client = ip,
                Ok(ip) => return ip,
                Err(_) => return client,
            }
        }
        client
    }
}

/// `Host: name:port`, `[::1]:8787`, `NAME.` → `name`, `::1`.
pub(crate) fn host_name(value: &str) -> String {
    let v = value.trim();
    let host = if let Some(rest) = v.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match v.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => v,
        }
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

pub(crate) fn wire_layers(router: Router, rules: WireRules) -> Router {
    let rules = Arc::new(rules);
    router
        .layer(middleware::from_fn_with_state(rules.clone(), time_limit))
        .layer(middleware::from_fn_with_state(rules.clone(), check_host))
        .layer(middleware::from_fn_with_state(rules, client_and_hsts))
}

async fn client_and_hsts(State(rules): State<Arc<WireRules>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let client = rules.client_of(peer.ip(), forwarded);
        req.extensions_mut().insert(ClientAddr(client));
    }
    let mut resp = next.run(req).await;
    if rules.hsts {
        // A year, this host only: the hub's other sites may still be on plain HTTP.
        resp.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    resp
}

async fn check_host(State(rules): State<Arc<WireRules>>, req: Request, next: Next) -> Response {
    let named = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(host_name).or_else(|| req.uri().host().map(host_name));
    match named {
        Some(host) if rules.host_allowed(&host) => next.run(req).await,
        other => {
            let host = other.unwrap_or_default();
            tracing::debug!(host, "refused a request for a host name this server does not serve");
            ApiError::new(
                ErrorCode::UnknownHost,
                format!("This server does not answer to the name '{host}'. Use the address your hub gave you."),
            )
            .into_response()
        }
    }
}

async fn time_limit(State(rules): State<Arc<WireRules>>, req: Request, next: Next) -> Response {
    let limit = match req.uri().path() {
        LONG_POLL_PATH => rules.request_timeout + Duration::from_millis(crate::api::MAX_WAIT_MS),
        _ => rules.request_timeout,
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            ErrorCode::RequestTimeout,
            "The request took too long and was stopped. Try again; if it keeps happening, the connection may be too slow.",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allowed: &[&str], proxies: &[&str]) -> WireRules {
        WireRules {
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            cert_names: None,
            listen_ip: Some("192.0.2.10".parse().unwrap()),
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            hsts: false,
            request_timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn host_names_lose_their_port_case_and_trailing_dot() {
        assert_eq!(host_name("QAR.Example.org:8443"), "qar.example.org");
        assert_eq!(host_name("qar.example.org."), "qar.example.org");
        assert_eq!(host_name("[::1]:8787"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
    }

    #[test]
    fn loopback_and_the_listening_address_are_always_allowed_other_names_only_when_listed() {
        let none = rules(&[], &[]);
        for ok in ["localhost", "127.0.0.1", "127.8.9.1", "::1", "192.0.2.10"] {
            assert!(none.host_allowed(ok), "{ok}");
        }
        assert!(!none.host_allowed("qar.example.org"), "no names configured and no certificate: loopback only");
        assert!(!none.host_allowed("192.0.2.11"));
        let listed = rules(&["qar.example.org"], &[]);
        assert!(listed.host_allowed("qar.example.org"));
        assert!(!listed.host_allowed("evil.example.net"));
    }

    #[test]
    fn forwarded_for_is_read_only_from_a_trusted_proxy_and_from_the_right() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let r = rules(&[], &["10.0.0.2"]);
        // The client wrote the left-most entry itself: the proxy's own addition is what counts.
        assert_eq!(r.client_of(proxy, Some("198.51.100.9, 203.0.113.7")), "203.0.113.7".parse::<IpAddr>().unwrap());
        assert_eq!(r.client_of(proxy, None), proxy);
        assert_eq!(r.client_of(proxy, Some("garbage")), proxy);
        let stranger: IpAddr = "203.0.113.50".parse().unwrap();
        assert_eq!(r.client_of(stranger, Some("198.51.100.9")), stranger, "anyone else's header is ignored");
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(r.client_of(mapped, Some("203.0.113.7")), "203.0.113.7".parse::<IpAddr>().unwrap(), "IPv4 seen through [::]");
    }
}
