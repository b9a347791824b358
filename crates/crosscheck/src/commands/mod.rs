//! One file per subcommand. Each takes its parsed arguments and the [`Printer`], and
//! returns `Ok(())` or a [`CliError`] that `main` turns into an exit code.
//!
//! [`Printer`]: crate::printer::Printer
//! [`CliError`]: crate::errors::CliError

pub mod build;
pub mod check;
pub mod completions;
pub mod doctor;
pub mod init;
pub mod inspect;
mod inspect_package;
pub mod merge;
pub mod plan;
pub mod report;
pub mod schema;
pub mod targets;
pub mod test;
// `verify`; not `verify.rs`, which beside `crate::verify` (targets to expectations) would mislead.
pub mod verify_release;
