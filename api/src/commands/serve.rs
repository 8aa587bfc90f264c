//! `rhizome serve`: the API, the reader page and the widget on one port.

use super::prelude::*;

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (default: server.addr in the config).
    #[arg(long)]
    pub addr: Option<String>,
}

pub(crate) fn run(config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs { addr } = args;
    let addr = addr.unwrap_or_else(|| config.server.addr.clone());
    let engine = std::sync::Arc::new(Engine::open(config)?);
    let state = rhizome_api::AppState::new(engine);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(rhizome_api::serve(state, &addr))?;
    Ok(ExitCode::SUCCESS)
}
