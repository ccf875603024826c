//! `radscore inspect`.

/// Arguments of `radscore inspect`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore inspect`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore inspect: not implemented yet")
}
