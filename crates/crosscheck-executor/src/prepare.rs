//! From a planned target to exactly what runs: commands, working directory, environment,
//! C compiler. Pure: everything it needs comes in as arguments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crosscheck_planner::env_vars::{
    CC, CXX, SOURCE_DATE_EPOCH, ZIG_GLOBAL_CACHE_DIR, ZIG_LOCAL_CACHE_DIR,
};
use crosscheck_planner::{CheckTools, Plan, PlannedTarget, check_commands};
use serde::Serialize;

use crate::options::Mode;
use crosscheck_schema::{CcKind, ResolvedCc};

use crate::toolchain::{HostTools, MissingCc, resolve_c_compiler};

/// One target, ready to run.
#[derive(Clone, Debug, Serialize)]
pub struct PreparedTarget {
    /// Position in the plan.
    pub index: usize,
    /// The target id.
    pub id: String,
    /// The commands, run in order in `cwd`; the target fails at the first that fails.
    pub commands: Vec<Vec<String>>,
    /// The working directory.
    pub cwd: PathBuf,
    /// The complete environment (nothing else is inherited).
    pub env: BTreeMap<String, String>,
    /// The variables crosscheck sets on top of the inherited ones, for `-v`.
    pub set_env: BTreeMap<String, String>,
    /// The C compiler, for cgo targets.
    pub c_compiler: Option<ResolvedCc>,
    /// Why the target cannot run at all on this machine.
    pub missing_cc: Option<MissingCc>,
}

/// Where a target's zig caches go: its own directory, so parallel `zig cc` runs never
/// share one.
pub fn zig_cache_dir(base: &Path, slug: &str) -> PathBuf {
    base.join("zig").join(slug)
}

/// What a run's targets are prepared with.
pub struct Preparation<'a> {
    /// Build, check or test.
    pub mode: &'a Mode,
    /// The C toolchains of this machine.
    pub host: &'a HostTools,
    /// The allowlisted parent environment ([`inherited_env`](crate::env::inherited_env)).
    pub inherited: &'a BTreeMap<String, String>,
    /// Where the per-target zig caches go.
    pub zig_cache_base: &'a Path,
    /// crosscheck's built Go type-checker, for a `check` that type-checks from source.
    pub typecheck: Option<&'a Path>,
    /// How many targets run at once: each check command gets its share of the cores.
    pub jobs: usize,
}

/// Prepares every target of `plan`.
pub fn prepare(plan: &Plan, how: &Preparation<'_>) -> Vec<PreparedTarget> {
    plan.targets
        .iter()
        .enumerate()
        .map(|(index, target)| prepare_one(index, target, plan, how))
        .collect()
}

fn prepare_one(
    index: usize,
    target: &PlannedTarget,
    plan: &Plan,
    how: &Preparation<'_>,
) -> PreparedTarget {
    let Preparation {
        mode,
        host,
        inherited,
        zig_cache_base,
        typecheck,
        jobs,
    } = *how;
    let commands = match mode {
        Mode::Build => vec![target.argv.clone()],
        Mode::Check(request) => {
            let tools = CheckTools {
                typecheck: typecheck.map_or_else(String::new, |p| p.to_string_lossy().into_owned()),
                parallelism: share_of_cores(jobs),
                // Verdicts live beside the helper that reached them: a new helper (or Go
                // version) starts afresh.
                verdicts: typecheck
                    .and_then(Path::parent)
                    .map(|dir| dir.join("verdicts").to_string_lossy().into_owned()),
            };
            check_commands(target, request, &tools)
        }
        // Which test binaries to compile is only known once `go list` ran for the target.
        Mode::Test(_) => Vec::new(),
    };
    let (c_compiler, missing_cc) = match resolve_c_compiler(target, host) {
        Ok(cc) => (cc, None),
        Err(missing) => (None, Some(missing)),
    };
    let mut set_env = target.env.clone();
    // C compilers honour SOURCE_DATE_EPOCH for __DATE__ and __TIME__.
    set_env
        .entry(SOURCE_DATE_EPOCH.to_owned())
        .or_insert_with(|| plan.project.vcs.date_epoch.to_string());
    if let Some(cc) = &c_compiler {
        set_env
            .entry(CC.to_owned())
            .or_insert_with(|| cc.cc.clone());
        if let Some(cxx) = &cc.cxx {
            set_env.entry(CXX.to_owned()).or_insert_with(|| cxx.clone());
        }
        if cc.kind == CcKind::Zig {
            let cache = zig_cache_dir(zig_cache_base, &target.slug)
                .to_string_lossy()
                .into_owned();
            set_env.insert(ZIG_GLOBAL_CACHE_DIR.to_owned(), cache.clone());
            set_env.insert(ZIG_LOCAL_CACHE_DIR.to_owned(), cache);
        }
    }
    PreparedTarget {
        index,
        id: target.id.to_string(),
        commands,
        cwd: PathBuf::from(&target.cwd),
        env: crate::env::overlay(inherited, [&set_env]),
        set_env,
        c_compiler,
        missing_cc,
    }
}

/// The cores of this machine divided among `jobs` targets running at once, at least 1.
fn share_of_cores(jobs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (cores / jobs.max(1)).max(1)
}

/// A command line as a person would type it: words quoted for a POSIX shell where needed.
pub fn display_command(argv: &[String]) -> String {
    argv.iter()
        .map(|word| shell_quote(word))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Quotes `word` for a POSIX shell, if it needs it.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '/' | '.' | '-' | '_' | '+' | '=' | ':' | ',' | '@' | '%')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
