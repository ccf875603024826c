//! `radscore report`.

/// Arguments of `radscore report`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore report`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore report: not implemented yet")
}
