//! Embedding throughput on the demo corpora: paragraphs/s of Rhizome's
//! embedder (fastembed + ONNX Runtime, int8 model), without the cache.
//!
//! Usage: embed_throughput [--config rhizome.toml] [--paragraphs N] [--runs R] [--out FILE]
//! Writes the paragraphs it embedded to FILE (one per line) so that
//! `embed_onnxruntime.py` can run plain Python onnxruntime on the same input.

use std::time::Instant;

use rhizome::embed::{Embedder, FastEmbedder};
use rhizome::{source, split};
use rhizome_benches::Args;

fn main() -> anyhow::Result<()> {
    let args = Args::from_env();
    let config = args.config()?;
    let n = args.number("--paragraphs", 1000)?;
    let runs = args.number("--runs", 3)?;
    let out = args
        .value("--out")
        .unwrap_or("benches/out/paragraphs.txt".into());

    let mut paragraphs = Vec::new();
    for corpus in &config.corpora {
        for doc in source::read_corpus(corpus, config.index.max_file_bytes).documents {
            paragraphs.extend(
                split::split_document(&doc, &config.split)
                    .into_iter()
                    .map(|p| p.text),
            );
        }
    }
    // A deterministic spread over all corpora rather than the first N.
    let step = (paragraphs.len() / n.max(1)).max(1);
    let sample: Vec<String> = paragraphs.iter().step_by(step).take(n).cloned().collect();
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, sample.join("\n") + "\n")?;
    let refs: Vec<&str> = sample.iter().map(String::as_str).collect();
    let chars: usize = sample.iter().map(|s| s.chars().count()).sum();

    let threads = match config.model.threads {
        0 => rhizome::embed::default_threads(),
        n => n,
    };
    let (sessions, _) = rhizome::embed::session_split(threads, config.model.sessions);
    let embedder = FastEmbedder::load(&config.model)?;
    embedder.embed_documents(&refs[..refs.len().min(8)])?; // warm-up
    let mut rates = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let v = embedder.embed_documents(&refs)?;
        assert_eq!(v.len(), refs.len());
        rates.push(refs.len() as f64 / t.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!(
        "{}",
        serde_json::json!({
            "engine": "rhizome (fastembed, ort-load-dynamic)",
            "model": config.model.file,
            "paragraphs": refs.len(),
            "chars": chars,
            "batch_size": config.model.batch_size,
            "threads": threads,
            "sessions": sessions,
            "runs": rates,
            "paragraphs_per_s_median": median,
        })
    );
    Ok(())
}
