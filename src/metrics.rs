//! Prometheus counters, rendered as text at GET /metrics.

use std::sync::{Arc, Mutex};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OrcidLabels {
    endpoint: String,
    outcome: String,
}

/// Cheap to clone; every clone updates the same registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    orcid_calls: Family<OrcidLabels, Counter>,
    job_items: Family<OutcomeLabels, Counter>,
    mail: Family<OutcomeLabels, Counter>,
    connected: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("idlink");
        let requests = Family::<RequestLabels, Counter>::default();
        let orcid_calls = Family::<OrcidLabels, Counter>::default();
        let connected = Gauge::default();
        let job_items = Family::<OutcomeLabels, Counter>::default();
        let mail = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "orcid_calls",
            "Calls to ORCID by endpoint and outcome",
            orcid_calls.clone(),
        );
        registry.register(
            "job_items",
            "Bulk-push items settled, by outcome (done, already_present, skipped, failed, cancelled, retried)",
            job_items.clone(),
        );
        registry.register(
            "mail_messages",
            "Outbox messages by outcome of an attempt (sent, failed, retried, stopped)",
            mail.clone(),
        );
        registry.register(
            "connected_researchers",
            "Researchers whose ORCID connection is active",
            connected.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry: Mutex::new(registry),
                requests,
                orcid_calls,
                job_items,
                mail,
                connected,
            }),
        }
    }
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16) {
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status,
            })
            .inc();
    }

    pub fn orcid_call(&self, endpoint: &str, outcome: &str) {
        orcid::CallObserver::orcid_call(self, endpoint, outcome);
    }

    /// One bulk-push item reached `outcome` (or went back to the queue: `retried`).
    pub fn job_item(&self, outcome: &str, n: u64) {
        self.inner
            .job_items
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc_by(n);
    }

    /// One outbox message was sent, failed for good, will be tried again (`retried`), or
    /// was not sent because its recipient stopped mail.
    pub fn mail(&self, outcome: &str) {
        self.inner
            .mail
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Renders the text exposition format, with the connected count read just before.
    pub fn render(&self, connected_researchers: i64) -> String {
        self.inner.connected.set(connected_researchers);
        let mut out = String::new();
        let registry = self
            .inner
            .registry
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &registry);
        out
    }
}

/// The ORCID client counts its calls here.
impl orcid::CallObserver for Metrics {
    fn orcid_call(&self, endpoint: &str, outcome: &str) {
        self.inner
            .orcid_calls
            .get_or_create(&OrcidLabels {
                endpoint: endpoint.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_all_three_families() {
        let m = Metrics::default();
        m.request("/me", 200);
        m.orcid_call("token", "ok");
        let text = m.render(3);
        assert!(
            text.contains(r#"idlink_http_requests_total{route="/me",status="200"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"idlink_orcid_calls_total{endpoint="token",outcome="ok"} 1"#),
            "{text}"
        );
        assert!(text.contains("idlink_connected_researchers 3"), "{text}");
    }
}
