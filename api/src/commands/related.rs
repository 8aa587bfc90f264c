//! `rhizome related`: the related texts of one text, from the saved links.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct RelatedArgs {
    pub text: String,
    #[arg(short, default_value_t = 10)]
    pub k: usize,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(config: Config, args: RelatedArgs) -> anyhow::Result<ExitCode> {
    let RelatedArgs { text, k, json } = args;
    let links = rhizome::links::Links::load_reviewed(&config.data_dir)?;
    let related = links.related.get(&text).cloned();
    let catalogue = rhizome::manifest::Catalogue::load(&config.data_dir)?;
    if !catalogue.texts.contains_key(&text) {
        return Err(rhizome::Error::NotFound(format!(
            "no text {text:?} (ids look like crouzet-blog/posts/2025/01/technofascisme)"
        ))
        .into());
    }
    let mut related = related.unwrap_or_default();
    related.truncate(k);
    if json {
        let out = serde_json::json!({"text": text, "related": related.iter().map(|r| serde_json::json!({
            "text": r.text, "score": r.score, "author": r.author,
            "evidence": r.evidence.iter().map(|e| serde_json::json!({"from": e.from, "to": e.to, "dense": e.dense, "bm25": e.bm25, "terms": e.terms})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()});
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let engine_free_title = |id: &str| {
            catalogue
                .texts
                .get(id)
                .map_or(id.to_string(), |e| e.title.clone())
        };
        println!("{} — {}", text, engine_free_title(&text));
        for (i, r) in related.iter().enumerate() {
            println!(
                "{:>2}. {:.2}  {}{}  — {}",
                i + 1,
                r.score,
                r.text,
                if r.author { "  [author's link]" } else { "" },
                engine_free_title(&r.text)
            );
            for e in &r.evidence {
                println!(
                    "      {} {} {}  {} ({:.2})  dense {:.3}  bm25 {:.1}  [{}]",
                    e.from,
                    if e.kind == rhizome::links::LinkKind::Reuse {
                        "→"
                    } else {
                        "↔"
                    },
                    e.to,
                    e.kind.as_str(),
                    e.confidence,
                    e.dense,
                    e.bm25,
                    e.terms.join(", ")
                );
            }
        }
        if related.is_empty() {
            println!("no related texts");
        }
    }
    Ok(ExitCode::SUCCESS)
}
