//! Operational metrics (issue 20, decision 56), in the Prometheus/OpenMetrics text format.
//!
//! Served only on the separate `--metrics-listen` address, never on the API's: what is counted
//! here is by route template, status and outcome, never a person, a review or a device, but the
//! numbers still tell an outsider how busy the service is, so they stay on an operator network.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route's template (`/v1/reviews/{review_id}/approve`), never the path asked for.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum Outcome {
    applied,
    duplicate,
    conflict,
    rejected,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabels {
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConnectionLabels {
    pub role: String,
}

/// Everything counted, shared by the API layers and the metrics listener.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    pushes: Counter,
    ops: Family<OpLabels, Counter>,
    long_polls: Gauge,
    group_commits: Counter,
    group_commit_pushes: Counter,
    db_connections: Family<ConnectionLabels, Gauge>,
    push_queue: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("qar");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route template, method and status", requests.clone());
        // 1 ms to about 65 s: a push commits in milliseconds, a long-poll waits up to 25 s.
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.001, 2.0, 17)));
        registry.register("http_request_duration_seconds", "Time to answer, by route template, method and status", latency.clone());
        let pushes = Counter::default();
        registry.register("sync_pushes", "Pushes answered 200", pushes.clone());
        let ops = Family::<OpLabels, Counter>::default();
        registry.register("sync_ops", "Ops in answered pushes, by outcome", ops.clone());
        let long_polls = Gauge::default();
        registry.register("sync_long_polls_open", "Pulls waiting for news now", long_polls.clone());
        let group_commits = Counter::default();
        registry.register("store_group_commits", "Group commits of pushes (one transaction each)", group_commits.clone());
        let group_commit_pushes = Counter::default();
        registry.register(
            "store_group_commit_pushes",
            "Pushes carried by group commits (divided by store_group_commits_total: the mean group size)",
            group_commit_pushes.clone(),
        );
        let db_connections = Family::<ConnectionLabels, Gauge>::default();
        registry.register("db_connections", "Database connections the store holds, by role", db_connections.clone());
        let push_queue = Gauge::default();
        registry.register("store_push_queue", "Pushes waiting for the next group commit", push_queue.clone());
        Metrics { registry, requests, latency, pushes, ops, long_polls, group_commits, group_commit_pushes, db_connections, push_queue }
    }

    pub fn request(&self, labels: RequestLabels, seconds: f64) {
        self.latency.get_or_create(&labels).observe(seconds);
        self.requests.get_or_create(&labels).inc();
    }

    /// One answered push and its ops' outcomes.
    pub fn push(&self, results: &[qar_core::protocol::OpResult]) {
        use qar_core::protocol::OpOutcome as O;
        self.pushes.inc();
        for r in results {
            let outcome = match r.outcome {
                O::Applied => Outcome::applied,
                O::Duplicate => Outcome::duplicate,
                O::Conflict { .. } => Outcome::conflict,
                O::Rejected { .. } => Outcome::rejected,
            };
            self.ops.get_or_create(&OpLabels { outcome }).inc();
        }
    }

    /// A long-poll starts waiting; it counts as open until the guard is dropped.
    pub fn long_poll(self: &Arc<Self>) -> LongPoll {
        self.long_polls.inc();
        LongPoll(self.clone())
    }

    /// The text of `/metrics`, with what the store knows read now.
    pub fn render(&self, store: &crate::ServerStore) -> String {
        let stats = store.stats();
        // Counters only move forward: the store's totals are added as the difference.
        let commits = stats.group_commits.saturating_sub(self.group_commits.get());
        self.group_commits.inc_by(commits);
        let pushes = stats.group_commit_pushes.saturating_sub(self.group_commit_pushes.get());
        self.group_commit_pushes.inc_by(pushes);
        for (role, count) in stats.connections {
            self.db_connections.get_or_create(&ConnectionLabels { role: role.to_owned() }).set(count as i64);
        }
        self.push_queue.set(stats.queued as i64);
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!("metrics could not be written: {e}");
        }
        out
    }
}

pub struct LongPoll(Arc<Metrics>);

impl Drop for LongPoll {
    fn drop(&mut self) {
        self.0.long_polls.dec();
    }
}
