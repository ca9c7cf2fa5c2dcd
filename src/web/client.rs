//! Who is asking: the client's address and whether it came over HTTPS. A request's own
//! headers are believed only when the connection comes from one of `trusted_proxies`; then
//! the client is the right-most `X-Forwarded-For` address that is not a trusted proxy (each
//! proxy appends the address it saw, so the entries left of a proxy we trust could be forged).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::web::SharedState;

/// The header that carries a request's id, in the response and (from a trusted proxy) the request.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The client of one request, as far as it can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    /// The client's connection was HTTPS (it reached a trusted proxy that says so).
    pub https: bool,
}

impl Client {
    /// Works out the client from the connection's peer and, when the peer is trusted, the
    /// forwarded headers.
    pub fn from_peer(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Client {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        let peer = peer.to_canonical();
        if !is_trusted(&peer) {
            return Client {
                ip: peer,
                https: false,
            };
        }
        let mut ip = peer;
        for hop in forwarded_for(headers).iter().rev() {
            // An entry that is not an address ends the chain we can follow.
            let Some(hop) = hop else { break };
            ip = hop.to_canonical();
            if !is_trusted(&ip) {
                break;
            }
        }
        Client {
            ip,
            https: forwarded_proto(headers).is_some_and(|p| p.eq_ignore_ascii_case("https")),
        }
    }
}

/// The addresses a request passed through, left (first) to right (last proxy): from
/// `X-Forwarded-For`, or from `Forwarded` (RFC 7239) only when there is no `X-Forwarded-For`
/// (nginx and Caddy set the former and pass the latter on as the client wrote it).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    if !xff.is_empty() {
        return xff.into_iter().map(parse_node).collect();
    }
    forwarded_elements(headers)
        .filter_map(|element| forwarded_param(element, "for"))
        .map(|node| parse_node(&node))
        .collect()
}

/// The scheme the client used, as the nearest proxy reports it.
fn forwarded_proto(headers: &HeaderMap) -> Option<String> {
    let proto = headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back();
    match proto {
        Some(p) => Some(p.trim().to_string()),
        None => forwarded_elements(headers)
            .filter_map(|element| forwarded_param(element, "proto"))
            .last(),
    }
}

fn forwarded_elements(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
}

/// One parameter of a `Forwarded` element (`for=192.0.2.1;proto=https`), unquoted.
fn forwarded_param(element: &str, name: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"').to_string())
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or
/// `[2001:db8::1]:4711`. Anything else (`unknown`, an obfuscated `_name`) is `None`.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(ip, _)| ip.parse().ok())
        })
}

/// Puts the [`Client`] into the request for handlers and the access log, and gives the request
/// an id: the trusted proxy's `X-Request-Id` when it sends one, a fresh one otherwise.
pub async fn identify(
    axum::extract::State(state): axum::extract::State<SharedState>,
    mut request: Request,
    next: Next,
) -> Response {
    // Pages rendered in-process (the static export) have no connection.
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let trusted = &state.config.trusted_proxies;
    let client = Client::from_peer(peer, request.headers(), trusted);
    let peer_trusted = trusted.iter().any(|net| net.contains(&peer.to_canonical()));
    let given = request
        .headers()
        .get(&REQUEST_ID)
        .filter(|_| peer_trusted)
        .filter(|v| v.len() <= 64 && v.as_bytes().iter().all(|b| b.is_ascii_graphic()))
        .cloned();
    let id = given.unwrap_or_else(|| {
        HeaderValue::from_str(&crate::tokens::random_token()[..16]).expect("hex is a header value")
    });
    request.headers_mut().insert(REQUEST_ID, id.clone());
    request.extensions_mut().insert(client);
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// One line per request: method, path (secrets in links shortened), status, duration, the
/// request's id and the client's address.
pub async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let client = request.extensions().get::<Client>().map(|c| c.ip);
    let response = next.run(request).await;
    tracing::info!(
        target: "roundtable::access",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
        id = %id,
        client = %client.map(|ip| ip.to_string()).unwrap_or_else(|| "-".into()),
    );
    response
}

/// The path with the token of a personal link cut short: logs are read by more people than
/// the links were sent to.
fn loggable_path(path: &str) -> String {
    const PERSONAL: &[&str] = &[
        "/answer/",
        "/subscribe/confirm/",
        "/join/confirm/",
        "/unsubscribe/",
        "/admin/reset/",
    ];
    match PERSONAL.iter().find(|prefix| path.starts_with(*prefix)) {
        Some(prefix) => {
            let rest: String = path[prefix.len()..].chars().take(6).collect();
            format!("{prefix}{rest}…")
        }
        None => path.to_string(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let client = parts.extensions.get::<Client>().copied();
        Ok(client.unwrap_or(Client {
            ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            https: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_forwarded_headers_change_nothing() {
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("forwarded", "for=203.0.113.10;proto=https"),
        ]);
        let client = Client::from_peer(ip("198.51.100.7"), &forged, &[]);
        assert_eq!(
            client,
            Client {
                ip: ip("198.51.100.7"),
                https: false
            }
        );
        // A proxy is trusted, but this peer is not it.
        let client = Client::from_peer(ip("198.51.100.7"), &forged, &nets(&["127.0.0.1/32"]));
        assert_eq!(client.ip, ip("198.51.100.7"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() {
        let trusted = nets(&["127.0.0.1/32", "10.0.0.0/8"]);
        // The client forged the first entry; the proxy appended what it saw.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = Client::from_peer(ip("127.0.0.1"), &h, &trusted);
        assert_eq!(
            client,
            Client {
                ip: ip("203.0.113.9"),
                https: true
            }
        );
        // Two proxies of ours in a row, one header per hop.
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "10.1.1.1"),
        ]);
        assert_eq!(
            Client::from_peer(ip("127.0.0.1"), &h, &trusted).ip,
            ip("203.0.113.9")
        );
        // IPv4 seen through an IPv6 socket.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            Client::from_peer(ip("::ffff:127.0.0.1"), &h, &trusted).ip,
            ip("203.0.113.9")
        );
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            Client::from_peer(ip("127.0.0.1"), &HeaderMap::new(), &trusted).ip,
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_forwarded_header_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = nets(&["::1/128"]);
        let h = headers(&[(
            "forwarded",
            "for=\"[2001:db8::7]:4711\";proto=https, for=192.0.2.60",
        )]);
        let client = Client::from_peer(ip("::1"), &h, &trusted);
        assert_eq!(
            client,
            Client {
                ip: ip("192.0.2.60"),
                https: true
            }
        );
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(Client::from_peer(ip("::1"), &h, &trusted).ip, ip("::1"));
    }

    #[test]
    fn personal_links_are_shortened_in_the_log() {
        assert_eq!(loggable_path("/answer/0123456789abcdef"), "/answer/012345…");
        assert_eq!(
            loggable_path("/unsubscribe/4/abcdef0123"),
            "/unsubscribe/4/abcd…"
        );
        assert_eq!(loggable_path("/tag/hiring/"), "/tag/hiring/");
    }
}
