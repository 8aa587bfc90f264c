//! What the bench binaries share: their small command line.

use rhizome::Config;

/// `--name value` pairs from the command line.
pub struct Args(Vec<String>);

impl Args {
    pub fn from_env() -> Args {
        Args(std::env::args().collect())
    }

    /// The value after `name`, if given.
    pub fn value(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .position(|a| a == name)
            .and_then(|i| self.0.get(i + 1).cloned())
    }

    /// A number after `name`, or `default`.
    pub fn number(&self, name: &str, default: usize) -> anyhow::Result<usize> {
        Ok(self.value(name).map_or(Ok(default), |v| v.parse())?)
    }

    /// The config named by `--config` (default `rhizome.toml`), with its layers.
    pub fn config(&self) -> anyhow::Result<Config> {
        let path = self.value("--config").unwrap_or("rhizome.toml".into());
        Ok(Config::load(Some(std::path::Path::new(&path)))?)
    }
}
