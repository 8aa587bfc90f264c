//! `rhizome graph`: clusters, bridges, paths and graph exports (GEXF, GraphML, JSON).

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct GraphArgs {
    /// gexf, graphml or json (default: a summary on the terminal).
    #[arg(long)]
    pub export: Option<String>,
    /// Write the export here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only texts of these corpora (repeatable).
    #[arg(long)]
    pub corpus: Vec<String>,
    /// Shortest path between two texts (ids), strong links first.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    pub path: Option<Vec<String>>,
}

pub(crate) fn run(config: Config, args: GraphArgs) -> anyhow::Result<ExitCode> {
    let GraphArgs {
        export,
        out,
        corpus,
        path,
    } = args;
    let links = rhizome::links::Links::load_reviewed(&config.data_dir)?;
    let catalogue = rhizome::manifest::Catalogue::load(&config.data_dir)?;
    let g = rhizome::graph::build(&links, &catalogue, &corpus, 0.0);
    if let Some(p) = path {
        match rhizome::graph::path(&g, &p[0], &p[1]) {
            Some(steps) => steps.iter().for_each(|s| println!("{s}")),
            None => {
                return Err(rhizome::Error::NotFound(format!(
                    "no path between {} and {}",
                    p[0], p[1]
                ))
                .into())
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = match export.as_deref() {
        Some("gexf") => rhizome::graph::to_gexf(&g),
        Some("graphml") => rhizome::graph::to_graphml(&g),
        Some("json") => serde_json::to_string_pretty(&g)?,
        Some(other) => {
            return Err(rhizome::Error::BadRequest(format!(
                "--export {other}: expected gexf, graphml or json"
            ))
            .into())
        }
        None => {
            println!(
                "{} texts, {} links, {} clusters",
                g.nodes.len(),
                g.edges.len(),
                g.clusters.len()
            );
            let mut clusters = g.clusters.clone();
            clusters.sort_by_key(|c| std::cmp::Reverse(c.size));
            for c in clusters.iter().take(12) {
                println!("  cluster {:>3} ({} texts): {}", c.id, c.size, c.label);
            }
            println!("bridges:");
            for b in g.bridges.iter().take(8) {
                println!(
                    "  {:.2}  {} ({} clusters)",
                    b.participation, b.text, b.clusters
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    match out {
        Some(file) => {
            std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
