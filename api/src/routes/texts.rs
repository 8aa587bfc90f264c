//! Texts, paragraphs, and related texts (the widget's call: precomputed,
//! memoised, with ETag and Cache-Control), plus the no-JavaScript fragment.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use crate::dto::{KindParams, Lookup, LookupParams, Paragraph, RelatedResponse, Text};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::AppState;

fn unknown_text(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no text {id:?} (ids look like crouzet-blog/posts/2025/01/technofascisme)"
    ))
}

/// A text: metadata and paragraphs.
#[utoipa::path(get, path = "/api/v1/texts/{id}", params(("id" = String, Path, description = "text id, slashes included", example = "crouzet-blog/posts/2025/01/technofascisme")), tag = "texts",
    responses((status = 200, body = Text), (status = 404, body = crate::error::ErrorBody)))]
pub async fn text(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    // Ids hold slashes, so `/texts/{id}/inbound` arrives here.
    if let Some(base) = id.strip_suffix("/inbound") {
        if state.knowledge().catalogue.texts.contains_key(base) {
            let base = base.to_string();
            return Ok(super::author::inbound(state, base).await?.into_response());
        }
    }
    let entry = state
        .knowledge()
        .catalogue
        .texts
        .get(&id)
        .cloned()
        .ok_or_else(|| unknown_text(&id))?;
    let engine = state.engine.clone();
    let id2 = id.clone();
    let paragraphs = tokio::task::spawn_blocking(move || engine.text_paragraphs(&id2)).await??;
    Ok(Json(Text {
        id,
        title: entry.title,
        corpus: entry.corpus,
        date: entry.date,
        tags: entry.tags,
        author: entry.author,
        url: entry.url,
        paragraphs: paragraphs.into_iter().map(Paragraph::from).collect(),
    })
    .into_response())
}

/// The text published at a URL (the widget identifies a post by its address).
#[utoipa::path(get, path = "/api/v1/lookup", params(LookupParams), tag = "texts",
    responses((status = 200, body = Lookup), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<LookupParams>,
) -> ApiResult<Json<Lookup>> {
    if p.url.trim().is_empty() {
        return Err(ApiError::bad_request("url is empty"));
    }
    // An address that normalizes to nothing (`#`, `https://`) matches no page: 404.
    let k = state.knowledge();
    let sites = rhizome::site::Sites::from_config(&state.engine.config);
    let found = sites.published_at(&k.catalogue, &p.url);
    let (id, e) =
        found.ok_or_else(|| ApiError::not_found(format!("no text published at {:?}", p.url)))?;
    Ok(Json(Lookup {
        id: id.clone(),
        title: e.title.clone(),
    }))
}

/// One paragraph (`<text id>#<ordinal>`; encode `#` as `%23`).
#[utoipa::path(get, path = "/api/v1/paragraphs/{id}", params(("id" = String, Path, description = "paragraph id", example = "crouzet-blog/posts/2025/01/technofascisme#3")), tag = "texts",
    responses((status = 200, body = Paragraph), (status = 404, body = crate::error::ErrorBody)))]
pub async fn paragraph(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Paragraph>> {
    let engine = state.engine.clone();
    let pid = id.clone();
    let found =
        tokio::task::spawn_blocking(move || engine.paragraphs(&[rhizome::store::point_id(&pid)]))
            .await??;
    let p = found
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no paragraph {id:?}")))?;
    Ok(Json(Paragraph::from(p)))
}

/// [`related_body`] on a blocking thread: building a view reads passages
/// (tantivy, or the cluster's payloads through the store's own runtime).
async fn related_body_off_runtime(
    state: &AppState,
    id: &str,
) -> ApiResult<Arc<crate::CachedRelated>> {
    let (state, id) = (state.clone(), id.to_string());
    tokio::task::spawn_blocking(move || related_body(&state, &id)).await?
}

/// Builds (once) the related view of a text and its JSON body.
fn related_body(state: &AppState, id: &str) -> ApiResult<Arc<crate::CachedRelated>> {
    let k = state.knowledge();
    if let Some(hit) = k
        .related_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(id)
    {
        return Ok(hit.clone());
    }
    if !k.catalogue.texts.contains_key(id) {
        return Err(unknown_text(id));
    }
    let links = k.links.as_ref().ok_or_else(ApiError::links_not_computed)?;
    let view = rhizome::links::view::related_view(&state.engine, &k.catalogue, links, id)?;
    let bytes = serde_json::to_vec(&RelatedResponse::from(view.clone()))
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let etag = format!(
        "\"{}-{}\"",
        k.generation,
        &blake3::hash(id.as_bytes()).to_hex()[..8]
    );
    let value = Arc::new(crate::CachedRelated {
        etag,
        body: Arc::new(bytes),
        view,
    });
    k.related_cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.to_string(), value.clone());
    Ok(value)
}

/// Cached JSON with ETag / Cache-Control, or 304 when the client has it.
pub fn cached_json(headers: &HeaderMap, etag: &str, body: crate::bytes_body::Body) -> Response {
    let cache = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"\"")),
        ),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.as_ref().clone(),
    )
        .into_response()
}

/// Related texts of a text, with the passage pairs that link them and the
/// `author` flag (served from the precomputed link graph). With `kind`,
/// only the texts linked by passages of that kind, with only those.
#[utoipa::path(get, path = "/api/v1/related/{id}", params(("id" = String, Path, description = "text id", example = "crouzet-blog/posts/2025/01/technofascisme"), KindParams), tag = "related",
    responses((status = 200, body = RelatedResponse), (status = 304, description = "not modified (If-None-Match)"), (status = 400, description = "a `kind` that is not reuse, echo or theme", body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 503, description = "no links computed yet, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn related(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<KindParams>,
) -> ApiResult<Response> {
    let cached = related_body_off_runtime(&state, &id).await?;
    let Some(kind) = p.engine_kind() else {
        return Ok(cached_json(&headers, &cached.etag, cached.body.clone()));
    };
    let body = serde_json::to_vec(&RelatedResponse::from(cached.view.of_kind(kind)))
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let etag = format!("{}-{}\"", cached.etag.trim_end_matches('"'), kind.as_str());
    Ok(cached_json(&headers, &etag, Arc::new(body)))
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "Idées liées" as a plain HTML fragment, for static site generators.
#[utoipa::path(get, path = "/api/v1/fragments/related/{id}", params(("id" = String, Path, description = "text id", example = "crouzet-blog/posts/2025/01/technofascisme")), tag = "related",
    responses((status = 200, content_type = "text/html", body = String), (status = 404, body = crate::error::ErrorBody), (status = 503, description = "no links computed yet, or the server is shutting down", body = crate::error::ErrorBody)))]
pub async fn fragment(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Html<String>> {
    let cached = related_body_off_runtime(&state, &id).await?;
    Ok(Html(fragment_html(&cached.view)))
}

/// The first five related texts, each with the passage it echoes.
fn fragment_html(view: &rhizome::links::view::RelatedView) -> String {
    let mut out =
        String::from("<aside class=\"rhizome-related\">\n  <h2>Idées liées</h2>\n  <ul>\n");
    for t in view.related.iter().take(5) {
        let title = html(&t.title);
        let link = t.url.as_deref().map_or(title.clone(), |u| {
            format!("<a href=\"{}\">{title}</a>", html(u))
        });
        let passage = t.evidence.first().map_or("", |e| e.to.text.as_str());
        let passage: String = passage.chars().take(220).collect();
        let kinds: Vec<rhizome::links::LinkKind> = t.evidence.iter().map(|e| e.kind).collect();
        let kind = match rhizome::graph::pair_kind_of(&kinds) {
            rhizome::links::LinkKind::Reuse => "reprise",
            rhizome::links::LinkKind::Echo => "écho",
            rhizome::links::LinkKind::Theme => "même thème",
        };
        out.push_str(&format!(
            "    <li>{link} <small class=\"kind\">{kind}</small><blockquote>{}</blockquote></li>\n",
            html(&passage)
        ));
    }
    out.push_str("  </ul>\n</aside>\n");
    out
}
