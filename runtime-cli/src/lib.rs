//! Library part of the `radscore` CLI: image readers/writers and the subcommands, so that the
//! integration tests can call them directly.
pub mod cmd;
pub mod fastcsv;
#[doc(hidden)]
pub mod fuzzing;
pub mod io;
