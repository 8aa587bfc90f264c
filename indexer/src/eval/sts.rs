//! STS sentence pairs: Spearman of the model's cosine against gold scores.

use std::path::Path;

use serde::Serialize;

use crate::embed::{cosine, Embedder};
use crate::error::{Error, Result};

use super::metrics::*;

/// Splits one CSV line (RFC 4180 quotes).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                out.last_mut().unwrap().push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct StsReport {
    pub spearman: f64,
    pub pairs: usize,
}

/// Spearman correlation of cosine similarity with the gold scores of a
/// `sentence1,sentence2,score` CSV file (header optional).
pub fn sts(embedder: &dyn Embedder, file: &Path) -> Result<StsReport> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    let mut pairs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let f = csv_fields(line);
        if f.len() < 3 {
            return Err(Error::BadInput {
                path: file.into(),
                reason: format!("line {}: expected sentence1,sentence2,score", i + 1),
            });
        }
        match f[f.len() - 1].trim().parse::<f64>() {
            Ok(score) => pairs.push((f[0].clone(), f[1].clone(), score)),
            Err(_) if i == 0 => {} // header
            Err(_) => {
                return Err(Error::BadInput {
                    path: file.into(),
                    reason: format!("line {}: score {:?} is not a number", i + 1, f[2]),
                })
            }
        }
    }
    let s1: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
    let s2: Vec<&str> = pairs.iter().map(|p| p.1.as_str()).collect();
    let (v1, v2) = (embedder.embed_queries(&s1)?, embedder.embed_queries(&s2)?);
    let cos: Vec<f64> = v1
        .iter()
        .zip(&v2)
        .map(|(a, b)| cosine(a, b) as f64)
        .collect();
    let gold: Vec<f64> = pairs.iter().map(|p| p.2).collect();
    Ok(StsReport {
        spearman: spearman(&cos, &gold),
        pairs: pairs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes() {
        assert_eq!(
            csv_fields("a,\"b, c\",\"d \"\"e\"\"\",4.5"),
            ["a", "b, c", "d \"e\"", "4.5"]
        );
    }
}
