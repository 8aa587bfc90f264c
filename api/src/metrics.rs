//! Prometheus metrics: requests and latency per route.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

#[derive(Default)]
pub struct Metrics {
    /// (route, status class) → (count, total seconds)
    routes: Mutex<BTreeMap<(String, u16), (u64, f64)>>,
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "static".to_string(), |m| m.as_str().to_string());
    let start = Instant::now();
    let response = next.run(req).await;
    let class = response.status().as_u16() / 100 * 100;
    let mut m = state
        .metrics
        .routes
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let e = m.entry((route, class)).or_default();
    e.0 += 1;
    e.1 += start.elapsed().as_secs_f64();
    response
}

impl Metrics {
    pub fn render(&self) -> String {
        let m = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::from("# HELP rhizome_requests_total Requests served, by route and status class.\n# TYPE rhizome_requests_total counter\n");
        for ((route, class), (n, _)) in m.iter() {
            out.push_str(&format!(
                "rhizome_requests_total{{route=\"{route}\",status=\"{class}\"}} {n}\n"
            ));
        }
        out.push_str("# HELP rhizome_request_seconds_total Time spent serving requests, by route.\n# TYPE rhizome_request_seconds_total counter\n");
        for ((route, class), (_, s)) in m.iter() {
            out.push_str(&format!(
                "rhizome_request_seconds_total{{route=\"{route}\",status=\"{class}\"}} {s:.6}\n"
            ));
        }
        out
    }
}
