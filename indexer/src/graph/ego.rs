//! The graph around one text: its strongest links, hop by hop. Pure: reads
//! the text graph, returns which texts and edges to draw.

use std::collections::{BTreeSet, HashMap};

use super::{Edge, Graph};

/// What an ego graph is asked: hops, links kept per text, weakest link, corpora.
#[derive(Debug, Clone)]
pub struct EgoQuery<'a> {
    pub center: &'a str,
    pub depth: usize,
    /// Strongest links kept per text, before walking.
    pub k: usize,
    pub min_score: f32,
    /// Only texts of these corpora (all if empty).
    pub corpora: &'a [String],
}

/// The texts within `depth` hops of the centre through each text's `k`
/// strongest links, and the edges among them.
pub fn ego<'g>(graph: &'g Graph, q: &EgoQuery) -> (BTreeSet<String>, Vec<&'g Edge>) {
    let corpus_of: HashMap<&str, &str> = graph
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.corpus.as_str()))
        .collect();
    let ok = |t: &str| {
        q.corpora.is_empty()
            || corpus_of
                .get(t)
                .is_some_and(|c| q.corpora.iter().any(|x| x == c))
    };
    let mut adj: HashMap<&str, Vec<&Edge>> = HashMap::new();
    for e in graph
        .edges
        .iter()
        .filter(|e| e.weight >= q.min_score && ok(&e.source) && ok(&e.target))
    {
        adj.entry(e.source.as_str()).or_default().push(e);
        adj.entry(e.target.as_str()).or_default().push(e);
    }
    for list in adj.values_mut() {
        list.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        list.truncate(q.k);
    }
    let mut keep: BTreeSet<&str> = BTreeSet::from([q.center]);
    let mut frontier = vec![q.center];
    let mut edges: Vec<&Edge> = Vec::new();
    for _ in 0..q.depth {
        let mut next = Vec::new();
        for t in frontier {
            for e in adj.get(t).into_iter().flatten() {
                let other = if e.source == t {
                    e.target.as_str()
                } else {
                    e.source.as_str()
                };
                if keep.insert(other) {
                    next.push(other);
                }
                if !edges.iter().any(|x| std::ptr::eq(*x, *e)) {
                    edges.push(e);
                }
            }
        }
        frontier = next;
    }
    edges.retain(|e| keep.contains(e.source.as_str()) && keep.contains(e.target.as_str()));
    (keep.into_iter().map(String::from).collect(), edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: &str, b: &str, w: f32) -> Edge {
        Edge {
            source: a.into(),
            target: b.into(),
            weight: w,
            author: false,
            kind: crate::links::LinkKind::Echo,
        }
    }

    #[test]
    fn hops_follow_each_texts_strongest_links() {
        let g = Graph {
            nodes: vec![],
            edges: vec![
                edge("a", "b", 3.0),
                edge("b", "c", 2.0),
                edge("a", "d", 1.0),
                edge("c", "e", 1.0),
            ],
            clusters: vec![],
            bridges: vec![],
        };
        let q = |depth, k, min_score| EgoQuery {
            center: "a",
            depth,
            k,
            min_score,
            corpora: &[],
        };
        let names = |r: (BTreeSet<String>, Vec<&Edge>)| r.0.into_iter().collect::<Vec<_>>();
        assert_eq!(names(ego(&g, &q(1, 10, 0.0))), ["a", "b", "d"]);
        assert_eq!(names(ego(&g, &q(2, 10, 0.0))), ["a", "b", "c", "d"]);
        assert_eq!(
            names(ego(&g, &q(1, 1, 0.0))),
            ["a", "b"],
            "one link per text"
        );
        assert_eq!(
            names(ego(&g, &q(2, 10, 1.5))),
            ["a", "b", "c"],
            "weak links dropped"
        );
    }
}
