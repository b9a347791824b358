//! From command-line selection flags to a plan: the shared first half of `plan`, `build`,
//! `check` and `doctor`.

use std::path::{Path, PathBuf};

use crosscheck_planner::{
    Catalog, Config, GoAxis, GoModLine, GoToolchain, MainPackages, Plan, PlanContext,
    SelectionRequest, Selector, Shard, SourceFile, VcsOverrides, env_vars, plan_with_go,
    read_module_path, resolve_go_version,
};

use crate::cli::SelectionArgs;
use crate::errors::CliError;
use crate::printer::Printer;

/// The display name of the built-in matrix.
pub const DEFAULT_MATRIX_NAME: &str = "<built-in default matrix>";

/// A plan, ready for a command to print or run.
pub struct LoadedPlan {
    /// The plan.
    pub plan: Plan,
    /// The GOROOT of the Go that builds (unknown with `--offline`, which asks no Go):
    /// js/wasm binaries run with its `lib/wasm/wasm_exec_node.js`.
    pub goroot: Option<PathBuf>,
}

/// What a command plans besides the matrix itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlanFor {
    /// `[smoke]` on for every target (`build --smoke`).
    pub smoke: bool,
    /// One entry per target, not per binary: `[[binary]]` tables are left out, for the
    /// commands whose work is the module's packages (`test`, `check --all-packages`),
    /// which would otherwise do the same work once per binary.
    pub per_target: bool,
}

/// Reads the matrix, asks Go for its catalog (unless offline), and plans.
pub fn load_plan(args: &SelectionArgs, printer: &Printer) -> Result<LoadedPlan, CliError> {
    load_plan_with(args, PlanFor::default(), printer)
}

/// [`load_plan`], adjusted for what the command does with the plan.
pub fn load_plan_with(
    args: &SelectionArgs,
    purpose: PlanFor,
    printer: &Printer,
) -> Result<LoadedPlan, CliError> {
    let cwd = std::env::current_dir().map_err(|source| CliError::Io {
        action: "cannot read",
        path: "the current directory".to_owned(),
        source,
    })?;
    let (file, base_dir) = read_matrix(args.matrix.as_deref(), &cwd, printer)?;
    let mut config = Config::parse(file)?;
    config.smoke.enabled |= purpose.smoke;
    if purpose.per_target {
        if !args.binaries.is_empty() {
            return Err(CliError::Usage(
                "--binary does not apply here: this command works on the module's packages, once per target (hint: drop --binary)".to_owned(),
            ));
        }
        config.binaries.clear();
    }
    let selection = selection(args)?;

    let module_dir = base_dir.join(&config.project.dir);
    let module_path = match read_module_path(&module_dir) {
        Ok(path) => path,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::Usage(format!(
                "no go.mod in {} (hint: run crosscheck in a Go module, or set `dir` in [project] of {} to the directory holding go.mod)",
                module_dir.display(),
                config.file.name
            )));
        }
        Err(source) => {
            return Err(CliError::Io {
                action: "cannot read",
                path: module_dir.join("go.mod").display().to_string(),
                source,
            });
        }
    };

    let (catalog, host) = if args.offline {
        let catalog = Catalog::embedded_snapshot();
        printer.status(&format!(
            "note: --offline: validating against the catalog snapshot of {} built into crosscheck, not against the installed Go",
            catalog.go_version
        ));
        (catalog, None)
    } else {
        let toolchain = GoToolchain::probe(&config.build.go, &module_dir)?;
        let catalog = toolchain.catalog(cache_dir().as_deref())?;
        printer.detail(&format!(
            "go: {} ({}), catalog: {:?}",
            toolchain.version, toolchain.goroot, catalog.source
        ));
        (catalog, Some(toolchain))
    };
    let go_axis = if config.go_versions.is_empty() {
        GoAxis::default()
    } else {
        resolve_go_axis(&config, &catalog, host.as_ref(), &module_dir, printer)?
    };

    let overrides = VcsOverrides {
        version: env(env_vars::CROSSCHECK_VERSION).or_else(|| config.project.version.clone()),
        commit: env(env_vars::CROSSCHECK_COMMIT).or_else(|| config.project.commit.clone()),
        date: env(env_vars::CROSSCHECK_DATE).or_else(|| config.project.date.clone()),
        source_date_epoch: env(env_vars::SOURCE_DATE_EPOCH),
    };
    let vcs = crosscheck_planner::detect_vcs(&module_dir, &overrides).map_err(CliError::Usage)?;
    let context = PlanContext {
        base_dir,
        dist_dir: cwd.join(&args.dist),
        vcs,
        module_path,
        sdkroot: env(env_vars::SDKROOT),
        crosscheck_version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let plan = plan_with_go(&config, &catalog, &go_axis, &context, &selection)?;
    for warning in &plan.warnings {
        printer.warning(warning);
    }
    let goroot = host
        .map(|toolchain| PathBuf::from(toolchain.goroot))
        .filter(|goroot| !goroot.as_os_str().is_empty());
    Ok(LoadedPlan { plan, goroot })
}

/// Resolves each Go release of the matrix's `go` axis to an exact toolchain and asks that
/// toolchain for its catalog (downloading it through the Go proxy the first time). With
/// `--offline` (`host` is `None`) only the release of the embedded snapshot is known.
fn resolve_go_axis(
    config: &Config,
    catalog: &Catalog,
    host: Option<&GoToolchain>,
    module_dir: &Path,
    printer: &Printer,
) -> Result<GoAxis, CliError> {
    let go_mod = GoModLine::read(module_dir).map_err(|source| CliError::Io {
        action: "cannot read",
        path: module_dir.join("go.mod").display().to_string(),
        source,
    })?;
    let cache = cache_dir();
    let mut toolchains = Vec::new();
    for requested in &config.go_versions {
        let requested = requested.value;
        let toolchain = match host {
            None if requested.matches_toolchain(&catalog.go_version) => catalog.go_version.clone(),
            None => {
                return Err(CliError::Usage(format!(
                    "--offline: cannot plan Go {requested} of `go` in {}: offline, crosscheck knows only the catalog of {} built into it (hint: drop --offline, or select that release alone)",
                    config.file.name, catalog.go_version
                )));
            }
            Some(host) => resolve_go_version(host, &requested, cache.as_deref())
                .map_err(|error| CliError::Usage(error.to_string()))?,
        };
        toolchains.push(toolchain);
    }
    // The planner refuses a toolchain that go.mod forbids before asking for any catalog,
    // which may download that toolchain.
    GoAxis::resolve(
        config,
        toolchains,
        go_mod,
        |requested, toolchain| match host {
            Some(host) if host.version != toolchain => {
                let pinned = GoToolchain::pinned(&host.command, module_dir, toolchain);
                let release_catalog = pinned.catalog(cache.as_deref())?;
                printer.detail(&format!(
                    "go {requested}: {toolchain} (GOTOOLCHAIN), catalog: {:?}",
                    release_catalog.source
                ));
                Ok(release_catalog)
            }
            _ => Ok(catalog.clone()),
        },
    )
}

/// What the built-in matrix builds in the module at `dir`, as matrix.toml tables: nothing
/// to add when its root is a main package (`main = "."`, as ever), else the main packages
/// `go list` finds (under `cmd/` when there are any). A module without one is an error
/// here, rather than a build failure per target later.
fn default_binaries(dir: &Path, printer: &Printer) -> Result<String, CliError> {
    if !dir.join("go.mod").is_file() {
        // Planning says what is missing.
        printer.status(NO_MATRIX_NOTE);
        return Ok(String::new());
    }
    let chosen = MainPackages::find("go", dir)?.choose();
    match chosen.as_slice() {
        [] => Err(CliError::Usage(format!(
            "no matrix.toml, and `go list ./...` in {} finds no main package to build (hint: run crosscheck in a program's module, or write a matrix.toml whose [project] main names one)",
            dir.display()
        ))),
        [root] if root.main == "." => {
            printer.status(NO_MATRIX_NOTE);
            Ok(String::new())
        }
        packages => {
            let list: Vec<String> = packages
                .iter()
                .map(|p| format!("{} ({})", p.name, p.main))
                .collect();
            printer.status(&format!(
                "note: no matrix.toml here; building the release matrix for the main packages found: {} (run `crosscheck init` to write them down)",
                list.join(", ")
            ));
            Ok(MainPackages::matrix_tables(packages))
        }
    }
}

/// What runs without matrix.toml, when the module's root is the program.
const NO_MATRIX_NOTE: &str = "note: no matrix.toml here; using the built-in release matrix (run `crosscheck init` to write one)";

fn read_matrix(
    explicit: Option<&Path>,
    cwd: &Path,
    printer: &Printer,
) -> Result<(SourceFile, PathBuf), CliError> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => {
            let default = cwd.join("matrix.toml");
            if !default.exists() {
                let text = format!(
                    "{}{}",
                    crosscheck_planner::DEFAULT_MATRIX,
                    default_binaries(cwd, printer)?
                );
                return Ok((SourceFile::new(DEFAULT_MATRIX_NAME, text), cwd.to_owned()));
            }
            PathBuf::from("matrix.toml")
        }
    };
    let bytes = std::fs::read(&path).map_err(|source| CliError::Io {
        action: "cannot read matrix file",
        path: path.display().to_string(),
        source,
    })?;
    let absolute = cwd.join(&path);
    let base_dir = absolute
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| cwd.to_owned());
    Ok((
        SourceFile::from_bytes(path.display().to_string(), bytes)?,
        base_dir,
    ))
}

fn selection(args: &SelectionArgs) -> Result<SelectionRequest, CliError> {
    let selectors = |globs: &[String]| -> Result<Vec<Selector>, CliError> {
        globs
            .iter()
            .map(|glob| Selector::new(glob).map_err(|e| CliError::Usage(e.to_string())))
            .collect()
    };
    Ok(SelectionRequest {
        targets: selectors(&args.targets)?,
        exclude: selectors(&args.exclude)?,
        binaries: args.binaries.clone(),
        shard: args
            .shard
            .as_deref()
            .map(|text| {
                text.parse::<Shard>()
                    .map_err(|e| CliError::Usage(e.to_string()))
            })
            .transpose()?,
    })
}

/// crosscheck's cache directory: CROSSCHECK_CACHE_DIR, else `$XDG_CACHE_HOME/crosscheck`,
/// else `~/.cache/crosscheck`.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = env(env_vars::CROSSCHECK_CACHE_DIR) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = env(env_vars::XDG_CACHE_HOME) {
        return Some(PathBuf::from(dir).join("crosscheck"));
    }
    std::env::home_dir().map(|home| home.join(".cache").join("crosscheck"))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}
