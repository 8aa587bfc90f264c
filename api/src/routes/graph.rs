//! Graphs of ideas: ego graph, overview with clusters, paths, clusters.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;

use rhizome::graph::Graph;

use super::{bounded, corpora};
use crate::dto::{
    ClusterInfo, EgoParams, GraphEdge, GraphNode, GraphResponse, MapParams, MapResponse,
    OverviewParams, PathParams, PathResponse,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::texts::cached_json;
use crate::AppState;

fn node(n: &rhizome::graph::Node) -> GraphNode {
    GraphNode {
        id: n.id.clone(),
        title: n.title.clone(),
        corpus: n.corpus.clone(),
        date: n.date,
        cluster: n.cluster,
        degree: n.degree,
    }
}

fn respond(
    headers: &HeaderMap,
    generation: &str,
    key: &str,
    g: &impl serde::Serialize,
) -> ApiResult<Response> {
    let body = serde_json::to_vec(g).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )
    })?;
    let etag = format!(
        "\"{generation}-{}\"",
        &blake3::hash(key.as_bytes()).to_hex()[..8]
    );
    Ok(cached_json(headers, &etag, std::sync::Arc::new(body)))
}

fn subgraph(g: &Graph, keep: &BTreeSet<&str>, edges: Vec<&rhizome::graph::Edge>) -> GraphResponse {
    let nodes: Vec<GraphNode> = g
        .nodes
        .iter()
        .filter(|n| keep.contains(n.id.as_str()))
        .map(node)
        .collect();
    let used: BTreeSet<usize> = nodes.iter().map(|n| n.cluster).collect();
    GraphResponse {
        nodes,
        edges: edges.into_iter().map(edge).collect(),
        clusters: g
            .clusters
            .iter()
            .filter(|c| used.contains(&c.id))
            .map(cluster)
            .collect(),
    }
}

fn edge(e: &rhizome::graph::Edge) -> GraphEdge {
    GraphEdge {
        source: e.source.clone(),
        target: e.target.clone(),
        weight: e.weight,
        author: e.author,
        kind: e.kind.into(),
    }
}

fn cluster(c: &rhizome::graph::Cluster) -> ClusterInfo {
    ClusterInfo {
        id: c.id,
        label: c.label.clone(),
        size: c.size,
    }
}

/// `min_score` between 0 and 100 (default 0).
fn min_score(v: Option<f64>) -> ApiResult<f32> {
    let min_score = v.unwrap_or(0.0);
    if !(0.0..=100.0).contains(&min_score) {
        return Err(ApiError::bad_request(format!(
            "min_score must be between 0 and 100 (got {min_score})"
        )));
    }
    Ok(min_score as f32)
}

/// An indexed text without links, as a node of its own.
fn lone_node(catalogue: &rhizome::manifest::Catalogue, id: &str) -> GraphNode {
    let e = &catalogue.texts[id];
    GraphNode {
        id: id.to_string(),
        title: e.title.clone(),
        corpus: e.corpus.clone(),
        date: e.date,
        cluster: usize::MAX,
        degree: 0,
    }
}

/// The texts around one text, up to `depth` hops, strongest links first.
#[utoipa::path(get, path = "/api/v1/graph/ego/{id}", params(("id" = String, Path, description = "text id", example = "crouzet-blog/posts/2025/01/technofascisme"), EgoParams), tag = "graph",
    responses((status = 200, body = GraphResponse), (status = 304, description = "not modified (If-None-Match)"), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn ego(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<EgoParams>,
) -> ApiResult<Response> {
    let depth = bounded("depth", p.depth, 1, 1, 3)?;
    let k = bounded("k", p.k, 10, 1, 50)?;
    let min_score = min_score(p.min_score)?;
    let corpora = corpora(&state, &p.corpus)?;
    let kn = state.knowledge();
    if !kn.catalogue.texts.contains_key(&id) {
        return Err(ApiError::not_found(format!("no text {id:?}")));
    }
    let g = &kn.graph;
    let query = rhizome::graph::EgoQuery {
        center: &id,
        depth,
        k,
        min_score,
        corpora: &corpora,
    };
    let (keep, edges) = rhizome::graph::ego(g, &query);
    let keep: BTreeSet<&str> = keep.iter().map(String::as_str).collect();
    let mut resp = subgraph(g, &keep, edges);
    if resp.nodes.is_empty() {
        // a text with no links is still a node
        resp.nodes.push(lone_node(&kn.catalogue, &id));
    }
    respond(
        &headers,
        &kn.generation,
        &format!("ego|{id}|{depth}|{k}|{min_score}|{corpora:?}"),
        &resp,
    )
}

/// The whole corpus, bounded to its most connected texts, with clusters.
#[utoipa::path(get, path = "/api/v1/graph/overview", params(OverviewParams), tag = "graph",
    responses((status = 200, body = GraphResponse), (status = 304, description = "not modified (If-None-Match)"), (status = 400, body = crate::error::ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<OverviewParams>,
) -> ApiResult<Response> {
    let max = bounded("max_nodes", p.max_nodes, 300, 10, 1000)?;
    let corpora = corpora(&state, &p.corpus)?;
    let kn = state.knowledge();
    let g = &kn.graph;
    let mut nodes: Vec<&rhizome::graph::Node> = g
        .nodes
        .iter()
        .filter(|n| corpora.is_empty() || corpora.contains(&n.corpus))
        .collect();
    nodes.sort_by(|a, b| b.degree.cmp(&a.degree).then(a.id.cmp(&b.id)));
    nodes.truncate(max);
    let keep: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let edges = g
        .edges
        .iter()
        .filter(|e| keep.contains(e.source.as_str()) && keep.contains(e.target.as_str()))
        .collect();
    respond(
        &headers,
        &kn.generation,
        &format!("overview|{max}|{corpora:?}"),
        &subgraph(g, &keep, edges),
    )
}

/// Every text at once, at positions computed once per link graph: the
/// reader's map (issue 17).
#[utoipa::path(get, path = "/api/v1/graph/map", params(MapParams), tag = "graph",
    responses((status = 200, body = MapResponse), (status = 304, description = "not modified (If-None-Match)"), (status = 400, body = crate::error::ErrorBody), (status = 503, description = "no links computed yet, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn map(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<MapParams>,
) -> ApiResult<Response> {
    let corpora = corpora(&state, &p.corpus)?;
    let kn = state.knowledge();
    let links = kn.links.as_ref().ok_or_else(ApiError::links_not_computed)?;
    let m = rhizome::graph::map(&kn.graph, links, &kn.catalogue, &corpora);
    let resp = MapResponse {
        nodes: m
            .nodes
            .into_iter()
            .map(|n| crate::dto::MapNode {
                id: n.id,
                title: n.title,
                corpus: n.corpus,
                date: n.date,
                cluster: n.cluster,
                degree: n.degree,
                x: n.x,
                y: n.y,
            })
            .collect(),
        edges: m.edges.into_iter().map(edge).collect(),
        clusters: m.clusters.into_iter().map(cluster).collect(),
    };
    respond(&headers, &kn.generation, &format!("map|{corpora:?}"), &resp)
}

/// The shortest chain of related texts between two texts.
#[utoipa::path(get, path = "/api/v1/graph/path", params(PathParams), tag = "graph",
    responses((status = 200, body = PathResponse), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn path(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<PathParams>,
) -> ApiResult<Json<PathResponse>> {
    let kn = state.knowledge();
    for id in [&p.from, &p.to] {
        if !kn.catalogue.texts.contains_key(id) {
            return Err(ApiError::not_found(format!("no text {id:?}")));
        }
    }
    let steps = rhizome::graph::path(&kn.graph, &p.from, &p.to).ok_or_else(|| {
        ApiError::not_found(format!("no path between {:?} and {:?}", p.from, p.to))
    })?;
    let by_id: HashMap<&str, &rhizome::graph::Node> =
        kn.graph.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    Ok(Json(PathResponse {
        path: steps
            .iter()
            .filter_map(|s| by_id.get(s.as_str()).map(|n| node(n)))
            .collect(),
    }))
}

/// Clusters of texts with their labels.
#[utoipa::path(get, path = "/api/v1/graph/clusters", tag = "graph", responses((status = 200, body = [ClusterInfo])))]
pub async fn clusters(State(state): State<AppState>) -> Json<Vec<ClusterInfo>> {
    Json(
        state
            .knowledge()
            .graph
            .clusters
            .iter()
            .map(|c| ClusterInfo {
                id: c.id,
                label: c.label.clone(),
                size: c.size,
            })
            .collect(),
    )
}

/// The graph zoomed in: a text's paragraphs and the passages of other texts they echo.
#[utoipa::path(get, path = "/api/v1/graph/passages/{id}", params(("id" = String, Path, description = "text id", example = "crouzet-blog/posts/2025/01/technofascisme"), crate::dto::KindParams), tag = "graph",
    responses((status = 200, body = crate::dto::PassageGraph), (status = 400, description = "a `kind` that is not reuse, echo or theme", body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 503, description = "no links computed yet, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn passages(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<crate::dto::KindParams>,
) -> ApiResult<Json<crate::dto::PassageGraph>> {
    if !state.knowledge().catalogue.texts.contains_key(&id) {
        return Err(ApiError::not_found(format!("no text {id:?}")));
    }
    let links = state.links()?;
    let engine = state.engine.clone();
    let view = tokio::task::spawn_blocking(move || {
        rhizome::links::view::passage_graph(&engine, &links, &id, p.engine_kind())
    })
    .await??;
    Ok(Json(view.into()))
}

/// One idea followed across the years: the passages a passage's links reach
/// (two hops), the strongest per text, in date order (issue 16).
#[utoipa::path(get, path = "/api/v1/lineage/{id}", params(("id" = String, Path, description = "paragraph id (`<text id>#<ordinal>`; encode `#` as `%23`)", example = "crouzet-blog/posts/2014/05/la-necessite-logique-du-revenu-de-base#3"), crate::dto::KindParams), tag = "graph",
    responses((status = 200, body = crate::dto::LineageResponse), (status = 400, description = "a `kind` that is not reuse, echo or theme", body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 503, description = "no links computed yet, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn lineage(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<crate::dto::KindParams>,
) -> ApiResult<Json<crate::dto::LineageResponse>> {
    let links = state.links()?;
    let engine = state.engine.clone();
    let paragraph = id.clone();
    let steps = tokio::task::spawn_blocking(move || {
        rhizome::links::lineage::lineage(&engine, &links, &paragraph, p.engine_kind())
    })
    .await??;
    Ok(Json(crate::dto::LineageResponse::new(id, steps)))
}
