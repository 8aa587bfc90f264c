//! The OpenAPI document, generated from the handlers' annotations.

use serde_json::{json, Value};
use utoipa::OpenApi;

use crate::{dto, error, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rhizome",
        description = "Find the ideas that connect texts: hybrid search, related texts with evidence, graphs of ideas."
    ),
    // The served routes document themselves (`crate::api_routes`); only this
    // one is listed here: it is answered by the texts route (ids hold slashes).
    paths(routes::author::inbound),
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
        dto::SuggestRequest,
        dto::SuggestResponse,
        dto::ParagraphSuggestions,
        dto::LinkSuggestion,
        dto::Span,
        dto::InboundResponse,
        dto::InboundSuggestion,
        dto::FeedbackRequest,
        dto::Verdict,
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

/// The compiled document: the routes' own paths and schemas, and those
/// listed in [`ApiDoc`].
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let (paths, schemas) = crate::documented_routes();
    doc.paths.paths.extend(paths.paths);
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    doc
}

/// This document. (Served from here, not from `routes`: the document lists
/// the routes, so the routes must not need the document.)
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn openapi_json(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document_for(&state.engine.config),
    )
}

/// The document this server serves: the compiled one, with what only the
/// configuration knows written in (the corpora a `corpus` parameter takes,
/// `search.max_k`, the query and draft length limits) and the links from the
/// operations that return ids to those that take them. A client generated
/// from it, or a fuzzer, then asks only what this server answers.
pub fn document_for(config: &rhizome::Config) -> String {
    let mut doc = serde_json::to_value(api_doc()).unwrap_or_default();
    let corpora: Vec<Value> = config
        .corpora
        .iter()
        .map(|c| Value::from(c.name.clone()))
        .collect();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for op in paths.values_mut().filter_map(Value::as_object_mut) {
            for o in op.values_mut() {
                for p in o
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if p["name"] == "corpus" {
                        p["schema"]["items"]["enum"] = Value::from(corpora.clone());
                    }
                }
            }
        }
    }
    if let Some(params) = doc
        .pointer_mut("/paths/~1api~1v1~1search/get/parameters")
        .and_then(Value::as_array_mut)
    {
        for p in params {
            match p["name"].as_str() {
                Some("k") => p["schema"]["maximum"] = config.search.max_k.into(),
                Some("q") => p["schema"]["maxLength"] = config.search.max_query_chars.into(),
                _ => {}
            }
        }
    }
    if let Some(draft) = doc.pointer_mut("/components/schemas/SuggestRequest/properties") {
        draft["text"]["maxLength"] = config.server.max_draft_chars.into();
    }
    if let Some(draft) = doc.pointer_mut("/components/schemas/DraftRequest/properties") {
        draft["text"]["maxLength"] = config.server.max_draft_chars.into();
        draft["corpus"]["items"]["enum"] = Value::from(corpora);
    }
    add_links(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

/// OpenAPI links: which response field feeds which operation's parameter.
fn add_links(doc: &mut Value) {
    let text_ops = ["text", "related", "ego", "passages", "fragment"];
    let from_text = |field: &str| -> Value {
        let mut links = serde_json::Map::new();
        for op in text_ops {
            links.insert(
                op.to_string(),
                json!({ "operationId": op, "parameters": { "id": format!("$response.body#{field}") } }),
            );
        }
        Value::Object(links)
    };
    let mut set = |pointer: &str, links: Value| {
        if let Some(r) = doc.pointer_mut(pointer) {
            r["links"] = links;
        }
    };
    let mut search = from_text("/hits/0/text_id");
    search["paragraph"] = json!({ "operationId": "paragraph",
        "parameters": { "id": "$response.body#/hits/0/paragraph_id" } });
    set("/paths/~1api~1v1~1search/get/responses/200", search);
    set(
        "/paths/~1api~1v1~1lookup/get/responses/200",
        from_text("/id"),
    );
    set(
        "/paths/~1api~1v1~1related~1{id}/get/responses/200",
        from_text("/related/0/text"),
    );
    set(
        "/paths/~1api~1v1~1drafts~1related/post/responses/200",
        from_text("/texts/0/text_id"),
    );
    set(
        "/paths/~1api~1v1~1graph~1overview/get/responses/200",
        from_text("/nodes/0/id"),
    );
}
