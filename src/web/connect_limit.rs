//! A per-address limit on starting sign-ins (`GET /orcid/connect`), so one client cannot
//! flood idlink or, through it, ORCID's authorize page.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::header::HeaderName;
use axum::http::HeaderMap;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

/// Every this many checks, addresses whose allowance is full again are forgotten, so the
/// limiter's memory follows the addresses seen in the last minutes, not all time.
const FORGET_EVERY: u64 = 1024;

pub struct ConnectLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
    /// `TRUSTED_PROXY_HEADER`: where the client address is when a proxy is in front.
    proxy_header: Option<HeaderName>,
}

impl ConnectLimiter {
    pub fn new(
        per_minute: NonZeroU32,
        burst: NonZeroU32,
        proxy_header: Option<HeaderName>,
    ) -> Self {
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
            proxy_header,
        }
    }

    /// Counts one sign-in start from this client; `Err` holds how long it must wait.
    pub fn check(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let client = client_address(headers, peer, self.proxy_header.as_ref());
        self.limiter
            .check_key(&allowance_key(client))
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }
}

/// Whose allowance an address uses: its own for IPv4, its /64 network for IPv6, since one
/// subscriber usually holds a whole /64 and could otherwise take a new address each time.
fn allowance_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        },
        v4 => v4,
    }
}

/// The client's address: the socket peer, or with a trusted proxy in front, the right-most
/// entry of its header — the one that proxy added; entries to its left came from the client
/// and could be anything. Without a usable header, the peer (the proxy itself) is used.
fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    proxy_header: Option<&HeaderName>,
) -> IpAddr {
    // No peer when the router is called without a socket: all such requests share a key.
    let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.ip());
    let Some(name) = proxy_header else {
        return peer;
    };
    let forwarded = headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| parse_address(last.trim()));
    match forwarded {
        Some(ip) => ip,
        None => {
            tracing::debug!(header = %name, "no usable client address in the trusted proxy header");
            peer
        }
    }
}

/// `203.0.113.7`, `2001:db8::1`, or with a port (`203.0.113.7:5100`, `[2001:db8::1]:5100`).
fn parse_address(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_proxy_header_counts_only_when_configured_and_only_its_last_entry() {
        let peer = Some("10.0.0.2:4000".parse().unwrap());
        let xff = HeaderName::from_static("x-forwarded-for");
        let spoofed = headers(&["1.1.1.1, 203.0.113.7"]);
        assert_eq!(client_address(&spoofed, peer, None).to_string(), "10.0.0.2");
        assert_eq!(
            client_address(&spoofed, peer, Some(&xff)).to_string(),
            "203.0.113.7"
        );
        // Several header lines: the proxy's is the last.
        let lines = headers(&["1.1.1.1", "2001:db8::1"]);
        assert_eq!(
            client_address(&lines, peer, Some(&xff)).to_string(),
            "2001:db8::1"
        );
        for (value, expect) in [
            ("[2001:db8::1]:5100", "2001:db8::1"),
            ("203.0.113.7:5100", "203.0.113.7"),
            ("garbage", "10.0.0.2"),
            ("", "10.0.0.2"),
        ] {
            assert_eq!(
                client_address(&headers(&[value]), peer, Some(&xff)).to_string(),
                expect,
                "{value:?}"
            );
        }
        assert_eq!(
            client_address(&HeaderMap::new(), peer, Some(&xff)).to_string(),
            "10.0.0.2"
        );
    }

    #[test]
    fn an_ipv6_network_shares_one_allowance() {
        let key = |s: &str| allowance_key(s.parse().unwrap()).to_string();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:3::1"), "2001:db8:1:3::");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
    }

    #[test]
    fn each_address_has_its_own_allowance() {
        let one = NonZeroU32::new(1).unwrap();
        let limiter = ConnectLimiter::new(one, NonZeroU32::new(2).unwrap(), None);
        let a = Some("192.0.2.1:1".parse().unwrap());
        let b = Some("192.0.2.2:1".parse().unwrap());
        let none = HeaderMap::new();
        assert!(limiter.check(&none, a).is_ok());
        assert!(limiter.check(&none, a).is_ok());
        let wait = limiter.check(&none, a).unwrap_err();
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(limiter.check(&none, b).is_ok());
    }
}
