//! Rhizome's REST API: search, texts, related ideas (the widget's call),
//! drafts, graphs, health and metrics, on axum.
//!
//! Owns: HTTP — routes, request/response types (`dto`), the mapping of engine
//! errors to statuses (`error`), limits, CORS, caching headers, static files.
//! CPU work (embedding, tantivy, graph building) runs in `spawn_blocking`
//! behind a semaphore.

pub mod dto;
pub mod error;
mod extract;
mod metrics;
pub mod openapi;
mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method};
use axum::routing::get;
use axum::Router;
use tokio::sync::Semaphore;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use rhizome::store::Doc;
use tower_http::timeout::TimeoutLayer;
use utoipa_axum::{router::UtoipaMethodRouter, routes};

use rhizome::graph::Graph;
use rhizome::links::Links;
use rhizome::manifest::Catalogue;
use rhizome::Engine;

pub use error::{ApiError, ApiResult};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub(crate) knowledge: Arc<RwLock<Knowledge>>,
    pub(crate) cpu: Arc<Semaphore>,
    /// `RHIZOME_ADMIN_TOKEN`: the admin routes exist only when it is set.
    pub(crate) admin_token: Option<Arc<str>>,
    pub(crate) metrics: Arc<metrics::Metrics>,
}

/// A text's related view, and its JSON body with the body's ETag.
pub(crate) struct CachedRelated {
    pub etag: String,
    pub body: bytes_body::Body,
    pub view: rhizome::links::view::RelatedView,
}

/// The precomputed, read-mostly part: catalogue, links, graph, and the
/// memoised related-texts responses (the widget's call must be cheap).
pub(crate) struct Knowledge {
    pub catalogue: Catalogue,
    pub links: Option<Arc<Links>>,
    pub graph: Graph,
    /// Changes whenever the links change: part of every ETag.
    pub generation: String,
    pub related_cache: Mutex<HashMap<String, Arc<CachedRelated>>>,
    /// Recent search responses by their parsed parameters (issue 15): a
    /// repeated search is answered without retrieving again; dropped with
    /// the rest on re-index.
    pub search_cache: rhizome::search::RecentCache<bytes_body::Body>,
}

/// Search responses remembered (a few KB each).
const SEARCH_RESPONSES: usize = 256;

pub(crate) mod bytes_body {
    /// A serialised JSON body, shared by cached responses.
    pub type Body = std::sync::Arc<Vec<u8>>;
}

/// A shared document, parsed (`None` when it was never written).
fn shared_json<T: serde::de::DeserializeOwned>(
    engine: &Engine,
    doc: Doc,
) -> rhizome::Result<Option<T>> {
    match engine.shared_doc(doc)? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| rhizome::Error::Corrupt(format!("the {} document: {e}", doc.name()))),
        None => Ok(None),
    }
}

impl Knowledge {
    pub fn load(engine: &Engine) -> Knowledge {
        let catalogue = engine.catalogue();
        // The author's verdicts, read once: they filter the links and change
        // the ETags. Both from the data dir, or from the cluster for a server
        // that reads it (issue 14).
        let feedback: rhizome::feedback::Feedback = shared_json(engine, Doc::Feedback)
            .ok()
            .flatten()
            .unwrap_or_default();
        let links = shared_json::<Links>(engine, Doc::Links)
            .ok()
            .flatten()
            .map(|mut l| {
                feedback.apply(&mut l);
                l
            });
        let links = links.map(Arc::new);
        let graph = links.as_ref().map_or_else(
            || Graph {
                nodes: vec![],
                edges: vec![],
                clusters: vec![],
                bridges: vec![],
            },
            |l| rhizome::graph::build(l, &catalogue, &[], 0.0),
        );
        let generation = {
            let mut h = blake3::Hasher::new();
            h.update(
                serde_json::to_string(&catalogue.texts.len())
                    .unwrap_or_default()
                    .as_bytes(),
            );
            if let Some(l) = &links {
                h.update(&l.paragraph_links.to_le_bytes());
                h.update(&l.seconds.to_le_bytes());
                h.update(l.model_id.as_bytes());
            }
            for (id, t) in &catalogue.texts {
                h.update(id.as_bytes());
                h.update(t.hash.as_bytes());
            }
            // The author's verdicts change what is shown: a rejection must not
            // be answered 304 with the old list.
            h.update(
                serde_json::to_string(&feedback)
                    .unwrap_or_default()
                    .as_bytes(),
            );
            h.finalize().to_hex()[..16].to_string()
        };
        Knowledge {
            catalogue,
            links,
            graph,
            generation,
            related_cache: Mutex::new(HashMap::new()),
            search_cache: rhizome::search::RecentCache::new(SEARCH_RESPONSES),
        }
    }
}

impl AppState {
    pub fn new(engine: Arc<Engine>) -> AppState {
        let knowledge = Knowledge::load(&engine);
        let cpu = engine.config.server.cpu_concurrency.max(1);
        let admin_token = std::env::var("RHIZOME_ADMIN_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .map(Arc::from);
        AppState {
            engine,
            knowledge: Arc::new(RwLock::new(knowledge)),
            cpu: Arc::new(Semaphore::new(cpu)),
            admin_token,
            metrics: Arc::new(metrics::Metrics::default()),
        }
    }

    /// With an explicit admin token (tests), or none.
    pub fn with_admin_token(mut self, token: Option<&str>) -> AppState {
        self.admin_token = token.map(Arc::from);
        self
    }

    /// A place among the CPU-heavy calls (the rest wait for one).
    pub(crate) async fn cpu_permit(&self) -> ApiResult<tokio::sync::SemaphorePermit<'_>> {
        self.cpu.acquire().await.map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "shutting_down",
                "the server is shutting down",
            )
        })
    }

    /// For a server that reads the cluster (`server.state = "cluster"`):
    /// when the published catalogue, links or verdicts changed since
    /// `seen`, reloads them; returns the versions now seen. Another
    /// server's re-index is seen this way, by polling (see [`serve`]).
    pub fn refresh_from_cluster(
        &self,
        seen: &[Option<String>],
    ) -> rhizome::Result<Vec<Option<String>>> {
        let now = self.engine.shared_versions()?;
        if now.as_slice() != seen {
            self.engine.refresh_catalogue()?;
            let fresh = Knowledge::load(&self.engine);
            *self.knowledge.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        }
        Ok(now)
    }

    pub(crate) fn knowledge(&self) -> std::sync::RwLockReadGuard<'_, Knowledge> {
        self.knowledge.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The link graph, for work off the runtime; 503 until `links` has run.
    pub(crate) fn links(&self) -> error::ApiResult<Arc<Links>> {
        self.knowledge()
            .links
            .clone()
            .ok_or_else(error::ApiError::links_not_computed)
    }
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::IF_NONE_MATCH,
        ])
        .expose_headers([axum::http::header::ETAG])
        .max_age(Duration::from_secs(3600))
}

/// A route: its axum path and its handler with the handler's documentation
/// (`utoipa_axum::routes!`), so that each route is registered once, served
/// and documented from the same line. The axum path is given beside it
/// because ids hold slashes: `{*id}` is routed where the document says `{id}`.
type ApiRoute = (&'static str, UtoipaMethodRouter<AppState>);

/// The routes under `/api/v1`.
fn api_routes() -> Vec<ApiRoute> {
    vec![
        ("/search", routes!(routes::search::search)),
        ("/texts/{*id}", routes!(routes::texts::text)),
        ("/paragraphs/{*id}", routes!(routes::texts::paragraph)),
        ("/lookup", routes!(routes::texts::lookup)),
        ("/related/{*id}", routes!(routes::texts::related)),
        ("/fragments/related/{*id}", routes!(routes::texts::fragment)),
        ("/drafts/related", routes!(routes::search::draft)),
        ("/drafts/suggest", routes!(routes::author::suggest)),
        ("/feedback", routes!(routes::author::feedback)),
        ("/graph/ego/{*id}", routes!(routes::graph::ego)),
        ("/graph/passages/{*id}", routes!(routes::graph::passages)),
        ("/lineage/{*id}", routes!(routes::graph::lineage)),
        ("/graph/overview", routes!(routes::graph::overview)),
        ("/graph/map", routes!(routes::graph::map)),
        ("/graph/path", routes!(routes::graph::path)),
        ("/graph/clusters", routes!(routes::graph::clusters)),
        ("/stats", routes!(routes::meta::stats)),
        // Always routed, so that another method is a 405 and not a 404; without
        // a token the handler answers 404, as documented.
        ("/admin/reindex", routes!(routes::meta::reindex)),
    ]
}

/// The routes at the root: health, metrics, the document.
fn root_routes() -> Vec<ApiRoute> {
    vec![
        ("/health", routes!(routes::meta::health)),
        ("/metrics", routes!(routes::meta::metrics)),
        ("/openapi.json", routes!(openapi::openapi_json)),
    ]
}

/// The paths and schemas of every registered route, for the OpenAPI document.
pub(crate) fn documented_routes() -> (utoipa::openapi::path::Paths, Vec<SchemaEntry>) {
    let mut paths = utoipa::openapi::path::Paths::new();
    let mut schemas = Vec::new();
    for (_, (s, p, _)) in api_routes().into_iter().chain(root_routes()) {
        paths.paths.extend(p.paths);
        schemas.extend(s);
    }
    (paths, schemas)
}

/// A schema a route's annotations name, as `routes!` collects it.
pub(crate) type SchemaEntry = (
    String,
    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
);

/// Every route of the API and the web pages.
pub fn router(state: AppState) -> Router {
    let server = state.engine.config.server.clone();
    let mut api = Router::new();
    for (path, (_, _, method_router)) in api_routes() {
        api = api.route(path, method_router);
    }
    let mut root = Router::new().nest("/api/v1", api.fallback(routes::meta::no_such_route));
    for (path, (_, _, method_router)) in root_routes() {
        root = root.route(path, method_router);
    }
    root.route("/docs", get(routes::meta::docs))
        .fallback_service(ServeDir::new(&server.web_dir).append_index_html_on_directories(true))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(server.max_body_bytes))
        // A bug that panics in a handler answers 500 in the API's JSON shape
        // rather than dropping the connection (Schemathesis found one: issue 20).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(server.timeout_secs),
        ))
        .layer(cors(&server.cors_origins))
        .with_state(state)
}

/// Serves until Ctrl-C.
/// Polls the cluster's state every `server.state_poll_ms`, off the async
/// runtime: a re-index published by the indexer (or a verdict recorded
/// through another server) reaches this one within a poll.
fn spawn_cluster_poller(state: AppState) {
    let every = Duration::from_millis(state.engine.config.server.state_poll_ms.max(100));
    std::thread::spawn(move || {
        let mut seen = state.engine.shared_versions().unwrap_or_default();
        loop {
            std::thread::sleep(every);
            match state.refresh_from_cluster(&seen) {
                Ok(now) => seen = now,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the cluster's state; serving the last one")
                }
            }
        }
    });
}

pub async fn serve(state: AppState, addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    tracing::info!(addr = %listener.local_addr()?, "serving");
    eprintln!("Rhizome listening on http://{}", listener.local_addr()?);
    if state.engine.reads_cluster() {
        spawn_cluster_poller(state.clone());
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
