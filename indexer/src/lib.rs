//! Rhizome's engine: corpora → paragraphs → embeddings → vector store + BM25 → hybrid search.
//!
//! This crate knows nothing of HTTP. The `api` crate serves it; the `rhizome`
//! binary (in `main.rs`) drives it from the command line.

#[cfg(feature = "engine")]
pub mod analyzer;
#[cfg(feature = "engine")]
pub mod author;
#[cfg(feature = "engine")]
pub mod baselines;
pub mod cache;
pub mod config;
pub mod data_dir;
#[cfg(feature = "engine")]
pub mod embed;
#[cfg(feature = "engine")]
pub mod engine;
pub mod error;
#[cfg(feature = "engine")]
pub mod eval;
#[cfg(feature = "engine")]
pub mod export;
#[cfg(feature = "engine")]
pub mod feedback;
pub mod fusion;
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "engine")]
pub mod graph;
pub mod ids;
#[cfg(feature = "engine")]
pub mod index;
#[cfg(feature = "engine")]
pub mod lexical;
#[cfg(feature = "engine")]
pub mod links;
#[cfg(feature = "engine")]
pub mod lock;
pub mod manifest;
pub mod markup;
#[cfg(feature = "engine")]
pub mod migrate;
#[cfg(feature = "engine")]
pub mod related;
#[cfg(feature = "engine")]
pub mod search;
pub mod site;
pub mod source;
pub mod split;
#[cfg(feature = "engine")]
pub mod store;

pub use config::Config;
#[cfg(feature = "engine")]
pub use engine::{Engine, IndexReport, SearchHit, SearchOptions};
pub use error::{Error, Result};
