//! API errors: one JSON shape, and the one place where engine errors become
//! HTTP statuses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `bad_request`, `not_found`, `payload_too_large`, …
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 503: the route needs the link graph and `rhizome links` has not run.
    pub fn links_not_computed() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "links_not_computed",
            "no link graph yet: run `rhizome links`",
        )
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<rhizome::Error> for ApiError {
    fn from(e: rhizome::Error) -> Self {
        use rhizome::Error as E;
        let (status, code) = match &e {
            E::BadRequest(_) | E::BadInput { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            E::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            E::Config(_) | E::ModelUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            E::VectorStore(_) => (StatusCode::SERVICE_UNAVAILABLE, "vector_store_unavailable"),
            E::DataDirInUse { .. } => (StatusCode::SERVICE_UNAVAILABLE, "data_dir_in_use"),
            E::Io { .. } | E::Embedding(_) | E::TextIndex(_) | E::Corrupt(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        ApiError::new(status, code, e.to_string())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        tracing::error!(error = %e, "worker task failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "worker task failed",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                status: self.status.as_u16(),
            },
        };
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What a panicking handler answers (see `CatchPanicLayer` in `router`).
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error (a bug: see the server's log)",
    )
    .into_response()
}
