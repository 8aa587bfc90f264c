//! Recall@10 of the vector store's HNSW neighbours against exact ones, for
//! several beam widths and request sizes: how `links.hnsw_ef` was chosen.
//!
//! Usage: ann_recall --config benches/all-corpora.toml [--samples 200]
//! For each setting: recall@10 (other texts, paragraphs long enough to link)
//! and the mean time of one search.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use rhizome::store::Filter;
use rhizome::Engine;
use rhizome_benches::Args;

fn main() -> anyhow::Result<()> {
    let args = Args::from_env();
    let config = args.config()?;
    let samples = args.number("--samples", 200)?;
    let min_chars = config.links.min_chars;
    let engine = Engine::open(config)?;
    let paragraphs = engine.text_index().all()?;
    let n = paragraphs.len();
    let model = engine.embedder().model_id().to_string();
    let mut v = ndarray::Array2::<f32>::zeros((n, engine.embedder().dim()));
    {
        let mut cache = engine.cache().lock().unwrap();
        for (i, p) in paragraphs.iter().enumerate() {
            let x = cache
                .get(&rhizome::cache::key(&model, &p.text))?
                .expect("cached");
            v.row_mut(i).assign(&ndarray::ArrayView1::from(&x[..]));
        }
    }
    let eligible: Vec<bool> = paragraphs
        .iter()
        .map(|p| p.text.chars().count() >= min_chars)
        .collect();
    let index: HashMap<u64, usize> = paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.point, i))
        .collect();
    // Paragraphs long enough to link, spread over the corpus (as `rhizome links` samples them).
    let pool: Vec<usize> = (0..n).filter(|&i| eligible[i]).collect();
    let rows: Vec<usize> = pool
        .iter()
        .copied()
        .step_by((pool.len() / samples).max(1))
        .take(samples)
        .collect();
    let exact: Vec<HashSet<usize>> = rows
        .iter()
        .map(|&i| {
            let sims = v.dot(&v.row(i));
            let mut js: Vec<usize> = (0..n)
                .filter(|&j| eligible[j] && paragraphs[j].text_id != paragraphs[i].text_id)
                .collect();
            js.sort_by(|&a, &b| sims[b].total_cmp(&sims[a]));
            js.into_iter().take(10).collect()
        })
        .collect();
    let store = engine.vector_store();
    for filtered in std::env::var("ANN_UNFILTERED").map_or(vec![true], |_| vec![true, false]) {
        for (ef, asked) in [(256, 40), (512, 40), (1024, 40)] {
            let threads: usize = std::env::var("ANN_THREADS").map_or(1, |v| v.parse().unwrap_or(1));
            let t = Instant::now();
            let one = |i: usize, want: &HashSet<usize>| -> anyhow::Result<(usize, usize)> {
                let filter = Filter {
                    exclude_text: filtered.then(|| paragraphs[i].text_id.clone()),
                    ..Default::default()
                };
                let got: HashSet<usize> = store
                    .search_ef(v.row(i).as_slice().unwrap(), asked, &filter, ef)?
                    .into_iter()
                    .filter_map(|(id, _)| index.get(&id).copied())
                    .filter(|&j| eligible[j] && paragraphs[j].text_id != paragraphs[i].text_id)
                    .take(10)
                    .collect();
                Ok((want.intersection(&got).count(), want.len()))
            };
            // Optionally from several threads at once, as `rhizome links` searches.
            let chunk = rows.len().div_ceil(threads);
            let parts: Vec<anyhow::Result<(usize, usize)>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let (rows, exact, one) = (&rows, &exact, &one);
                        scope.spawn(move || {
                            let mut acc = (0, 0);
                            for k in (t * chunk)..((t + 1) * chunk).min(rows.len()) {
                                let (h, n) = one(rows[k], &exact[k])?;
                                acc = (acc.0 + h, acc.1 + n);
                            }
                            Ok(acc)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let (mut hit, mut total) = (0, 0);
            for p in parts {
                let (h, n) = p?;
                hit += h;
                total += n;
            }
            println!(
                "{{\"threads\":{threads},\"filtered\":{filtered},\"ef\":{ef},\"asked\":{asked},\"recall_at_10\":{:.4},\"ms_per_search\":{:.2}}}",
                hit as f64 / total as f64,
                t.elapsed().as_secs_f64() * 1e3 / rows.len() as f64
            );
        }
    }
    Ok(())
}
