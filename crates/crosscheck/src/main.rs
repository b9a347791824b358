//! The `crosscheck` command: parses the command line, runs one command, maps its outcome
//! to an exit code. All the work is in the library crates; this crate only wires them up
//! and decides how results are shown (see [`printer`]). `docs/architecture.md` shows which
//! crate owns what and how a build's data flows through them.

mod cli;
mod commands;
mod errors;
mod json;
mod load;
mod printer;
mod reporter;
mod signing;
mod table;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::printer::Printer;

// glibc's allocator spends most of a large plan's time consolidating freed chunks;
// mimalloc plans a 10,000-target matrix about twice as fast (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version on stdout with exit 0, usage errors on stderr.
            let _ = error.print();
            return ExitCode::from(match error.use_stderr() {
                true => errors::exit_code::USAGE,
                false => errors::exit_code::SUCCESS,
            });
        }
    };
    let printer = Printer::new(&cli.global);
    let result = match &cli.command {
        Command::Plan(args) => commands::plan::run(args, &printer),
        Command::Targets(args) => commands::targets::run(args, &printer),
        Command::Init(args) => commands::init::run(args, &printer),
        Command::Build(args) => commands::build::run(args, &printer),
        Command::Check(args) => commands::check::run(args, &printer),
        Command::Test(args) => commands::test::run(args, &printer),
        Command::Doctor(args) => commands::doctor::run(args, &printer),
        Command::Schema(args) => commands::schema::run(args, &printer),
        Command::Inspect(args) => commands::inspect::run(args, &printer),
        Command::Verify(args) => commands::verify_release::run(args, &printer),
        Command::Merge(args) => commands::merge::run(args, &printer),
        Command::Report(args) => commands::report::run(args, &printer),
        Command::Completions(args) => commands::completions::run(args, &printer),
        Command::Man => commands::completions::man(&printer),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            error.print(&printer);
            error.exit_code()
        }
    }
}
