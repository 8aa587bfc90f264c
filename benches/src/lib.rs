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

/// Unit vectors around a shared direction (cosines near 0.8, like e5's):
/// the synthetic rows of the dense-pass benches.
pub fn e5_like(n: usize, dim: usize) -> ndarray::Array2<f32> {
    let mut s = 7u64;
    let mut v = ndarray::Array2::from_shape_fn((n, dim), |(_, d)| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let noise = ((s >> 33) as f32 / (1u64 << 31) as f32) - 0.5;
        noise * 0.5 + if d % 7 == 0 { 1.0 } else { 0.0 }
    });
    for mut r in v.rows_mut() {
        let norm = r.dot(&r).sqrt();
        r.mapv_inplace(|x| x / norm);
    }
    v
}
