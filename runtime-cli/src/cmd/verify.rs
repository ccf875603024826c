//! `radscore verify`.

/// Arguments of `radscore verify`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `radscore verify`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("radscore verify: not implemented yet")
}
