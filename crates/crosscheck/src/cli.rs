//! The command line, as clap sees it. Parsing only; the commands live in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  a build failed
  2  usage or configuration error (the message says where)
  3  artifacts were built but violate policy
  130  interrupted

Examples:
  crosscheck plan                       show what matrix.toml expands to
  crosscheck plan --target 'linux/*'    only the linux targets
  crosscheck plan --format json         the full plan for machines
  crosscheck targets --first-class      ports of the installed Go
  crosscheck init                       write a commented matrix.toml

Docs: docs/matrix.md (the file format), docs/targets.md (target ids and selectors).";

/// Build a Go program for a whole matrix of targets, in parallel, and prove every binary is
/// what was asked for.
#[derive(Debug, Parser)]
#[command(name = "crosscheck", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: the exact commands run, cache use, collapsed targets.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colour (NO_COLOR is honoured by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the targets matrix.toml expands to, and how each will be built.
    ///
    /// Nothing is built. The table lists every selected target with its id, output path and
    /// what it needs; `--format json` prints the complete plan (documented in docs/plan.md);
    /// `github` and `gitlab` print a CI matrix of shard jobs.
    Plan(PlanArgs),
    /// List the GOOS/GOARCH ports the installed Go supports.
    Targets(TargetsArgs),
    /// Write a fully commented matrix.toml in the current directory.
    Init(InitArgs),
}

/// Which matrix and which of its targets.
#[derive(Debug, Args, Clone)]
pub struct SelectionArgs {
    /// The matrix file. Default: ./matrix.toml, or the built-in release matrix when absent.
    #[arg(short, long, value_name = "FILE")]
    pub matrix: Option<PathBuf>,
    /// Keep only targets whose id matches GLOB (repeatable; e.g. 'linux/*', '*+cgo*').
    #[arg(short, long = "target", value_name = "GLOB")]
    pub targets: Vec<String>,
    /// Drop targets whose id matches GLOB (repeatable).
    #[arg(short = 'x', long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Keep the I-th of N balanced, deterministic parts of the selection (e.g. 2/3).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Plan with the catalog snapshot built into crosscheck instead of asking Go.
    #[arg(long)]
    pub offline: bool,
    /// The dist directory the plan writes to.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub dist: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// With --format github|gitlab: how many shard jobs (default: one per target, at most 16).
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
}

/// How `plan` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A table for people.
    Table,
    /// The complete plan as JSON.
    Json,
    /// A GitHub Actions `strategy.matrix` of shard jobs.
    Github,
    /// A GitLab CI `parallel: matrix:` block of shard jobs.
    Gitlab,
}

#[derive(Debug, Args)]
pub struct TargetsArgs {
    /// Only first-class ports.
    #[arg(long)]
    pub first_class: bool,
    /// Only ports that support cgo.
    #[arg(long)]
    pub cgo: bool,
    /// Include ports Go marks broken.
    #[arg(long)]
    pub broken: bool,
    /// Use the snapshot built into crosscheck instead of asking Go.
    #[arg(long)]
    pub offline: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The Go command to ask.
    #[arg(long, value_name = "CMD", default_value = "go")]
    pub go: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write.
    #[arg(long, value_name = "FILE", default_value = "matrix.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}
