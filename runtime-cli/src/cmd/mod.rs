//! One module per subcommand; each exposes `Args` (clap) and `run`.
pub mod cohort;
pub mod demo;
pub mod extract;
pub mod inspect;
pub mod report;
pub mod score;
pub mod train;
pub mod verify;
