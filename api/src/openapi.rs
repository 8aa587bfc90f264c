//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::OpenApi;

use crate::{dto, error, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rhizome",
        description = "Find the ideas that connect texts: hybrid search, related texts with evidence, graphs of ideas."
    ),
    paths(
        routes::search::search,
        routes::search::draft,
        routes::texts::text,
        routes::texts::paragraph,
        routes::texts::lookup,
        routes::texts::related,
        routes::texts::fragment,
        routes::graph::ego,
        routes::graph::passages,
        routes::graph::overview,
        routes::graph::path,
        routes::graph::clusters,
        routes::meta::health,
        routes::meta::stats,
        routes::meta::metrics,
        routes::meta::openapi,
        routes::meta::reindex,
    ),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        dto::SearchResponse,
        dto::Hit,
        dto::RetrieverScore,
        dto::UnitHit,
        dto::Text,
        dto::Paragraph,
        dto::RelatedResponse,
        dto::RelatedText,
        dto::Evidence,
        dto::Passage,
        dto::DraftRequest,
        dto::DraftResponse,
        dto::DraftParagraph,
        dto::Echo,
        dto::DraftTextScore,
        dto::GraphResponse,
        dto::GraphNode,
        dto::GraphEdge,
        dto::ClusterInfo,
        dto::PathResponse,
        dto::Health,
        dto::Backend,
        dto::Stats,
        dto::CorpusStats
    ))
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
}
