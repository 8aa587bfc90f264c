//! Evaluation: BEIR retrieval sets (nDCG@10, recall@10, MRR@10 for bm25,
//! dense and hybrid, beside the simple peers), STS sentence pairs, the
//! author's own links, the Code civil's citations, and related texts judged
//! by readers.
//!
//! One file per kind of set; [`metrics`] are pure functions, `rank` what
//! the search sets share. Must not: tune anything — it measures.

mod author;
mod beir;
mod citations;
mod judged;
pub mod metrics;
mod rank;
pub mod spread;
mod sts;

pub use author::{
    anchor_search, author_links, author_links_peers, AnchorReport, AuthorLinksReport, PeerRecall,
};
pub use beir::{beir, BeirReport};
pub use citations::{citation_links, cited_articles, code_citations, CitationsReport};
pub use judged::{judged, judged_scores, per_source_counts, Grades, JudgedReport, JudgedScores};
pub use metrics::{mrr_at, ndcg_at, pearson, recall_at, spearman};
pub use rank::Scores;
pub use spread::{paired_mean_diff, paired_ratio_diff, Interval};
pub use sts::{csv_fields, sts, StsReport};
