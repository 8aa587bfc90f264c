//! Rhizome's engine: corpora → paragraphs → embeddings → vector store + BM25 → hybrid search.
//!
//! This crate knows nothing of HTTP. The `api` crate serves it; the `rhizome`
//! binary (in `main.rs`) drives it from the command line.

pub mod analyzer;
pub mod cache;
pub mod config;
pub mod embed;
pub mod engine;
pub mod error;
pub mod eval;
pub mod fusion;
pub mod graph;
pub mod links;
pub mod manifest;
pub mod migrate;
pub mod source;
pub mod split;
pub mod store;

pub use config::Config;
pub use engine::{Engine, IndexReport, SearchHit, SearchOptions};
pub use error::{Error, Result};
