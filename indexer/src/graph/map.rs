//! The map of everything (issue 17): every text of the chosen corpora at
//! its precomputed position (`Links::layout`), linked or not, with the
//! graph's edges between them and its clusters.
//!
//! Owns: joining the graph, the layout and the catalogue. Must not: lay
//! anything out (the layout is computed once, by `rhizome links`).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::{Cluster, Edge, Graph};
use crate::links::Links;
use crate::manifest::Catalogue;

#[derive(Debug, Clone, Serialize)]
pub struct MapNode {
    pub id: String,
    pub title: String,
    pub corpus: String,
    pub date: Option<i64>,
    /// Its cluster; none for a text with no shown link.
    pub cluster: Option<usize>,
    pub degree: usize,
    pub x: f32,
    pub y: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapView<'a> {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<&'a Edge>,
    pub clusters: Vec<&'a Cluster>,
}

/// Every text of `corpora` (all if empty) that has a position.
pub fn map<'a>(
    graph: &'a Graph,
    links: &Links,
    catalogue: &Catalogue,
    corpora: &[String],
) -> MapView<'a> {
    let in_graph: HashMap<&str, &super::Node> =
        graph.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let nodes: Vec<MapNode> = catalogue
        .texts
        .iter()
        .filter(|(_, e)| corpora.is_empty() || corpora.contains(&e.corpus))
        .filter_map(|(id, e)| {
            let [x, y] = *links.layout.get(id)?;
            let g = in_graph.get(id.as_str());
            Some(MapNode {
                id: id.clone(),
                title: e.title.clone(),
                corpus: e.corpus.clone(),
                date: e.date,
                cluster: g.map(|n| n.cluster),
                degree: g.map_or(0, |n| n.degree),
                x,
                y,
            })
        })
        .collect();
    let kept: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let edges: Vec<&Edge> = graph
        .edges
        .iter()
        .filter(|e| kept.contains(e.source.as_str()) && kept.contains(e.target.as_str()))
        .collect();
    let used: BTreeSet<usize> = nodes.iter().filter_map(|n| n.cluster).collect();
    MapView {
        nodes,
        edges,
        clusters: graph
            .clusters
            .iter()
            .filter(|c| used.contains(&c.id))
            .collect(),
    }
}
