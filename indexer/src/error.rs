//! The engine's one error type. User errors (bad input, bad query, unknown id)
//! are kept apart from internal ones so that callers (CLI, API) can map them to
//! exit codes and HTTP statuses in one place.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- user errors -------------------------------------------------------
    /// The configuration is invalid (names the file or variable and the problem).
    #[error("configuration error: {0}")]
    Config(String),
    /// A query or request parameter is invalid.
    #[error("invalid request: {0}")]
    BadRequest(String),
    /// A text, paragraph or corpus id that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A source file that cannot be indexed (invalid UTF-8, binary, too large…).
    #[error("{path}: {reason}")]
    BadInput { path: PathBuf, reason: String },
    /// Model files or the ONNX Runtime library are missing or unusable.
    #[error("embedding model unavailable: {0}")]
    ModelUnavailable(String),
    /// Another process has the data dir open (the embedded stores take one process).
    #[error("data directory {} is in use by {holder}; stop that process first, or ask the running server through its HTTP API (/api/v1/…)", data_dir.display())]
    DataDirInUse { data_dir: PathBuf, holder: String },

    // ---- internal errors ---------------------------------------------------
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("embedding failed: {0}")]
    Embedding(String),
    #[error("vector store error: {0}")]
    VectorStore(String),
    #[error("text index error: {0}")]
    TextIndex(String),
    #[error("data directory is corrupt: {0}")]
    Corrupt(String),
}

impl Error {
    /// True for errors caused by the caller's input rather than by Rhizome.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Config(_)
                | Error::BadRequest(_)
                | Error::NotFound(_)
                | Error::BadInput { .. }
                | Error::ModelUnavailable(_)
                | Error::DataDirInUse { .. }
        )
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(feature = "engine")]
impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::TextIndex(e.to_string())
    }
}
