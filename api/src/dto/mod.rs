//! The API's own request and response types (the engine's types stay
//! internal), one file per group of routes, and the strict parsers they share.

mod drafts;
mod graph;
mod meta;
mod search;
mod texts;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use drafts::*;
pub use graph::*;
pub use meta::*;
pub use search::*;
pub use texts::*;

// Query parameters say `parameter_in = Query`: without it utoipa documents
// them as path parameters (issue 20). Lists are arrays in the usual form
// (`corpus=a&corpus=b`, what generated clients send); `corpus=a,b` works too.
// The served document lists the configured corpora as their only values, and
// the configured limits (`openapi::document_for`).

/// What connects two passages (issue 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// They share a span of text, verbatim or nearly (a passage taken up, a quotation).
    Reuse,
    /// The same idea in other words: high calibrated similarity.
    Echo,
    /// A shared subject carried by rare shared words, weaker similarity.
    Theme,
}

impl From<rhizome::links::LinkKind> for LinkKind {
    fn from(k: rhizome::links::LinkKind) -> Self {
        match k {
            rhizome::links::LinkKind::Reuse => LinkKind::Reuse,
            rhizome::links::LinkKind::Echo => LinkKind::Echo,
            rhizome::links::LinkKind::Theme => LinkKind::Theme,
        }
    }
}

impl From<LinkKind> for rhizome::links::LinkKind {
    fn from(k: LinkKind) -> Self {
        match k {
            LinkKind::Reuse => rhizome::links::LinkKind::Reuse,
            LinkKind::Echo => rhizome::links::LinkKind::Echo,
            LinkKind::Theme => rhizome::links::LinkKind::Theme,
        }
    }
}

impl std::str::FromStr for LinkKind {
    type Err = String;
    fn from_str(s: &str) -> Result<LinkKind, String> {
        s.parse::<rhizome::links::LinkKind>().map(LinkKind::from)
    }
}

/// `?kind=`: only the links of one kind.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KindParams {
    /// `reuse`, `echo` or `theme` (all kinds if absent).
    #[param(inline)]
    #[serde(default, deserialize_with = "strict")]
    pub kind: Option<LinkKind>,
}

impl KindParams {
    pub fn engine_kind(&self) -> Option<rhizome::links::LinkKind> {
        self.kind.map(Into::into)
    }
}

/// A query value, parsed strictly: present means a value of the documented
/// type. Form decoding alone would take `group=on`, or `k=` as absent
/// (Schemathesis found both, issue 20).
pub(crate) fn strict<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    use serde::de::Error;
    let s = String::deserialize(d)?;
    s.parse::<T>()
        .map(Some)
        .map_err(|e| D::Error::custom(format!("{s:?}: {e}")))
}

/// A JSON integer, written `16` or `16.0` (JSON Schema counts both as an
/// integer, so a client may send either).
pub(crate) fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    use serde::de::Error;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(u) = n.as_u64() {
        return usize::try_from(u).map(Some).map_err(D::Error::custom);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&f) => Ok(Some(f as usize)),
        _ => Err(D::Error::custom(format!(
            "expected a non-negative integer, got {n}"
        ))),
    }
}
