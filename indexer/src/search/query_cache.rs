//! Recent answers, least recently used out (issue 15): the vectors of
//! recent queries — a reader who pages, a search several readers ask —
//! embed once; the API keeps its recent search responses the same way.
//!
//! Owns: a small least-recently-used map from a text key to a value. Must
//! not: outlive what its values depend on (the engine holds one model for
//! its life; the API drops its responses with its knowledge on re-index).

use std::collections::HashMap;
use std::sync::Mutex;

/// Recent values by key, at most `capacity` of them.
pub struct RecentCache<V> {
    capacity: usize,
    inner: Mutex<Entries<V>>,
}

struct Entries<V> {
    tick: u64,
    map: HashMap<String, (u64, V)>,
}

/// Query vectors remembered by the engine (1.5 KB each).
pub(crate) type QueryCache = RecentCache<std::sync::Arc<Vec<f32>>>;

/// Queries whose vectors the engine remembers.
pub(crate) const QUERY_VECTORS: usize = 512;

impl<V: Clone> RecentCache<V> {
    pub fn new(capacity: usize) -> Self {
        RecentCache {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries {
                tick: 0,
                map: HashMap::new(),
            }),
        }
    }

    pub fn get(&self, key: &str) -> Option<V> {
        let mut e = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        e.tick += 1;
        let tick = e.tick;
        let hit = e.map.get_mut(key)?;
        hit.0 = tick;
        Some(hit.1.clone())
    }

    /// Remembers a value, forgetting the least recently used past capacity.
    pub fn put(&self, key: &str, v: V) {
        let mut e = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        e.tick += 1;
        let tick = e.tick;
        if e.map.len() >= self.capacity && !e.map.contains_key(key) {
            if let Some(oldest) = e
                .map
                .iter()
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| k.clone())
            {
                e.map.remove(&oldest);
            }
        }
        e.map.insert(key.to_string(), (tick, v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_key_goes_first() {
        let c: RecentCache<f32> = RecentCache::new(8);
        for i in 0..8 {
            c.put(&format!("q{i}"), i as f32);
        }
        assert!(c.get("q0").is_some()); // q0 used again: q1 is now the oldest
        c.put("new", 0.5);
        assert!(c.get("q1").is_none());
        assert_eq!(c.get("q0"), Some(0.0));
        assert_eq!(c.get("new"), Some(0.5));
    }
}
