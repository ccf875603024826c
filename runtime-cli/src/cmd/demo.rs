//! `radscore demo`.

/// Arguments of `radscore demo`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore demo`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore demo: not implemented yet")
}
