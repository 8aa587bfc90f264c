//! The text graph from the link graph: nodes, edges, Louvain clusters with
//! distinctive labels, and bridge texts.

use std::collections::{BTreeMap, HashMap};

use super::{louvain, Bridge, Cluster, Edge, Graph, Node};
use crate::links::{Evidence, LinkKind, Links};
use crate::manifest::Catalogue;

/// Weight of a word in a cluster's label: how often linked passages inside the
/// cluster share it, times how few clusters share it at all (tf·idf).
pub fn label_weight(count: usize, clusters_with_word: usize, clusters: usize) -> f32 {
    count as f32 * (1.0 + clusters as f32 / clusters_with_word.max(1) as f32).ln()
}

/// Text pairs (lower id first) with their score, whether the author
/// linked them, and the salient words their evidence shares.
struct Pairs {
    weight: BTreeMap<(String, String), (f32, bool)>,
    terms: HashMap<(String, String), Vec<String>>,
    kinds: HashMap<(String, String), LinkKind>,
}

/// A text pair's kind from its evidence (best first): `reuse` when any
/// passage pair shares a span, else the kind of the strongest pair.
pub fn pair_kind(evidence: &[Evidence]) -> LinkKind {
    pair_kind_of(&evidence.iter().map(|e| e.kind).collect::<Vec<_>>())
}

/// Reuse over echo over theme.
fn stronger(a: LinkKind, b: LinkKind) -> LinkKind {
    let rank = |k: LinkKind| match k {
        LinkKind::Reuse => 2,
        LinkKind::Echo => 1,
        LinkKind::Theme => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// The same rule on the evidence's kinds alone (best first).
pub fn pair_kind_of(kinds: &[LinkKind]) -> LinkKind {
    if kinds.contains(&LinkKind::Reuse) {
        LinkKind::Reuse
    } else {
        kinds.first().copied().unwrap_or_default()
    }
}

/// Builds the text graph (optionally restricted to some corpora).
pub fn build(links: &Links, catalogue: &Catalogue, corpora: &[String], min_score: f32) -> Graph {
    let pairs = shown_pairs(links, catalogue, corpora, min_score);
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (a, b) in pairs.weight.keys() {
        for t in [a, b] {
            let k = index.len();
            index.entry(t.clone()).or_insert(k);
        }
    }
    let mut ids = vec![String::new(); index.len()];
    for (t, &i) in &index {
        ids[i] = t.clone();
    }
    let wedges: Vec<(usize, usize, f64)> = pairs
        .weight
        .iter()
        .map(|((a, b), (w, _))| (index[a], index[b], *w as f64))
        .collect();
    let comm = louvain(ids.len(), &wedges);
    let mut degree = vec![0usize; ids.len()];
    for &(a, b, _) in &wedges {
        degree[a] += 1;
        degree[b] += 1;
    }
    let clusters = clusters(&pairs, &index, &ids, &comm, catalogue);
    let bridges = bridges(&wedges, &ids, &comm);
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
        .weight
        .into_iter()
        .map(|((a, b), (w, author))| Edge {
            kind: pairs
                .kinds
                .get(&(a.clone(), b.clone()))
                .copied()
                .unwrap_or_default(),
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

/// The related pairs at least `min_score` between texts of the corpora.
fn shown_pairs(links: &Links, catalogue: &Catalogue, corpora: &[String], min_score: f32) -> Pairs {
    let keep = |id: &str| {
        catalogue
            .texts
            .get(id)
            .is_some_and(|e| corpora.is_empty() || corpora.contains(&e.corpus))
    };
    let mut pairs = Pairs {
        weight: BTreeMap::new(),
        terms: HashMap::new(),
        kinds: HashMap::new(),
    };
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
            let e = pairs.weight.entry(key.clone()).or_insert((r.score, false));
            e.1 |= r.author;
            // both texts list the pair: the stronger kind of the two wins
            let kind = pair_kind(&r.evidence);
            pairs
                .kinds
                .entry(key.clone())
                .and_modify(|k| *k = stronger(*k, kind))
                .or_insert(kind);
            pairs.terms.entry(key).or_insert_with(|| {
                r.evidence
                    .iter()
                    .flat_map(|ev| ev.terms.iter().cloned())
                    .collect()
            });
        }
    }
    pairs
}

/// Each cluster with its label: the words most often shared by linked
/// passages inside it, distinctive ones first; else its first text's title.
fn clusters(
    pairs: &Pairs,
    index: &BTreeMap<String, usize>,
    ids: &[String],
    comm: &[usize],
    catalogue: &Catalogue,
) -> Vec<Cluster> {
    let mut words: BTreeMap<usize, HashMap<String, usize>> = BTreeMap::new();
    for ((a, b), terms) in &pairs.terms {
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
    for &c in comm {
        *sizes.entry(c).or_default() += 1;
    }
    let label_of = |c: usize| {
        // Distinctive, not just frequent: a word shared in many clusters says little.
        let mut w: Vec<(String, f32)> = words
            .get(&c)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| !k.chars().all(|ch| ch.is_ascii_digit()))
                    .map(|(k, v)| {
                        let weight = label_weight(*v, clusters_with[k.as_str()], words.len());
                        (k.clone(), weight)
                    })
                    .collect()
            })
            .unwrap_or_default();
        w.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        if w.is_empty() {
            ids.iter()
                .zip(comm)
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
        }
    };
    sizes
        .iter()
        .map(|(&c, &size)| Cluster {
            id: c,
            label: label_of(c),
            size,
        })
        .collect()
}

/// Bridges: texts whose links spread over several clusters, by
/// participation coefficient, the best 20.
fn bridges(wedges: &[(usize, usize, f64)], ids: &[String], comm: &[usize]) -> Vec<Bridge> {
    let mut spread: Vec<HashMap<usize, f64>> = vec![HashMap::new(); ids.len()];
    for &(a, b, w) in wedges {
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
    bridges
}
