//! The command line, as clap sees it. Parsing only; the commands live in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  a build failed, an artifact is not reproducible (--verify-reproducible),
     or (test) a test failed or a test binary did not compile
  2  usage or configuration error (the message says where)
  3  artifacts were built but violate policy (verify: the release does not verify)
  130  interrupted

Examples:
  crosscheck plan                       show what matrix.toml expands to
  crosscheck plan --target 'linux/*'    only the linux targets
  crosscheck plan --format json         the full plan for machines
  crosscheck targets --first-class      ports of the installed Go
  crosscheck init                       write a commented matrix.toml
  crosscheck init --from-goreleaser     convert .goreleaser.yaml into matrix.toml
  crosscheck build                      build every target into dist/
  crosscheck build --verify-reproducible  build twice (elsewhere, cold cache), compare
  crosscheck check --vet                compile every target without linking, then vet
  crosscheck test -t 'linux/*'          run the tests of every linux target (qemu-user, ...)
  crosscheck test -- -run TestParse ./parse/...   go test flags and packages after --
  crosscheck doctor                     can this machine build every target?
  crosscheck inspect dist/ --static     what each binary is, and is it static?
  crosscheck verify dist --minisign-key minisign.pub   check a downloaded release
  crosscheck merge shard-*/             one verified dist/ from CI shard jobs' dist directories
  crosscheck report dist --html r.html  a self-contained HTML page of a build

Docs: docs/matrix.md (the file format), docs/targets.md (target ids and selectors),
docs/build.md (build, check, doctor), docs/manifest.md (dist/manifest.json),
docs/inspect.md (inspect and [policy]), docs/ci.md (shards, merge, CI caches),
docs/report.md (JUnit, GitHub Actions, HTML), docs/test.md (test, runners, --smoke),
docs/goreleaser.md (init --from-goreleaser), docs/verify.md (verify).";

const TEST_AFTER_HELP: &str = "\
Each selected target's packages are listed with the build's flags (`go list`), each test
binary is compiled (`go test -c`) and run on the target's runner: natively, under
qemu-user, wine, node (js/wasm) or wazero/wasmtime (wasip1), in its package's directory.
Targets nothing here can run (darwin, the BSDs, ...) are compiled and reported as not run;
they never count as passed. Passing results are remembered by the test binary's SHA-256,
the runner, the arguments and the environment: an unchanged package does not run again.

Go test flags passed on: -run -skip -count -timeout -cpu -parallel -short -failfast -v
-shuffle -bench -benchtime -benchmem; other words after -- are package patterns.

Exit codes: 0 every target that ran passed, 1 a test failed or a test binary did not
compile (or, with --require-run, a target did not run), 2 usage error, 130 interrupted.

Examples:
  crosscheck test                          every target of matrix.toml, ./...
  crosscheck test -t linux/s390x -- -run TestDecode ./codec
  crosscheck test --format json > tests.json
  crosscheck test --junit junit.xml --require-run

Docs: docs/test.md.";

const MERGE_AFTER_HELP: &str = "\
Each CI job builds one shard (`crosscheck build --shard I/N`) and uploads its dist
directory; one last job downloads them all and merges:

  crosscheck merge shards/dist-1 shards/dist-2 shards/dist-3 --dist dist

Give merge the same --matrix, --target and --exclude as the shard jobs (but no --shard):
it plans the whole selection and refuses to write anything unless every planned target is
in exactly one shard, built, from the same project, commit, version, crosscheck and Go,
and every artifact matches its manifest's size and SHA-256. Then it copies the artifacts
and logs, writes dist/manifest.json (with `merged_from`) and dist/SHA256SUMS.

Exit codes: 0 merged, 2 refused (the message names the target and the shard).
Docs: docs/ci.md, examples/ci/.";

const VERIFY_AFTER_HELP: &str = "\
Checks, in order: (1) SHA256SUMS.minisig / SHA256SUMS.asc with the public key given (a
signature without a key is reported as not checked); (2) every file SHA256SUMS lists exists
and has that SHA-256; (3) the code signatures embedded in listed binaries and in the
binaries of listed .tar.gz and .zip archives verify, and darwin/arm64 binaries have one.
A binary or archive in DIR that SHA256SUMS does not list fails; other unlisted files are
noted. With manifest.json present, its digests must agree with SHA256SUMS.

Exit codes: 0 verified, 3 something does not verify, 2 cannot verify (usage, I/O, no gpg).

Examples:
  crosscheck verify downloads/ --minisign-key minisign.pub
  crosscheck verify --minisign-pubkey RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3
  crosscheck verify dist --gpg-key publisher.asc --require-signature
  crosscheck verify . --ignore-missing      only the files downloaded here
  crosscheck verify dist --format json | jq .failures

Docs: docs/verify.md.";

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
    /// Write a fully commented matrix.toml in the current directory, or convert a
    /// GoReleaser config into one (--from-goreleaser).
    Init(InitArgs),
    /// Build every selected target in parallel into the dist directory.
    ///
    /// Writes the artifacts, dist/manifest.json, dist/SHA256SUMS and dist/logs/. A failed
    /// target does not stop the others (unless --fail-fast); the exit code is 1 if any
    /// failed, 130 if interrupted. See docs/build.md.
    Build(BuildArgs),
    /// Check that every selected target compiles, without building or writing anything.
    ///
    /// What a pre-merge job runs: each target's packages are type-checked from source as
    /// its build sees them (GOOS, GOARCH, tags, file-name suffixes), about a second per
    /// target with a cold Go cache. Names missing for one OS, constants that overflow a
    /// 32-bit int and (with --tests) test files that do not compile show up per target.
    /// `--compile` compiles instead (cgo targets always are); `--vet` adds `go vet`;
    /// `--junit` writes a report. See docs/check.md.
    Check(CheckArgs),
    /// Run every selected target's Go tests on this machine: natively, under qemu-user,
    /// wine, node or a wasm runtime.
    #[command(after_help = TEST_AFTER_HELP)]
    Test(TestArgs),
    /// Check that this machine can build every planned target, say how each would run here,
    /// and what to install.
    ///
    /// Exit code 0 when every selected target can be built here, 1 otherwise (targets that
    /// cannot run here do not change it). See docs/build.md and docs/test.md.
    Doctor(DoctorArgs),
    /// Print a JSON schema of a file crosscheck writes.
    Schema(SchemaArgs),
    /// Say what binaries are, and check them against a target or policy.
    ///
    /// Works on any ELF, Mach-O (thin or universal), PE, wasm, XCOFF or Plan 9 file, Go or
    /// not, built by crosscheck or not, on any host. Directories are searched recursively
    /// (non-binary files in them are skipped). Exit 0 when every file passes, 3 when any
    /// breaks a rule, 2 when a file cannot be read. See docs/inspect.md.
    Inspect(InspectArgs),
    /// Check a downloaded release: the signature of SHA256SUMS, every listed file's SHA-256,
    /// and the code signatures inside its binaries and archives.
    ///
    /// What a user runs on the files of a release before trusting them. Exit 0 when all
    /// holds, 3 when anything does not verify, 2 when it cannot check (no SHA256SUMS, an
    /// unreadable key, no gpg). See docs/verify.md.
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// Combine the dist directories of CI shard jobs into one verified dist directory.
    ///
    /// Checks that every planned target is present exactly once and that every artifact
    /// matches its manifest, then writes the merged manifest.json and SHA256SUMS. See
    /// docs/ci.md.
    #[command(after_help = MERGE_AFTER_HELP)]
    Merge(MergeArgs),
    /// Render a dist directory's manifest.json for people: an HTML page, Markdown or JSON.
    ///
    /// The HTML page is self-contained (no scripts, nothing loaded from the network): the
    /// os × arch grid of the build, each target opening to its path, sha256, commands,
    /// inspection and log tail. Exit 2 when the manifest is missing or invalid. See
    /// docs/report.md.
    #[command(after_help = "\
Examples:
  crosscheck report dist --html report.html    the page, to archive as a CI artifact
  crosscheck report dist                       a Markdown table on stdout
  crosscheck report dist --format json         one object per target, for scripts")]
    Report(ReportArgs),
    /// Print a shell completion script for bash, zsh, fish or PowerShell.
    #[command(after_help = "\
Install (the script follows the commands and flags of this crosscheck):
  bash        crosscheck completions bash > ~/.local/share/bash-completion/completions/crosscheck
  zsh         crosscheck completions zsh > \"${fpath[1]}/_crosscheck\"
  fish        crosscheck completions fish > ~/.config/fish/completions/crosscheck.fish
  powershell  crosscheck completions powershell >> $PROFILE")]
    Completions(CompletionsArgs),
    /// Print crosscheck's man page (roff), made from the same definitions as --help.
    #[command(after_help = "\
Install:
  crosscheck man > ~/.local/share/man/man1/crosscheck.1    then: man crosscheck")]
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The dist directory `crosscheck build` wrote (or its manifest.json).
    #[arg(value_name = "DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Write a self-contained HTML page to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print the report on stdout (default: markdown, unless --html is given).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

/// How `report` prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A Markdown table, one row per target (what the GitHub step summary shows).
    Markdown,
    /// `{"project": ..., "targets": [...]}`, documented in docs/report.md.
    Json,
}

#[derive(Debug, Args)]
// Merge plans the whole selection; one shard of it makes no sense here.
#[command(mut_arg("shard", |arg| arg.hide(true)))]
#[command(mut_arg("dist", |arg| arg.help("The merged dist directory to write (never one of the inputs)")))]
pub struct MergeArgs {
    /// The dist directories written by the shard jobs.
    #[arg(required = true, value_name = "DIR")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Merge even when targets failed or were cancelled: they are recorded in the manifest
    /// as their shard recorded them and left out of SHA256SUMS.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Fail at once instead of waiting when another run is writing the output directory.
    #[arg(long)]
    pub no_wait: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MergeFormat::Table)]
    pub format: MergeFormat,
}

/// How `merge` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MergeFormat {
    /// A table of the merged targets.
    Table,
    /// `{"dist", "targets": [...], "checksummed"}`, documented in docs/ci.md.
    Json,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The release directory: SHA256SUMS, its signatures and the files it lists.
    #[arg(value_name = "DIR", default_value = "dist")]
    pub dir: PathBuf,
    /// Check SHA256SUMS.minisig with this minisign public key file (minisign.pub, as for
    /// `minisign -V -p`).
    #[arg(long, value_name = "FILE", conflicts_with = "minisign_pubkey")]
    pub minisign_key: Option<PathBuf>,
    /// Check SHA256SUMS.minisig with this minisign public key, base64 (`RW...`, as for
    /// `minisign -V -P`).
    #[arg(long, value_name = "KEY")]
    pub minisign_pubkey: Option<String>,
    /// Check SHA256SUMS.asc with this armored OpenPGP public key file (imported into a
    /// temporary GNUPGHOME: your keyring is not used or changed).
    #[arg(long, value_name = "FILE")]
    pub gpg_key: Option<PathBuf>,
    /// Fail unless a signature of SHA256SUMS verified with a key given.
    #[arg(long)]
    pub require_signature: bool,
    /// Check only the listed files that are in DIR (you downloaded some of them), as
    /// `sha256sum -c --ignore-missing`; at least one must be there.
    #[arg(long)]
    pub ignore_missing: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Table)]
    pub format: VerifyFormat,
}

/// How `verify` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// The signatures, a table of files, then what failed.
    Table,
    /// The whole report, documented in docs/verify.md (`crosscheck schema verify-report`).
    Json,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files, or directories to search.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Check every file against a target id, e.g. linux/arm64+cgo.musl or windows/amd64.
    #[arg(long, value_name = "TARGET")]
    pub expect: Option<String>,
    /// Rules from FILE: a matrix.toml (its `[policy]` table) or a TOML file of policy keys.
    #[arg(long, value_name = "FILE")]
    pub policy_file: Option<PathBuf>,
    /// The old spelling of --policy-file, kept for one release: in `build`, --policy is a
    /// mode (error|warn), not a file.
    #[arg(long, value_name = "FILE", hide = true, conflicts_with = "policy_file")]
    pub policy: Option<PathBuf>,
    /// Require statically linked binaries.
    #[arg(long = "static", conflicts_with = "dynamic")]
    pub r#static: bool,
    /// Require dynamically linked binaries.
    #[arg(long)]
    pub dynamic: bool,
    /// The newest GLIBC_x.y version a binary may require, e.g. 2.17.
    #[arg(long, value_name = "VERSION")]
    pub max_glibc: Option<String>,
    /// Allow only libraries matching GLOB (repeatable; case-insensitive for DLLs).
    #[arg(long = "allow-lib", value_name = "GLOB")]
    pub allow_lib: Vec<String>,
    /// Forbid libraries matching GLOB (repeatable).
    #[arg(long = "forbid-lib", value_name = "GLOB")]
    pub forbid_lib: Vec<String>,
    /// Require no symbol table.
    #[arg(long)]
    pub require_stripped: bool,
    /// Require position-independent executables.
    #[arg(long)]
    pub require_pie: bool,
    /// Require non-executable stack and data.
    #[arg(long)]
    pub require_nx: bool,
    /// The largest acceptable file size in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_size: Option<u64>,
    /// Skip the SHA-256 of each file (`sha256` is then empty): reads only the pages the
    /// parsers need, about ten times faster on large directories.
    #[arg(long)]
    pub no_hash: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
}

/// How `inspect` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// A table for people, violations below it.
    Table,
    /// `{"files": [...], "errors": [...]}`, documented in docs/inspect.md.
    Json,
    /// A CycloneDX 1.5 JSON SBOM of one Go binary, documented in docs/sbom.md.
    Cyclonedx,
}

/// How builds run: shared by `build` and `check`.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// How many targets build at once. Default: min(CPU cores, available memory / 2 GiB), at least 1.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Keep building the other targets when one fails (the default).
    #[arg(long, overrides_with = "fail_fast")]
    pub keep_going: bool,
    /// Stop every build at the first failure.
    #[arg(long, overrides_with = "keep_going")]
    pub fail_fast: bool,
    /// Stop a target that takes longer than DUR, e.g. 90s, 10m, 1h30m.
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// When to draw progress bars (auto: stderr is a terminal and CI is unset).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ProgressChoice::Auto)]
    pub progress: ProgressChoice,
}

/// When to draw progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    /// Bars when stderr is a terminal and CI is unset; plain lines otherwise.
    Auto,
    /// Always bars.
    Always,
    /// Plain lines.
    Never,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Fail at once instead of waiting when another run is writing the dist directory.
    #[arg(long)]
    pub no_wait: bool,
    /// What an artifact that breaks its target or policy, or fails its smoke run, does to
    /// the exit code.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = PolicyMode::Error)]
    pub policy: PolicyMode,
    /// Write a JUnit XML report to FILE: one testcase per target, failed when the build
    /// failed or the artifact breaks its target or policy.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Build each target a second time, in a copy of the module under TMPDIR with an empty
    /// Go build cache, and compare the artifacts byte for byte; a difference fails the run
    /// (exit 1) and names the section where it starts. Doubles the build time.
    #[arg(long)]
    pub verify_reproducible: bool,
    /// Run each built artifact once on its runner (natively, under qemu-user, ...) with
    /// `[smoke]`'s arguments (default: --version); a failed run exits 3 like a policy
    /// violation, a target this host cannot run is reported as not run.
    #[arg(long)]
    pub smoke: bool,
}

/// How `build` treats artifacts that break their target or policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyMode {
    /// Report them as errors and exit 3 (after building everything).
    Error,
    /// Report them as warnings; the exit code ignores them.
    Warn,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Check every package of the module (./...), not only the main package.
    #[arg(long)]
    pub all_packages: bool,
    /// Also run `go vet` for every target.
    #[arg(long)]
    pub vet: bool,
    /// Include _test.go files: a test that does not compile for a target fails it.
    #[arg(long)]
    pub tests: bool,
    /// Compile without linking (`go list -export`) instead of type-checking from source:
    /// slower, but also catches what only code generation finds (assembly, some cgo
    /// errors). cgo targets are always compiled.
    #[arg(long)]
    pub compile: bool,
    /// Write a JUnit XML report (one testcase per target) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format: a grid for people, or the whole report as JSON on stdout.
    #[arg(long, value_enum, default_value_t = TestFormat::Table)]
    pub format: TestFormat,
    /// Write a JUnit XML report to FILE: a testsuite per target and package, not-run targets
    /// as skipped with the reason.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Fail (exit 1) when a target cannot run here, instead of reporting it as not run.
    #[arg(long)]
    pub require_run: bool,
    /// Run every test binary, ignoring remembered results (which are refreshed).
    #[arg(long)]
    pub no_cache: bool,
    /// go test flags and package patterns (default ./...), after `--`.
    #[arg(last = true, value_name = "GO TEST ARGS")]
    pub go_test_args: Vec<String>,
}

/// How `test` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// Live progress on stderr, then a grid of targets with the failing tests.
    Table,
    /// `{"targets": [...]}` on stdout, documented in docs/test.md.
    Json,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DoctorFormat::Table)]
    pub format: DoctorFormat,
}

/// How `doctor` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    /// The tools found, then a table of targets: buildable, with what, runs with what.
    Table,
    /// `{"targets": [...], "run_installs": [...]}`, documented in docs/test.md.
    Json,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file.
    #[arg(value_enum)]
    pub file: SchemaFile,
}

/// Files with a published schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFile {
    /// dist/manifest.json, written by `build`.
    Manifest,
    /// What `crosscheck test --format json` prints.
    TestReport,
    /// What `crosscheck verify --format json` prints.
    VerifyReport,
}

/// Parses `90s`, `10m`, `1h30m`, `1500ms`, or a bare number of seconds (more than zero).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let duration = crosscheck_schema::parse_duration(text)?;
    if duration.is_zero() {
        return Err(format!(
            "--timeout must be more than zero, not {:?}",
            text.trim()
        ));
    }
    Ok(duration)
}

/// Which matrix and which of its targets.
#[derive(Debug, Args, Clone)]
pub struct SelectionArgs {
    /// The matrix file. Default: ./matrix.toml, or the built-in release matrix when absent.
    #[arg(short, long, value_name = "FILE")]
    pub matrix: Option<PathBuf>,
    /// Keep only targets whose id matches GLOB (repeatable; e.g. 'linux/*', '*+cgo*';
    /// 'server:linux/*' picks one binary's builds when the project has several).
    #[arg(short, long = "target", value_name = "GLOB")]
    pub targets: Vec<String>,
    /// Drop targets whose id matches GLOB (repeatable).
    #[arg(short = 'x', long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Keep only the builds of binary NAME, a `[[binary]]` of the matrix (repeatable).
    #[arg(short = 'b', long = "binary", value_name = "NAME")]
    pub binaries: Vec<String>,
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
    /// With --format github|gitlab: how many shard jobs (default: one per target, at most 16;
    /// never more than there are targets, or groups of builds that share an archive or a
    /// universal binary).
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = TargetsFormat::Table)]
    pub format: TargetsFormat,
    /// The old spelling of --format json, kept for one release.
    #[arg(long, hide = true, conflicts_with = "format")]
    pub json: bool,
    /// The Go command to ask.
    #[arg(long, value_name = "CMD", default_value = "go")]
    pub go: String,
}

/// How `targets` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetsFormat {
    /// A table for people.
    Table,
    /// `{"go_version", "catalog", "ports": [...]}`, one object per port.
    Json,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write.
    #[arg(long, value_name = "FILE", default_value = "matrix.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
    /// Convert a GoReleaser config (version 1 or 2) instead: .goreleaser.yaml, else
    /// .goreleaser.yml, in the current directory unless FILE is given. What has no
    /// equivalent is listed on stderr with its line, and as a comment in the output. See
    /// docs/goreleaser.md.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    #[expect(
        clippy::option_option,
        reason = "absent, given alone, or given a file: clap's way to say all three"
    )]
    pub from_goreleaser: Option<Option<PathBuf>>,
}
