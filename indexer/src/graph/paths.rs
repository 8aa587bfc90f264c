//! Walking the graph: the shortest path between two texts (petgraph's A*
//! with a zero heuristic, i.e. Dijkstra with the path kept), and the graph
//! zoomed in to one text's passages.

use std::collections::HashMap;

use petgraph::graph::{NodeIndex, UnGraph};

use super::Graph;
use crate::links::{Links, PassageLink};

/// Shortest path between two texts, edge cost 1/score (strong links are short).
pub fn path(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let (&s, &t) = (index.get(from)?, index.get(to)?);
    let mut g: UnGraph<(), f64> = UnGraph::with_capacity(graph.nodes.len(), graph.edges.len());
    for _ in &graph.nodes {
        g.add_node(());
    }
    for e in &graph.edges {
        let (a, b) = (index[e.source.as_str()], index[e.target.as_str()]);
        let cost = 1.0 / (e.weight.max(1e-3) as f64);
        g.add_edge(NodeIndex::new(a), NodeIndex::new(b), cost);
    }
    let goal = NodeIndex::new(t);
    let (_, nodes) = petgraph::algo::astar(
        &g,
        NodeIndex::new(s),
        |n| n == goal,
        |e| *e.weight(),
        |_| 0.0,
    )?;
    Some(
        nodes
            .into_iter()
            .map(|n| graph.nodes[n.index()].id.clone())
            .collect(),
    )
}

/// The graph zoomed in to passages: the links of one text's paragraphs, as
/// (paragraph ids in the graph, links touching the text).
pub fn passages<'a>(links: &'a Links, text_id: &str) -> (Vec<String>, Vec<&'a PassageLink>) {
    let prefix = crate::ids::paragraph_prefix(text_id);
    let edges: Vec<&PassageLink> = links
        .passage_links
        .iter()
        .filter(|l| l.from.starts_with(&prefix) || l.to.starts_with(&prefix))
        .collect();
    let mut ids: Vec<String> = edges
        .iter()
        .flat_map(|l| [l.from.clone(), l.to.clone()])
        .collect();
    ids.sort();
    ids.dedup();
    (ids, edges)
}
