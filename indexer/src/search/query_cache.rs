//! The vectors of recent queries (issue 15): a reader who pages, a widget
//! asked twice, a search repeated by several readers embed once.
//!
//! Owns: a small least-recently-used map from query text to vector. Must
//! not: outlive the model (vectors are the model's; the engine holds one
//! model for its life).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Queries remembered: their vectors are 1.5 KB each.
const CAPACITY: usize = 512;

#[derive(Default)]
pub(crate) struct QueryCache {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    tick: u64,
    map: HashMap<String, (u64, Arc<Vec<f32>>)>,
}

impl QueryCache {
    pub fn get(&self, query: &str) -> Option<Arc<Vec<f32>>> {
        let mut e = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        e.tick += 1;
        let tick = e.tick;
        let hit = e.map.get_mut(query)?;
        hit.0 = tick;
        Some(hit.1.clone())
    }

    /// Remembers a vector, forgetting the least recently used past capacity.
    pub fn put(&self, query: &str, v: Arc<Vec<f32>>) {
        let mut e = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        e.tick += 1;
        let tick = e.tick;
        if e.map.len() >= CAPACITY && !e.map.contains_key(query) {
            if let Some(oldest) = e
                .map
                .iter()
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| k.clone())
            {
                e.map.remove(&oldest);
            }
        }
        e.map.insert(query.to_string(), (tick, v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_query_goes_first() {
        let c = QueryCache::default();
        for i in 0..CAPACITY {
            c.put(&format!("q{i}"), Arc::new(vec![i as f32]));
        }
        assert!(c.get("q0").is_some()); // q0 used again: q1 is now the oldest
        c.put("new", Arc::new(vec![0.5]));
        assert!(c.get("q1").is_none());
        assert_eq!(c.get("q0").unwrap()[0], 0.0);
        assert_eq!(c.get("new").unwrap()[0], 0.5);
    }
}
