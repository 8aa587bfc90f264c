//! The graph of ideas: texts as nodes, related-text links as weighted edges;
//! communities (Louvain), their labels, bridge texts, shortest paths, and
//! exports to GEXF (Gephi), GraphML and JSON.
//!
//! Owns: graph algorithms and serialisation, as pure functions of [`crate::links::Links`]
//! and the catalogue. Must not: compute links or touch the stores.

use serde::Serialize;

mod build;
mod ego;
mod export;
mod louvain;
mod map;
mod paths;

pub use build::{build, label_weight, pair_kind, pair_kind_of};
pub use ego::{ego, EgoQuery};
pub use export::{to_gexf, to_graphml};
pub use louvain::louvain;
pub use map::{map, MapNode, MapView};
pub use paths::{passages, path};

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub id: String,
    pub title: String,
    pub corpus: String,
    pub date: Option<i64>,
    pub cluster: usize,
    pub degree: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub weight: f32,
    /// One of the two texts links to the other (the author's own link).
    pub author: bool,
    /// What connects them (issue 16): `reuse` when any passage pair shares
    /// a span, else the kind of their strongest passage pair.
    pub kind: crate::links::LinkKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub id: usize,
    pub label: String,
    pub size: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bridge {
    pub text: String,
    /// Participation coefficient: 1 − Σ_c (share of edge weight to cluster c)².
    pub participation: f32,
    pub clusters: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub clusters: Vec<Cluster>,
    pub bridges: Vec<Bridge>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn louvain_finds_two_cliques_joined_by_a_thin_edge() {
        let mut e = vec![];
        for (a, b) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)] {
            e.push((a, b, 1.0));
        }
        e.push((2, 3, 0.1));
        let c = louvain(6, &e);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_eq!(c[3], c[4]);
        assert_eq!(c[4], c[5]);
        assert_ne!(c[0], c[3]);
    }

    fn tiny() -> Graph {
        let node = |id: &str, cluster| Node {
            id: id.into(),
            title: format!("{id} & co"),
            corpus: "c".into(),
            date: None,
            cluster,
            degree: 1,
        };
        Graph {
            nodes: vec![node("a", 0), node("b", 0), node("c", 1)],
            edges: vec![
                Edge {
                    source: "a".into(),
                    target: "b".into(),
                    weight: 1.0,
                    author: false,
                    kind: crate::links::LinkKind::Echo,
                },
                Edge {
                    source: "b".into(),
                    target: "c".into(),
                    weight: 4.0,
                    author: true,
                    kind: crate::links::LinkKind::Reuse,
                },
                Edge {
                    source: "a".into(),
                    target: "c".into(),
                    weight: 0.1,
                    author: false,
                    kind: crate::links::LinkKind::Echo,
                },
            ],
            clusters: vec![],
            bridges: vec![],
        }
    }

    #[test]
    fn labels_prefer_distinctive_words() {
        // "réseaux" 5 times but in all 6 clusters; "fascisme" 3 times, in 1 cluster only
        assert!(label_weight(3, 1, 6) > label_weight(5, 6, 6));
        assert!(label_weight(4, 2, 6) > label_weight(2, 2, 6));
    }

    #[test]
    fn shortest_path_prefers_strong_links() {
        let g = tiny();
        assert_eq!(path(&g, "a", "c").unwrap(), ["a", "b", "c"]);
        assert!(path(&g, "a", "zzz").is_none());
    }

    #[test]
    fn exports_escape_and_count() {
        let g = tiny();
        let gexf = to_gexf(&g);
        assert_eq!(gexf.matches("<node ").count(), 3);
        assert_eq!(gexf.matches("<edge ").count(), 3);
        assert!(gexf.contains("a &amp; co"));
        assert_eq!(to_graphml(&g).matches("<edge ").count(), 3);
        // every edge says what connects its texts (issue 16)
        assert_eq!(
            gexf.matches("<attvalue for=\"kind\" value=\"reuse\"/>")
                .count(),
            1
        );
        assert_eq!(
            gexf.matches("<attvalue for=\"kind\" value=\"echo\"/>")
                .count(),
            2
        );
        assert_eq!(to_graphml(&g).matches("<data key=\"kind\">").count(), 3);
    }

    #[test]
    fn a_pair_is_a_reuse_when_any_of_its_passages_is_one() {
        use crate::links::LinkKind::*;
        assert_eq!(pair_kind_of(&[Echo, Theme, Reuse]), Reuse);
        assert_eq!(pair_kind_of(&[Theme, Echo]), Theme);
        assert_eq!(pair_kind_of(&[]), Echo);
    }
}
