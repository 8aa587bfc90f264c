//! Configuration in layers: built-in defaults, then a TOML file, then
//! environment variables (`RHIZOME_*`, `ORT_DYLIB_PATH`, `QDRANT_URL`).
//!
//! Relative paths in a TOML file are resolved against the file's directory,
//! so `rhizome.toml` at the repository root can name `../shared/corpus/...`.

mod corpus;
mod links;
mod sections;
mod store;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use corpus::{wildcard_match, CorpusConfig, CorpusFormat};
pub use links::LinksConfig;
pub use sections::{
    AuthorConfig, FusionMethod, IndexConfig, LexicalSource, ModelConfig, SearchConfig,
    ServerConfig, SplitConfig, StateSource,
};
pub use store::{Backend, VectorStoreConfig};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the stores live (vector store, text index, catalogue).
    pub data_dir: PathBuf,
    /// Where embeddings are cached, keyed by (model, paragraph text).
    pub cache_dir: PathBuf,
    pub model: ModelConfig,
    pub split: SplitConfig,
    pub search: SearchConfig,
    pub index: IndexConfig,
    pub vector_store: VectorStoreConfig,
    pub links: LinksConfig,
    pub server: ServerConfig,
    pub author: AuthorConfig,
    #[serde(rename = "corpus")]
    pub corpora: Vec<CorpusConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from(".rhizome/data"),
            cache_dir: PathBuf::from(".rhizome/cache"),
            model: ModelConfig::default(),
            split: SplitConfig::default(),
            search: SearchConfig::default(),
            index: IndexConfig::default(),
            vector_store: VectorStoreConfig::default(),
            links: LinksConfig::default(),
            server: ServerConfig::default(),
            author: AuthorConfig::default(),
            corpora: Vec::new(),
        }
    }
}

impl Config {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut config = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Parse a TOML file; relative paths are taken from the file's folder.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!("cannot read config file {}: {e}", path.display()))
        })?;
        let mut config = Config::from_toml(&text)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_relative_to(base);
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    fn resolve_relative_to(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.data_dir);
        fix(&mut self.cache_dir);
        fix(&mut self.model.dir);
        fix(&mut self.model.ort_dylib);
        fix(&mut self.server.web_dir);
        for c in &mut self.corpora {
            fix(&mut c.path);
        }
    }

    /// Environment layer; `get` is injectable so tests need not touch the process env.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = get("RHIZOME_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = get("RHIZOME_CACHE_DIR") {
            self.cache_dir = v.into();
        }
        if let Some(v) = get("RHIZOME_MODEL_DIR") {
            self.model.dir = v.into();
        }
        if let Some(v) = get("ORT_DYLIB_PATH") {
            self.model.ort_dylib = v.into();
        }
        let number = |name: &str, v: String| {
            v.parse::<usize>()
                .map_err(|_| Error::Config(format!("{name}={v:?} is not a number")))
        };
        if let Some(v) = get("RHIZOME_THREADS") {
            self.model.threads = number("RHIZOME_THREADS", v)?;
        }
        if let Some(v) = get("RHIZOME_SESSIONS") {
            self.model.sessions = number("RHIZOME_SESSIONS", v)?;
        }
        if let Some(v) = get("RHIZOME_FUSION") {
            self.search.fusion = choice(
                "RHIZOME_FUSION",
                &v,
                &[
                    ("rrf", FusionMethod::Rrf),
                    ("weighted", FusionMethod::Weighted),
                ],
            )?;
        }
        if let Some(v) = get("RHIZOME_LEXICAL") {
            self.search.lexical = choice(
                "RHIZOME_LEXICAL",
                &v,
                &[
                    ("text_index", LexicalSource::TextIndex),
                    ("vector_store", LexicalSource::VectorStore),
                ],
            )?;
        }
        if let Some(v) = get("RHIZOME_STATE") {
            self.server.state = choice(
                "RHIZOME_STATE",
                &v,
                &[
                    ("data_dir", StateSource::DataDir),
                    ("cluster", StateSource::Cluster),
                ],
            )?;
        }
        if let Some(v) = get("RHIZOME_CORS_ORIGINS") {
            self.server.cors_origins = v
                .split(',')
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
        }
        if let Some(v) = get("RHIZOME_COLLECTION") {
            self.vector_store.collection = v;
        }
        if let Some(v) = get("QDRANT_URL") {
            self.vector_store.backend = Backend::Server;
            self.vector_store.url = Some(v);
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<()> {
        let mut names = std::collections::HashSet::new();
        for c in &self.corpora {
            if c.name.is_empty() || c.name.contains('/') {
                return Err(Error::Config(format!(
                    "corpus name {:?} must be non-empty and contain no `/`",
                    c.name
                )));
            }
            if !names.insert(&c.name) {
                return Err(Error::Config(format!(
                    "corpus {:?} is declared twice",
                    c.name
                )));
            }
        }
        if !(0.0..=1.0).contains(&self.search.dense_weight) {
            return Err(Error::Config(
                "search.dense_weight must be within [0, 1]".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.search.unit_weight) {
            return Err(Error::Config(
                "search.unit_weight must be within [0, 1]".into(),
            ));
        }
        if self.split.min_chars >= self.split.max_chars {
            return Err(Error::Config(
                "split.min_chars must be below split.max_chars".into(),
            ));
        }
        if self.vector_store.backend == Backend::Server && self.vector_store.url.is_none() {
            return Err(Error::Config(
                "vector_store.backend = \"server\" needs vector_store.url (or QDRANT_URL)".into(),
            ));
        }
        Ok(())
    }

    pub fn corpus(&self, name: &str) -> Option<&CorpusConfig> {
        self.corpora.iter().find(|c| c.name == name)
    }
}

/// The value an environment variable names among `options`, or an error
/// naming the variable and what it accepts.
fn choice<T: Copy>(name: &str, v: &str, options: &[(&str, T)]) -> Result<T> {
    options
        .iter()
        .find(|(k, _)| *k == v)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<String> = options.iter().map(|(k, _)| format!("`{k}`")).collect();
            Error::Config(format!("{name}={v:?}: expected {}", names.join(" or ")))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corpus_is_redistributed_only_with_a_licence_and_not_when_refused() {
        let mut c: CorpusConfig =
            toml::from_str("name = \"x\"\npath = \"x\"\nformat = \"text\"").unwrap();
        assert!(!c.redistributable(), "no licence declared");
        c.license = Some("CC-BY-4.0".into());
        assert!(c.redistributable());
        c.redistribute = Some(false);
        assert!(!c.redistributable());
    }

    #[test]
    fn shipped_default_config_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rhizome.toml");
        let config = Config::from_file(&path).expect("rhizome.toml parses");
        config.validate().unwrap();
        assert!(config.corpus("crouzet-blog").is_some());
        assert!(config.data_dir.is_absolute() || config.data_dir.starts_with(".."));
    }

    #[test]
    fn env_overrides_file_and_defaults() {
        let mut c = Config::from_toml("data_dir = \"/x\"\n[search]\nfusion = \"rrf\"").unwrap();
        assert_eq!(c.search.fusion, FusionMethod::Rrf);
        c.apply_env(|k| match k {
            "RHIZOME_DATA_DIR" => Some("/y".into()),
            "RHIZOME_FUSION" => Some("weighted".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/y"));
        assert_eq!(c.search.fusion, FusionMethod::Weighted);
        assert_eq!(c.search.rrf_k, 60.0, "untouched values keep their default");
    }

    #[test]
    fn lexical_source_comes_from_toml_or_env_and_bad_names_are_refused() {
        let mut c = Config::from_toml("[search]\nlexical = \"vector_store\"").unwrap();
        assert_eq!(c.search.lexical, LexicalSource::VectorStore);
        assert_eq!(Config::default().search.lexical, LexicalSource::TextIndex);
        c.apply_env(|k| (k == "RHIZOME_LEXICAL").then(|| "text_index".into()))
            .unwrap();
        assert_eq!(c.search.lexical, LexicalSource::TextIndex);
        let e = c
            .apply_env(|k| (k == "RHIZOME_LEXICAL").then(|| "qdrant".into()))
            .unwrap_err();
        assert!(e.to_string().contains("RHIZOME_LEXICAL=\"qdrant\""), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let e = Config::from_toml("[search]\nfusoin = \"rrf\"").unwrap_err();
        assert!(e.to_string().contains("fusoin"), "{e}");
        let mut c = Config::default();
        let e = c
            .apply_env(|k| (k == "RHIZOME_THREADS").then(|| "two".into()))
            .unwrap_err();
        assert!(e.to_string().contains("RHIZOME_THREADS"), "{e}");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("laboetie*", "laboetie1548_servitude.md"));
        assert!(wildcard_match("*.md", "a/b.md"));
        assert!(wildcard_match("a*c*e", "abcde"));
        assert!(!wildcard_match("a*c*e", "abde"));
        assert!(wildcard_match("exact", "exact"));
    }
}
