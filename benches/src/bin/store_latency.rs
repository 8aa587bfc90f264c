//! Vector-store and search latency on an indexed data dir, for whichever
//! backend the config (or `QDRANT_URL`) selects: the figures issue 6 compares.
//!
//! Usage: store_latency [--config rhizome.toml] [--queries 500]
//! Prints JSON: nearest-neighbour search (k = 10) p50/p99 in the store alone,
//! with the vectors of stored points as queries, and hybrid search p50/p99
//! through the engine (query embedded each time).

use std::time::Instant;

use rhizome::store::Filter;
use rhizome::{Engine, SearchOptions};
use rhizome_benches::Args;

fn percentiles(mut ms: Vec<f64>) -> serde_json::Value {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    serde_json::json!({"n": ms.len(), "p50_ms": at(0.5), "p99_ms": at(0.99), "mean_ms": ms.iter().sum::<f64>() / ms.len() as f64})
}

const QUERIES: &[&str] = &[
    "le revenu de base",
    "pourquoi quitter Facebook ?",
    "la servitude volontaire",
    "l’intelligence artificielle et les écrivains",
    "la psychologie des foules",
    "le droit à la paresse",
    "la démocratie en Amérique",
    "le livre numérique et l’édition",
];

fn main() -> anyhow::Result<()> {
    let args = Args::from_env();
    let config = args.config()?;
    let n = args.number("--queries", 500)?;
    let engine = Engine::open(config)?;
    let store = engine.vector_store();
    let (points, _) = store.scroll(None, n)?;
    anyhow::ensure!(
        !points.is_empty(),
        "nothing indexed: run `rhizome index` first"
    );
    for p in points.iter().take(20) {
        store.search(&p.vector, 10, &Filter::default())?; // warm-up
    }
    let mut knn = Vec::new();
    for p in &points {
        let t = Instant::now();
        store.search(&p.vector, 10, &Filter::default())?;
        knn.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut hybrid = Vec::new();
    for q in QUERIES.iter().cycle().take(n.min(200)) {
        let t = Instant::now();
        engine.search(q, &SearchOptions::default())?;
        hybrid.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "{}",
        serde_json::json!({
            "backend": store.backend(),
            "points": store.count()?,
            "store_knn_k10": percentiles(knn),
            "hybrid_search_k10": percentiles(hybrid),
        })
    );
    Ok(())
}
