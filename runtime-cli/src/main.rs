//! `radscore`: the command-line front end. Each subcommand lives in `radscore_cli::cmd`.
use clap::{Parser, Subcommand};
use radscore_cli::cmd;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "radscore",
    version,
    about = "MRI radiomics nomogram: extract, train, score, report"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole workflow on a synthetic breast-MRI cohort.
    Demo(cmd::demo::Args),
    /// Compute PyRadiomics features from an image and a mask, or from a cohort manifest.
    Extract(Box<cmd::extract::Args>),
    /// Join per-sequence PyRadiomics feature tables and a clinical table into a training table.
    Cohort(cmd::cohort::Args),
    /// Train the selection pipeline and the nomogram; export a model file.
    Train(Box<cmd::train::Args>),
    /// Score a features table with a model file.
    Score(cmd::score::Args),
    /// Print a model file readably (or as JSON).
    Inspect(cmd::inspect::Args),
    /// Check a model file's integrity.
    Verify(cmd::verify::Args),
    /// Write the validation report (tables, figures, index.html).
    Report(Box<cmd::report::Args>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // An interrupted run (Ctrl-C, SIGTERM from a scheduler, SIGHUP) leaves no temporary output
    // files behind: outputs are written to `.NAME.tmp-PID` and renamed only when complete.
    // Exit status 130, as a shell reports a run stopped by SIGINT. (SIGKILL cannot be caught:
    // the next write of the same output removes what such a run left.)
    let _ = ctrlc::set_handler(|| {
        radscore_trainer::outfile::remove_pending();
        eprintln!("radscore: interrupted; unfinished output files removed");
        std::process::exit(130);
    });
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Extract(a) => cmd::extract::run(*a),
        Command::Cohort(a) => cmd::cohort::run(a),
        Command::Train(a) => cmd::train::run(*a),
        Command::Score(a) => cmd::score::run(a),
        Command::Inspect(a) => cmd::inspect::run(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Report(a) => cmd::report::run(*a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
