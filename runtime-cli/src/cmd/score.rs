//! `radscore score`.

/// Arguments of `radscore score`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore score`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore score: not implemented yet")
}
