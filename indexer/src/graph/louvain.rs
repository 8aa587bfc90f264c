//! Louvain community detection (weighted, undirected), hand-written: no
//! maintained crate does deterministic weighted Louvain (petgraph has none;
//! the graph crates that do are unmaintained or pull a runtime), and the
//! clusters must not change from run to run.

use std::collections::{BTreeMap, HashMap};

/// Louvain community detection (weighted, undirected), deterministic: nodes
/// are visited in index order and ties keep the lower community id.
pub fn louvain(n: usize, edges: &[(usize, usize, f64)]) -> Vec<usize> {
    let mut membership: Vec<usize> = (0..n).collect();
    let mut level_edges: Vec<(usize, usize, f64)> = edges.to_vec();
    let mut level_n = n;
    loop {
        let (comm, moved) = one_level(level_n, &level_edges);
        if !moved {
            break;
        }
        // renumber communities 0..k
        let mut ids: HashMap<usize, usize> = HashMap::new();
        let comm: Vec<usize> = comm
            .iter()
            .map(|c| {
                let k = ids.len();
                *ids.entry(*c).or_insert(k)
            })
            .collect();
        for m in membership.iter_mut() {
            *m = comm[*m];
        }
        // aggregate
        let mut agg: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for &(a, b, w) in &level_edges {
            let (ca, cb) = (comm[a], comm[b]);
            *agg.entry((ca.min(cb), ca.max(cb))).or_default() += w;
        }
        level_n = ids.len();
        level_edges = agg.into_iter().map(|((a, b), w)| (a, b, w)).collect();
    }
    membership
}

fn one_level(n: usize, edges: &[(usize, usize, f64)]) -> (Vec<usize>, bool) {
    let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut k = vec![0f64; n];
    let mut m2 = 0f64;
    for &(a, b, w) in edges {
        if a == b {
            k[a] += 2.0 * w;
            adj[a].push((a, w));
        } else {
            adj[a].push((b, w));
            adj[b].push((a, w));
            k[a] += w;
            k[b] += w;
        }
        m2 += 2.0 * w;
    }
    let mut comm: Vec<usize> = (0..n).collect();
    let mut tot = k.clone();
    if m2 == 0.0 {
        return (comm, false);
    }
    let mut moved_any = false;
    loop {
        let mut moved = false;
        for i in 0..n {
            let ci = comm[i];
            let mut w_to: BTreeMap<usize, f64> = BTreeMap::new();
            for &(j, w) in &adj[i] {
                if j != i {
                    *w_to.entry(comm[j]).or_default() += w;
                }
            }
            tot[ci] -= k[i];
            let gain = |c: usize, w: f64| w - tot[c] * k[i] / m2;
            let mut best = (ci, gain(ci, w_to.get(&ci).copied().unwrap_or(0.0)));
            for (&c, &w) in &w_to {
                let g = gain(c, w);
                if g > best.1 + 1e-12 {
                    best = (c, g);
                }
            }
            tot[best.0] += k[i];
            if best.0 != ci {
                comm[i] = best.0;
                moved = true;
                moved_any = true;
            }
        }
        if !moved {
            break;
        }
    }
    (comm, moved_any)
}
