//! Embedders: the trait the engine sees, and the ONNX Runtime one.
//!
//! Owns: model loading (user-defined model from local files, ORT loaded
//! dynamically), e5's `passage: ` / `query: ` prefixes, length-bucketed
//! batching, L2 normalisation. Must not: cache (that is `cache`) or store.
//!
//! Inference is fastembed's, in its parts: fastembed's tokenizer set-up
//! (`tokenizer`), its session options, its output selection and mean
//! pooling (`SingleBatchOutput`). Not its `TextEmbedding`, which gives every
//! session a tokenizer of its own (290 MB each here): the sessions share one.

mod initializers;
mod tokenizer;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fastembed::{OutputKey, Pooling, SingleBatchOutput};
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::{DynValue, Tensor};
use tokenizers::Tokenizer;

use tokenizer::TokenizerFiles;

use crate::config::ModelConfig;
use crate::error::{Error, Result};

/// Anything that turns text into unit vectors, with separate roles for
/// documents and queries (e5 and most retrieval models are asymmetric).
pub trait Embedder: Send + Sync {
    /// Identifies the model and its exact weights (the embedding cache key).
    fn model_id(&self) -> &str;
    fn dim(&self) -> usize;
    /// Embeds passages; returns one unit vector per text, in order.
    fn embed_documents(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;
    /// Embeds a search query.
    fn embed_query(&self, text: &str) -> Result<Vec<f32>>;
    /// Embeds several queries (or sentences compared symmetrically).
    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        texts.iter().map(|t| self.embed_query(t)).collect()
    }
}

/// What one session embedded: (position in the input, vector).
type Share = Vec<(usize, Vec<f32>)>;

/// multilingual-e5 through fastembed (ONNX Runtime, loaded from `ORT_DYLIB_PATH`).
///
/// Holds several inference sessions of the same model: a list of paragraphs
/// is shared among them (one OS thread each), and concurrent queries take
/// turns over them.
pub struct FastEmbedder {
    /// One tokenizer for every session (it only reads).
    tokenizer: Tokenizer,
    sessions: Vec<Mutex<Session>>,
    /// Whether the graph takes `token_type_ids` (BERT does, XLM-R not).
    token_type_ids: bool,
    next: AtomicUsize,
    id: String,
    dim: usize,
    batch_size: usize,
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| {
        Error::ModelUnavailable(format!(
            "cannot read {}: {e}. Run `scripts/setup.sh` to build the model files.",
            path.display()
        ))
    })
}

/// The number of threads ONNX Runtime should use: all cores by default,
/// capped at 4 (past that, this small model gains little and contends).
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4)
}

/// ONNX Runtime allows one environment per process: the first model loaded
/// creates it (from its `ort_dylib`), later models share it.
pub fn ort_environment(path: &Path) -> Result<ort::environment::Environment> {
    static ENV: std::sync::OnceLock<std::result::Result<ort::environment::Environment, String>> =
        std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        ort::init_from(path)
            .map_err(|e| format!("{e} (install onnxruntime>=1.24 with `scripts/setup.sh`)"))?
            .with_name("rhizome")
            .with_telemetry(false)
            .build()
            .map_err(|e| format!("ONNX Runtime failed to start: {e}"))
    })
    .clone()
    .map_err(Error::ModelUnavailable)
}

impl FastEmbedder {
    pub fn load(cfg: &ModelConfig) -> Result<Self> {
        let ort_path = &cfg.ort_dylib;
        if !ort_path.exists() {
            return Err(Error::ModelUnavailable(format!(
                "ONNX Runtime library not found at {} (set ORT_DYLIB_PATH or run `scripts/setup.sh`)",
                ort_path.display()
            )));
        }
        let env = ort_environment(ort_path)?;
        let onnx = read(&cfg.dir, &cfg.file)?;
        let files = TokenizerFiles {
            tokenizer: read(&cfg.dir, "tokenizer.json")?,
            config: read(&cfg.dir, "config.json")?,
            special_tokens_map: read(&cfg.dir, "special_tokens_map.json")?,
            tokenizer_config: read(&cfg.dir, "tokenizer_config.json")?,
        };
        let threads = if cfg.threads == 0 {
            default_threads()
        } else {
            cfg.threads
        };
        let (sessions, per_session) = session_split(threads, cfg.sessions);
        let path = cfg.dir.join(&cfg.file);
        // The sessions share the large weights rather than each holding a
        // copy (a shared `PrepackedWeights` container as well saved nothing
        // measurable with this model). The tokenizer loads on a thread of
        // its own while the sessions parse the model, in parallel.
        let shared = shared_initializers(&onnx)?;
        let (tokenizer, loaded) = std::thread::scope(|scope| {
            let tokenizer = scope.spawn(|| tokenizer::load(&files, cfg.max_tokens));
            let loaded = on_threads(
                sessions,
                |_| load_session(&onnx, &env, &shared, cfg, per_session, &path),
                || Error::ModelUnavailable("model loading panicked".into()),
            );
            let tokenizer = tokenizer.join().unwrap_or_else(|_| {
                Err(Error::ModelUnavailable("tokenizer loading panicked".into()))
            });
            (tokenizer, loaded)
        });
        let tokenizer = tokenizer?;
        let sessions = loaded.into_iter().collect::<Result<Vec<_>>>()?;
        let token_type_ids = sessions[0]
            .inputs()
            .iter()
            .any(|input| input.name() == "token_type_ids");
        let mut embedder = FastEmbedder {
            tokenizer,
            sessions: sessions.into_iter().map(Mutex::new).collect(),
            token_type_ids,
            next: AtomicUsize::new(0),
            id: cfg.id.clone(),
            dim: 0,
            batch_size: cfg.batch_size.max(1),
        };
        let probe = embedder
            .run_on(0, &["query: test".to_string()])
            .map_err(|e| Error::ModelUnavailable(format!("model does not run: {e}")))?;
        embedder.dim = probe.first().map_or(0, Vec::len);
        // The files are parsed: free them before handing pages back.
        drop((onnx, files));
        release_freed_memory();
        tracing::debug!(
            sessions = embedder.sessions.len(),
            per_session,
            "embedder loaded"
        );
        Ok(embedder)
    }

    /// Batches of similar length (padding to the longest in a batch is
    /// wasted work), dealt round-robin to the sessions so each gets a similar
    /// share of long and short paragraphs.
    fn embed_prefixed(&self, prefix: &str, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let batches: Vec<&[usize]> = order.chunks(self.batch_size).collect();
        let workers = self.sessions.len().min(batches.len());
        let embed_share = |worker: usize| -> Result<Share> {
            let mut done = Vec::new();
            for chunk in batches.iter().skip(worker).step_by(workers.max(1)) {
                let batch: Vec<String> = chunk
                    .iter()
                    .map(|&i| format!("{prefix}{}", texts[i]))
                    .collect();
                done.extend(chunk.iter().copied().zip(self.run_on(worker, &batch)?));
            }
            Ok(done)
        };
        let shares = on_threads(workers, embed_share, || {
            Error::Embedding("an embedding thread panicked".into())
        });
        let mut out = vec![Vec::new(); texts.len()];
        for share in shares {
            for (i, v) in share? {
                out[i] = v;
            }
        }
        Ok(out)
    }

    /// Runs one batch on the next session in turn (queries from concurrent
    /// requests spread over the sessions).
    fn run(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let session = self.next.fetch_add(1, Ordering::Relaxed) % self.sessions.len();
        self.run_on(session, texts)
    }

    /// Tokenizes (outside the session's lock), runs one session, pools.
    fn run_on(&self, session: usize, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let failed = |e: &dyn std::fmt::Display| Error::Embedding(e.to_string());
        let mut encoded = tokenizer::encode(&self.tokenizer, texts)?;
        let mut inputs = ort::inputs![
            "input_ids" => Tensor::from_array(encoded.input_ids).map_err(|e| failed(&e))?,
            "attention_mask" => Tensor::from_array(encoded.attention_mask.clone()).map_err(|e| failed(&e))?,
        ];
        if self.token_type_ids {
            let types = std::mem::take(&mut encoded.token_type_ids);
            inputs.push((
                "token_type_ids".into(),
                Tensor::from_array(types).map_err(|e| failed(&e))?.into(),
            ));
        }
        let mut model = self.sessions[session]
            .lock()
            .map_err(|_| Error::Embedding("embedder poisoned by an earlier panic".into()))?;
        let outputs = model
            .run(inputs)
            .map_err(|e| failed(&e))?
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect();
        let batch = SingleBatchOutput {
            outputs,
            attention_mask_array: encoded.attention_mask,
        };
        let pooled = batch
            .select_and_pool_output(&OUTPUT_PRECEDENCE, Some(Pooling::Mean))
            .map_err(|e| failed(&e))?;
        drop(model);
        Ok(pooled
            .rows()
            .into_iter()
            .map(|row| {
                // fastembed's normalisation (ε-guarded), then ours: the
                // vectors stay those `TextEmbedding::embed` gave, bit for
                // bit, so the embedding cache stays valid.
                let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
                let mut v: Vec<f32> = row.iter().map(|&x| x / (norm + 1e-12)).collect();
                normalize(&mut v);
                v
            })
            .collect())
    }
}

/// Which of the graph's outputs holds the token embeddings: fastembed's
/// order of preference.
const OUTPUT_PRECEDENCE: &[OutputKey] = &[
    OutputKey::OnlyOne,
    OutputKey::ByName("text_embeds"),
    OutputKey::ByName("last_hidden_state"),
    OutputKey::ByName("sentence_embedding"),
];

/// `f(0)`, …, `f(n - 1)`, each on a scoped thread of its own (inline when
/// `n` is 1); a thread that panics yields `panicked()`.
fn on_threads<T: Send>(
    n: usize,
    f: impl Fn(usize) -> Result<T> + Sync,
    panicked: fn() -> Error,
) -> Vec<Result<T>> {
    if n <= 1 {
        return vec![f(0)];
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..n).map(|i| scope.spawn(move || f(i))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(panicked())))
            .collect()
    })
}

/// How `threads` are shared: `(sessions, threads per session)`. 0 sessions
/// means one per thread; more sessions than threads is clamped.
pub fn session_split(threads: usize, sessions: usize) -> (usize, usize) {
    let threads = threads.max(1);
    let sessions = if sessions == 0 {
        threads
    } else {
        sessions.min(threads)
    };
    (sessions, (threads / sessions).max(1))
}

/// Initializers of at least this size are read once for all sessions.
const SHARED_INITIALIZER_BYTES: usize = 1 << 20;

/// The model's large weights as tensors every session may use: uint8, int8
/// and float ones (others are left to each session).
fn shared_initializers(onnx: &[u8]) -> Result<Vec<(String, Arc<DynValue>)>> {
    let mut out = Vec::new();
    for t in initializers::large(onnx, SHARED_INITIALIZER_BYTES)? {
        let shape = t.dims.clone();
        let bad = |e: ort::Error| Error::ModelUnavailable(format!("weights {}: {e}", t.name));
        let value: DynValue = match t.data_type {
            1 => {
                let floats = t
                    .raw
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect::<Vec<f32>>();
                Tensor::from_array((shape, floats)).map_err(bad)?.into_dyn()
            }
            2 => Tensor::from_array((shape, t.raw.to_vec()))
                .map_err(bad)?
                .into_dyn(),
            3 => {
                let ints = t.raw.iter().map(|&b| b as i8).collect::<Vec<i8>>();
                Tensor::from_array((shape, ints)).map_err(bad)?.into_dyn()
            }
            _ => continue,
        };
        out.push((t.name, Arc::new(value)));
    }
    Ok(out)
}

/// One inference session with fastembed's options (all graph
/// optimisations, `threads` intra-op threads) and the configured entries.
fn load_session(
    onnx: &[u8],
    env: &ort::environment::Environment,
    shared: &[(String, Arc<DynValue>)],
    cfg: &ModelConfig,
    threads: usize,
    path: &Path,
) -> Result<Session> {
    let cannot = |e: &dyn std::fmt::Display| {
        Error::ModelUnavailable(format!("cannot load {}: {e}", path.display()))
    };
    let mut builder = Session::builder(env)
        .map_err(|e| cannot(&e))?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(|e| cannot(&e))?
        .with_intra_threads(threads)
        .map_err(|e| cannot(&e))?;
    for (name, value) in shared {
        builder = builder
            .with_initializer(name, Arc::clone(value))
            .map_err(|e| cannot(&e))?;
    }
    for (key, value) in &cfg.session_config {
        builder = builder
            .with_config_entry(key, value)
            .map_err(|e| cannot(&e))?;
    }
    builder.commit_from_memory(onnx).map_err(|e| cannot(&e))
}

/// The model, loaded on first use (issue 15): commands that never embed
/// (`links`, `graph`, `related`, `stats`, `export`) never pay its start-up
/// or its memory: the tokenizer, about 300 MB resident, and the model,
/// about 120 MB (each further session adds about 21 MB). Its id and
/// dimension come from the configuration and the model's `config.json`, so
/// the data dir can be checked against them without loading anything.
pub struct LazyEmbedder {
    cfg: ModelConfig,
    dim: usize,
    model: std::sync::OnceLock<std::result::Result<FastEmbedder, String>>,
}

impl LazyEmbedder {
    /// `ModelUnavailable` when the model's `config.json` cannot be read
    /// (the model files are missing: run `scripts/setup.sh`).
    pub fn new(cfg: &ModelConfig) -> Result<Self> {
        let config: serde_json::Value = serde_json::from_slice(&read(&cfg.dir, "config.json")?)
            .map_err(|e| {
                Error::ModelUnavailable(format!("{}: {e}", cfg.dir.join("config.json").display()))
            })?;
        let dim = config["hidden_size"].as_u64().ok_or_else(|| {
            Error::ModelUnavailable(format!(
                "{}: no hidden_size",
                cfg.dir.join("config.json").display()
            ))
        })? as usize;
        Ok(LazyEmbedder {
            cfg: cfg.clone(),
            dim,
            model: std::sync::OnceLock::new(),
        })
    }

    /// The loaded model (loading it the first time).
    pub fn model(&self) -> Result<&FastEmbedder> {
        self.model
            .get_or_init(|| FastEmbedder::load(&self.cfg).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| {
                Error::ModelUnavailable(
                    e.trim_start_matches("embedding model unavailable: ")
                        .to_string(),
                )
            })
    }
}

impl Embedder for LazyEmbedder {
    fn model_id(&self) -> &str {
        &self.cfg.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_documents(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.model()?.embed_documents(texts)
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>> {
        self.model()?.embed_query(text)
    }

    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.model()?.embed_queries(texts)
    }
}

impl Embedder for FastEmbedder {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_documents(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed_prefixed("passage: ", texts)
    }

    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed_prefixed("query: ", texts)
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self
            .run(&[format!("query: {text}")])?
            .pop()
            .unwrap_or_default())
    }
}

/// Loading parses a 17 MB tokenizer.json and a 118 MB model: glibc keeps the
/// freed buffers mapped, so a server would carry them for its whole life.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free heap pages to the kernel.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Scales `v` to unit length (no-op for the zero vector).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Cosine of two vectors (dot product when both are unit length).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let a = ndarray::ArrayView1::from(a);
    let b = ndarray::ArrayView1::from(b);
    let d = a.dot(&b);
    let n = (a.dot(&a) * b.dot(&b)).sqrt();
    if n > 0.0 {
        d / n
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_and_normalize() {
        let mut v = vec![3.0, 4.0];
        normalize(&mut v);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        assert!((cosine(&[1.0, 0.0], &[0.0, 2.0])).abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn threads_are_shared_among_sessions() {
        assert_eq!(session_split(2, 0), (2, 1));
        assert_eq!(session_split(4, 2), (2, 2));
        assert_eq!(session_split(2, 1), (1, 2));
        assert_eq!(session_split(2, 8), (2, 1));
        assert_eq!(session_split(0, 0), (1, 1));
    }

    #[test]
    fn missing_model_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ModelConfig {
            dir: dir.path().into(),
            ort_dylib: dir.path().join("libonnxruntime.so"),
            ..ModelConfig::default()
        };
        let err = FastEmbedder::load(&cfg).err().unwrap();
        assert!(matches!(err, Error::ModelUnavailable(_)));
        assert!(err.to_string().contains("libonnxruntime.so"), "{err}");
    }
}
