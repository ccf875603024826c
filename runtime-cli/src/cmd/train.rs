//! `radscore train`.

/// Arguments of `radscore train`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore train`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore train: not implemented yet")
}
