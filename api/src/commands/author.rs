//! The author's commands: `rhizome suggest`, `rhizome inbound`, `rhizome feedback`.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct SuggestArgs {
    /// The draft (markdown).
    pub file: PathBuf,
    /// The text id the draft is or will be (excludes itself and the pairs you rejected).
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn suggest(config: Config, args: SuggestArgs) -> anyhow::Result<ExitCode> {
    let SuggestArgs { file, id, json } = args;
    let draft = rhizome::source::read_text_file(&file, 10 << 20).map_err(|reason| {
        rhizome::Error::BadInput {
            path: file.clone(),
            reason,
        }
    })?;
    let engine = Engine::open(config)?;
    let found = rhizome::author::suggest(&engine, &draft, id.as_deref())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        for p in &found {
            let head: String = draft[p.start..p.end].chars().take(70).collect();
            println!("¶{} {head}…", p.ordinal);
            if p.suggestions.is_empty() {
                println!("    (nothing good enough)");
            }
            for s in &p.suggestions {
                println!(
                    "    «{}» → {} — {}{}  (z {:.1}; {})",
                    s.anchor.text,
                    s.target_text,
                    s.title,
                    if s.already_linked {
                        "  [linked already]"
                    } else {
                        ""
                    },
                    s.z,
                    s.shared_words.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub(crate) struct InboundArgs {
    pub text: String,
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn inbound(config: Config, args: InboundArgs) -> anyhow::Result<ExitCode> {
    let InboundArgs { text, json } = args;
    let engine = Engine::open(config)?;
    let links = rhizome::links::Links::load_reviewed(&engine.config.data_dir)?;
    let found = rhizome::author::inbound(&engine, &links, &text)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else {
        if found.is_empty() {
            println!("no older text needs a link to {text}");
        }
        for i in &found {
            println!("{} — {}  ({:.2})", i.source_text, i.title, i.score);
            println!("    link «{}» in: {}", i.anchor.text, i.sentence.text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub(crate) struct FeedbackArgs {
    /// accept, reject, or list.
    pub verdict: String,
    pub source: Option<String>,
    pub target: Option<String>,
}

pub(crate) fn feedback(config: Config, args: FeedbackArgs) -> anyhow::Result<ExitCode> {
    let FeedbackArgs {
        verdict,
        source,
        target,
    } = args;
    if verdict == "list" {
        let f = rhizome::feedback::Feedback::load(&config.data_dir)?;
        println!("{}", serde_json::to_string_pretty(&f)?);
        return Ok(ExitCode::SUCCESS);
    }
    let v: rhizome::feedback::Verdict = verdict.parse()?;
    let (Some(source), Some(target)) = (source, target) else {
        return Err(rhizome::Error::BadRequest(
            "feedback accept|reject needs SOURCE and TARGET text ids".into(),
        )
        .into());
    };
    let engine = Engine::open(config)?;
    rhizome::feedback::record(&engine, &source, &target, v)?;
    println!("{verdict}ed: {source} → {target}");
    Ok(ExitCode::SUCCESS)
}
