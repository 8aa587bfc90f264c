//! Hybrid search latency as the index grows (issue 7): one criterion group
//! per data dir, the same queries each time (each query embedded, as a user's
//! would be).
//!
//! The data dirs come from `RHIZOME_SCALE_CONFIGS`, a comma-separated list of
//! `label=config.toml`; `benches/scale.sh` indexes them from the embedding
//! cache and runs this bench. Without it, the demo config alone is measured.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rhizome::{Config, Engine, SearchOptions};

const QUERIES: &[&str] = &[
    "le revenu de base",
    "la servitude volontaire",
    "l’intelligence artificielle et les écrivains",
    "la psychologie des foules",
    "le mariage et la dot",
    "une promenade au bord de la mer",
];

fn configs() -> Vec<(String, String)> {
    std::env::var("RHIZOME_SCALE_CONFIGS")
        .unwrap_or_else(|_| "demo=rhizome.toml".into())
        .split(',')
        .filter_map(|x| x.split_once('='))
        .map(|(l, p)| (l.to_string(), p.to_string()))
        .collect()
}

fn search_latency(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut group = c.benchmark_group("hybrid_search_k10");
    group.sample_size(60);
    for (label, path) in configs() {
        let config = Config::load(Some(&root.join(&path))).expect("config");
        let engine = Engine::open(config).expect("indexed data dir");
        let paragraphs = engine.stats().expect("stats").paragraphs;
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new(label, paragraphs), &engine, |b, engine| {
            b.iter(|| {
                i += 1;
                engine
                    .search(QUERIES[i % QUERIES.len()], &SearchOptions::default())
                    .expect("search")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, search_latency);
criterion_main!(benches);
