//! The graph of ideas: texts as nodes, related-text links as weighted edges;
//! communities (Louvain), their labels, bridge texts, shortest paths, and
//! exports to GEXF (Gephi), GraphML and JSON.
//!
//! Owns: graph algorithms and serialisation, as pure functions of [`Links`]
//! and the catalogue. Must not: compute links or touch the stores.

use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

mod ego;
pub use ego::{ego, EgoQuery};

use crate::links::Links;
use crate::manifest::Catalogue;

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

/// Weight of a word in a cluster's label: how often linked passages inside the
/// cluster share it, times how few clusters share it at all (tf·idf).
pub fn label_weight(count: usize, clusters_with_word: usize, clusters: usize) -> f32 {
    count as f32 * (1.0 + clusters as f32 / clusters_with_word.max(1) as f32).ln()
}

/// Builds the text graph (optionally restricted to some corpora).
pub fn build(links: &Links, catalogue: &Catalogue, corpora: &[String], min_score: f32) -> Graph {
    let keep = |id: &str| {
        catalogue
            .texts
            .get(id)
            .is_some_and(|e| corpora.is_empty() || corpora.contains(&e.corpus))
    };
    let mut pairs: BTreeMap<(String, String), (f32, bool)> = BTreeMap::new();
    let mut terms_of_pair: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (src, list) in &links.related {
        for r in list {
            if r.score < min_score || !keep(src) || !keep(&r.text) {
                continue;
            }
            let key = if *src < r.text {
                (src.clone(), r.text.clone())
            } else {
                (r.text.clone(), src.clone())
            };
            let e = pairs.entry(key.clone()).or_insert((r.score, false));
            e.1 |= r.author;
            terms_of_pair.entry(key).or_insert_with(|| {
                r.evidence
                    .iter()
                    .flat_map(|ev| ev.terms.iter().cloned())
                    .collect()
            });
        }
    }
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (a, b) in pairs.keys() {
        for t in [a, b] {
            let k = index.len();
            index.entry(t.clone()).or_insert(k);
        }
    }
    let ids: Vec<String> = {
        let mut v = vec![String::new(); index.len()];
        for (t, &i) in &index {
            v[i] = t.clone();
        }
        v
    };
    let wedges: Vec<(usize, usize, f64)> = pairs
        .iter()
        .map(|((a, b), (w, _))| (index[a], index[b], *w as f64))
        .collect();
    let comm = louvain(ids.len(), &wedges);
    let mut degree = vec![0usize; ids.len()];
    for &(a, b, _) in &wedges {
        degree[a] += 1;
        degree[b] += 1;
    }
    // Cluster labels: the words most often shared by linked passages inside the cluster.
    let mut words: BTreeMap<usize, HashMap<String, usize>> = BTreeMap::new();
    for ((a, b), terms) in &terms_of_pair {
        if comm[index[a]] == comm[index[b]] {
            let w = words.entry(comm[index[a]]).or_default();
            for t in terms {
                *w.entry(t.clone()).or_default() += 1;
            }
        }
    }
    let mut clusters_with: HashMap<&str, usize> = HashMap::new();
    for w in words.values() {
        for t in w.keys() {
            *clusters_with.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for &c in &comm {
        *sizes.entry(c).or_default() += 1;
    }
    let clusters = sizes
        .iter()
        .map(|(&c, &size)| {
            // Distinctive, not just frequent: a word shared in many clusters says little.
            let mut w: Vec<(String, f32)> = words
                .get(&c)
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| !k.chars().all(|ch| ch.is_ascii_digit()))
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                label_weight(*v, clusters_with[k.as_str()], words.len()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            w.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            let label = if w.is_empty() {
                ids.iter()
                    .zip(&comm)
                    .find(|(_, &cc)| cc == c)
                    .map_or(String::new(), |(t, _)| {
                        catalogue
                            .texts
                            .get(t)
                            .map_or(t.clone(), |e| e.title.clone())
                    })
            } else {
                w.iter()
                    .take(3)
                    .map(|x| x.0.clone())
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            Cluster { id: c, label, size }
        })
        .collect();
    // Bridges: texts whose links spread over several clusters.
    let mut spread: Vec<HashMap<usize, f64>> = vec![HashMap::new(); ids.len()];
    for &(a, b, w) in &wedges {
        *spread[a].entry(comm[b]).or_default() += w;
        *spread[b].entry(comm[a]).or_default() += w;
    }
    let mut bridges: Vec<Bridge> = spread
        .iter()
        .enumerate()
        .filter(|(_, s)| s.len() >= 2)
        .map(|(i, s)| {
            let total: f64 = s.values().sum();
            let p = 1.0 - s.values().map(|w| (w / total).powi(2)).sum::<f64>();
            Bridge {
                text: ids[i].clone(),
                participation: p as f32,
                clusters: s.len(),
            }
        })
        .collect();
    bridges.sort_by(|a, b| {
        b.participation
            .total_cmp(&a.participation)
            .then(a.text.cmp(&b.text))
    });
    bridges.truncate(20);
    let nodes = ids
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let e = catalogue.texts.get(t);
            Node {
                id: t.clone(),
                title: e.map_or(t.clone(), |e| e.title.clone()),
                corpus: e.map_or(String::new(), |e| e.corpus.clone()),
                date: e.and_then(|e| e.date),
                cluster: comm[i],
                degree: degree[i],
            }
        })
        .collect();
    let edges = pairs
        .into_iter()
        .map(|((a, b), (w, author))| Edge {
            source: a,
            target: b,
            weight: w,
            author,
        })
        .collect();
    Graph {
        nodes,
        edges,
        clusters,
        bridges,
    }
}

/// The graph zoomed in to passages: the links of one text's paragraphs, as
/// (paragraph ids in the graph, links touching the text).
pub fn passages<'a>(
    links: &'a Links,
    text_id: &str,
) -> (Vec<String>, Vec<&'a crate::links::PassageLink>) {
    let prefix = crate::ids::paragraph_prefix(text_id);
    let edges: Vec<&crate::links::PassageLink> = links
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

/// Shortest path between two texts, edge cost 1/score (strong links are short).
pub fn path(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let (&s, &t) = (index.get(from)?, index.get(to)?);
    let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        let (a, b) = (index[e.source.as_str()], index[e.target.as_str()]);
        let cost = 1.0 / (e.weight.max(1e-3) as f64);
        adj[a].push((b, cost));
        adj[b].push((a, cost));
    }
    #[derive(PartialEq)]
    struct St(f64, usize);
    impl Eq for St {}
    impl PartialOrd for St {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for St {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
        }
    }
    let mut dist = vec![f64::INFINITY; graph.nodes.len()];
    let mut prev = vec![usize::MAX; graph.nodes.len()];
    let mut heap = BinaryHeap::new();
    dist[s] = 0.0;
    heap.push(St(0.0, s));
    while let Some(St(d, u)) = heap.pop() {
        if u == t {
            break;
        }
        if d > dist[u] {
            continue;
        }
        for &(v, c) in &adj[u] {
            if d + c < dist[v] {
                dist[v] = d + c;
                prev[v] = u;
                heap.push(St(d + c, v));
            }
        }
    }
    if dist[t].is_infinite() {
        return None;
    }
    let mut out = vec![graph.nodes[t].id.clone()];
    let mut u = t;
    while u != s {
        u = prev[u];
        out.push(graph.nodes[u].id.clone());
    }
    out.reverse();
    Some(out)
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// GEXF 1.3, as read by Gephi.
pub fn to_gexf(g: &Graph) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n  <meta><creator>Rhizome</creator><description>texts linked by echoing passages</description></meta>\n  <graph mode=\"static\" defaultedgetype=\"undirected\">\n");
    o.push_str("    <attributes class=\"node\">\n      <attribute id=\"corpus\" title=\"corpus\" type=\"string\"/>\n      <attribute id=\"cluster\" title=\"cluster\" type=\"integer\"/>\n      <attribute id=\"degree\" title=\"degree\" type=\"integer\"/>\n    </attributes>\n");
    o.push_str("    <attributes class=\"edge\">\n      <attribute id=\"author\" title=\"author\" type=\"boolean\"/>\n    </attributes>\n    <nodes>\n");
    for n in &g.nodes {
        let _ = writeln!(o, "      <node id=\"{}\" label=\"{}\"><attvalues><attvalue for=\"corpus\" value=\"{}\"/><attvalue for=\"cluster\" value=\"{}\"/><attvalue for=\"degree\" value=\"{}\"/></attvalues></node>", xml(&n.id), xml(&n.title), xml(&n.corpus), n.cluster, n.degree);
    }
    o.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in g.edges.iter().enumerate() {
        let _ = writeln!(o, "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{}\"><attvalues><attvalue for=\"author\" value=\"{}\"/></attvalues></edge>", xml(&e.source), xml(&e.target), e.weight, e.author);
    }
    o.push_str("    </edges>\n  </graph>\n</gexf>\n");
    o
}

/// GraphML, as read by networkx, igraph, yEd, Cytoscape.
pub fn to_graphml(g: &Graph) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    o.push_str("  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n  <key id=\"corpus\" for=\"node\" attr.name=\"corpus\" attr.type=\"string\"/>\n  <key id=\"cluster\" for=\"node\" attr.name=\"cluster\" attr.type=\"int\"/>\n  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n  <key id=\"author\" for=\"edge\" attr.name=\"author\" attr.type=\"boolean\"/>\n  <graph id=\"rhizome\" edgedefault=\"undirected\">\n");
    for n in &g.nodes {
        let _ = writeln!(o, "    <node id=\"{}\"><data key=\"label\">{}</data><data key=\"corpus\">{}</data><data key=\"cluster\">{}</data></node>", xml(&n.id), xml(&n.title), xml(&n.corpus), n.cluster);
    }
    for e in &g.edges {
        let _ = writeln!(o, "    <edge source=\"{}\" target=\"{}\"><data key=\"weight\">{}</data><data key=\"author\">{}</data></edge>", xml(&e.source), xml(&e.target), e.weight, e.author);
    }
    o.push_str("  </graph>\n</graphml>\n");
    o
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
                },
                Edge {
                    source: "b".into(),
                    target: "c".into(),
                    weight: 4.0,
                    author: true,
                },
                Edge {
                    source: "a".into(),
                    target: "c".into(),
                    weight: 0.1,
                    author: false,
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
    }
}
