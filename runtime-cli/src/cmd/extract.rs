//! `radscore extract`.

/// Arguments of `radscore extract`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore extract`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore extract: not implemented yet")
}
