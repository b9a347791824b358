//! The Go-version axis: `go = ["1.25", "1.26"]` in `[matrix]`.
//!
//! [`GoVersion`] is a version as the matrix asks for it: a minor release (`1.25`, meaning
//! the newest `go1.25.N` the Go proxy offers) or an exact one (`1.25.3`). It appears in
//! target ids as `@go1.25`, so ids stay stable across patch releases. [`ResolvedGo`] is the
//! exact toolchain a requested version resolved to, selected per build with
//! `GOTOOLCHAIN=go1.25.N`, together with that toolchain's own port catalog.
//!
//! A module cannot be built by a Go older than the `go` line of its go.mod; [`GoModLine`]
//! carries that line so the planner can refuse such a matrix before anything runs.

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostic::{ConfigErrors, Diagnostic};
use crate::expand::{Expansion, expand};
use crate::{GoVersion, PlannedGo, ReleaseNumber};

/// A requested Go version and the toolchain it resolved to.
#[derive(Clone, Debug)]
pub struct ResolvedGo {
    /// As the matrix asked (`1.25`).
    pub requested: GoVersion,
    /// The exact toolchain, the `GOTOOLCHAIN` value of its builds (`go1.25.7`).
    pub toolchain: String,
    /// That toolchain's ports.
    pub catalog: Catalog,
}

/// The `go` line of a module's go.mod: the oldest Go that may build it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoModLine {
    /// The go.mod file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The version as written (`1.24`, `1.22.0`).
    pub version: String,
}

impl GoModLine {
    /// Reads the `go` line of `dir/go.mod`; `None` when there is none (Go then assumes
    /// 1.16, which every supported toolchain builds).
    pub fn read(dir: &Path) -> std::io::Result<Option<GoModLine>> {
        let path = dir.join("go.mod");
        let text = std::fs::read_to_string(&path)?;
        Ok(text.lines().enumerate().find_map(|(index, line)| {
            let line_text = line.split("//").next().unwrap_or("").trim();
            let rest = line_text.strip_prefix("go")?;
            if !rest.starts_with(char::is_whitespace) {
                return None;
            }
            Some(GoModLine {
                path: path.clone(),
                line: index + 1,
                version: rest.trim().to_owned(),
            })
        }))
    }

    /// Whether the exact toolchain `go1.X.Y` is new enough for this line. A line that
    /// cannot be read is left for Go to judge.
    pub fn allows(&self, toolchain: &str) -> bool {
        match (
            ReleaseNumber::parse_toolchain(&self.version),
            ReleaseNumber::parse_toolchain(toolchain),
        ) {
            (Some(required), Some(have)) => have >= required,
            _ => true,
        }
    }
}

/// What the planner knows about the Go-version axis: the resolved toolchains, one per
/// entry of `go` in `[matrix]` and in the same order, and the module's go.mod `go` line.
///
/// Made only by [`GoAxis::resolve`] (or empty, by `Default`, without the axis), which
/// checks the releases against go.mod: holding one means that check passed, so planning
/// does not repeat it.
#[derive(Clone, Debug, Default)]
pub struct GoAxis {
    /// The resolved toolchains; empty without the axis.
    pub(crate) toolchains: Vec<ResolvedGo>,
}

impl GoAxis {
    /// The axis of `config`'s `go` list: `toolchains[i]` is the exact toolchain that
    /// `config.go_versions[i]` resolved to, `go_mod` the module's `go` line.
    ///
    /// A toolchain that go.mod refuses is refused here (`check_go_mod`), before
    /// `catalog_of` is asked for any release's catalog: asking may download that toolchain,
    /// which could never build the module. Then each release gets its catalog, in order.
    pub fn resolve<E: From<ConfigErrors>>(
        config: &Config,
        toolchains: Vec<String>,
        go_mod: Option<GoModLine>,
        mut catalog_of: impl FnMut(GoVersion, &str) -> Result<Catalog, E>,
    ) -> Result<GoAxis, E> {
        let names: Vec<&str> = toolchains.iter().map(String::as_str).collect();
        check_go_mod(config, &names, go_mod.as_ref())?;
        let mut resolved = Vec::with_capacity(toolchains.len());
        for (requested, toolchain) in config.go_versions.iter().zip(toolchains) {
            let catalog = catalog_of(requested.value, &toolchain)?;
            resolved.push(ResolvedGo {
                requested: requested.value,
                toolchain,
                catalog,
            });
        }
        Ok(GoAxis {
            toolchains: resolved,
        })
    }

    /// The toolchain the release `requested` resolved to, if the axis has it.
    pub(crate) fn release(&self, requested: GoVersion) -> Option<&ResolvedGo> {
        self.toolchains
            .iter()
            .find(|resolved| resolved.requested == requested)
    }
}

impl ResolvedGo {
    /// The release as the plan records it.
    pub(crate) fn planned(&self) -> PlannedGo {
        PlannedGo {
            requested: self.requested,
            toolchain: self.toolchain.clone(),
        }
    }
}

/// Checks that every Go release of the axis may build the module: a toolchain older than
/// the go.mod `go` line refuses with `go: go.mod requires go >= 1.26`, so it is better
/// refused here, once, pointing at both files ([`GoAxis::resolve`] runs it). `toolchains[i]` is the exact toolchain of
/// `config.go_versions[i]`.
pub(crate) fn check_go_mod(
    config: &Config,
    toolchains: &[&str],
    go_mod: Option<&GoModLine>,
) -> Result<(), ConfigErrors> {
    let Some(go_mod) = go_mod else {
        return Ok(());
    };
    let diagnostics: Vec<Diagnostic> = config
        .go_versions
        .iter()
        .zip(toolchains)
        .filter(|(_, toolchain)| !go_mod.allows(toolchain))
        .map(|(requested, toolchain)| {
            Diagnostic::error(
                format!(
                    "Go {} ({toolchain}) cannot build this module: {}:{} says `go {}` (hint: drop {:?} from `go`, or lower the go line if the code builds with Go {})",
                    requested.value,
                    go_mod.path.display(),
                    go_mod.line,
                    go_mod.version,
                    requested.value.to_string(),
                    requested.value,
                ),
                Some(requested.span.clone()),
            )
        })
        .collect();
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(ConfigErrors {
            file: config.file.clone(),
            diagnostics,
        })
    }
}

/// Expands the matrix once per Go release of the axis, against that release's own
/// catalog, so that a port one release lacks is skipped (and listed) for it alone.
/// Targets come grouped by release, in the order of `go`.
pub(crate) fn expand_per_go(
    config: &Config,
    toolchains: &[ResolvedGo],
) -> Result<Expansion, Vec<Diagnostic>> {
    let mut all = Expansion::default();
    for (index, resolved) in toolchains.iter().enumerate() {
        let mut expansion = expand(config, &resolved.catalog)?;
        let suffix = format!("@{}", resolved.requested.id_segment());
        for expanded in &mut expansion.targets {
            expanded.target.go = Some(resolved.requested);
        }
        for collapsed in &mut expansion.collapsed {
            collapsed.requested = with_suffix(&collapsed.requested, &suffix);
            collapsed.into = with_suffix(&collapsed.into, &suffix);
        }
        for skipped in &mut expansion.skipped {
            skipped.requested = with_suffix(&skipped.requested, &suffix);
        }
        all.targets.append(&mut expansion.targets);
        all.collapsed.append(&mut expansion.collapsed);
        all.skipped.append(&mut expansion.skipped);
        // The same file gives the same warnings for every release; say them once.
        if index == 0 {
            all.warnings = expansion.warnings;
        }
    }
    Ok(all)
}

/// `linux/amd64 (libc musl)` + `@go1.25` = `linux/amd64@go1.25 (libc musl)`: the suffix
/// belongs to the id, before any explanation.
fn with_suffix(requested: &str, suffix: &str) -> String {
    match requested.split_once(" (") {
        Some((id, rest)) => format!("{id}{suffix} ({rest}"),
        None => format!("{requested}{suffix}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_minor_patch_and_go_prefix() {
        let v: GoVersion = "1.25".parse().unwrap();
        assert_eq!(
            v,
            GoVersion {
                minor: 25,
                patch: None
            }
        );
        assert_eq!(v.to_string(), "1.25");
        assert_eq!(v.id_segment(), "go1.25");
        assert_eq!(v.exact_toolchain(), None);
        let v: GoVersion = "go1.25.3".parse().unwrap();
        assert_eq!(
            v,
            GoVersion {
                minor: 25,
                patch: Some(3)
            }
        );
        assert_eq!(v.exact_toolchain().as_deref(), Some("go1.25.3"));
        assert_eq!("1.25.3".parse::<GoVersion>().unwrap(), v);
    }

    #[test]
    fn rejects_junk() {
        for bad in [
            "", "1", "go", "1.", "1.25.", "2.0", "1.025", "1.25rc1", "1.25.x", "v1.25", "1.25.3.1",
            " 1.25", "go 1.25", "1.-1", "1.99999",
        ] {
            assert!(
                bad.parse::<GoVersion>().is_err(),
                "{bad:?} should not parse"
            );
        }
    }

    #[test]
    fn matches_toolchains_of_its_release() {
        let minor: GoVersion = "1.25".parse().unwrap();
        assert!(minor.matches_toolchain("go1.25.7"));
        assert!(minor.matches_toolchain("go1.25.0 X:nodwarf5"));
        assert!(!minor.matches_toolchain("go1.26.1"));
        assert!(!minor.matches_toolchain("go1.25rc1"));
        let exact: GoVersion = "1.25.7".parse().unwrap();
        assert!(exact.matches_toolchain("go1.25.7"));
        assert!(!exact.matches_toolchain("go1.25.8"));
    }

    #[test]
    fn go_mod_lines_compare_as_go_does() {
        let line = |version: &str| GoModLine {
            path: PathBuf::from("go.mod"),
            line: 3,
            version: version.to_owned(),
        };
        assert!(line("1.24").allows("go1.25.7"));
        assert!(line("1.25").allows("go1.25.0"));
        assert!(line("1.25.0").allows("go1.25.0"));
        assert!(!line("1.25.3").allows("go1.25.2"));
        assert!(!line("1.26").allows("go1.25.14"));
        assert!(!line("1.26.0").allows("go1.25.14"));
        assert!(line("1.26rc1").allows("go1.26.0"));
        assert!(!line("1.26.0").allows("go1.26rc2"));
        assert!(line("garbage").allows("go1.20"));
    }

    #[test]
    fn reads_the_go_line_of_go_mod() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            "module example.com/x\n\n// go 1.99 in a comment\ngo 1.24 // minimum\n\ntoolchain go1.25.1\n",
        )
        .unwrap();
        let line = GoModLine::read(dir.path()).unwrap().unwrap();
        assert_eq!((line.line, line.version.as_str()), (4, "1.24"));
    }

    mod planning {
        use std::path::PathBuf;

        use crate::{
            Catalog, Config, PlanContext, SelectionRequest, SourceFile, VcsInfo, plan_with_go,
        };

        use super::super::*;

        fn config(matrix: &str) -> Result<Config, String> {
            Config::parse(SourceFile::new(
                "matrix.toml",
                format!("version = 1\n{matrix}"),
            ))
            .map_err(|e| e.to_string())
        }

        fn go_mod_line(version: &str) -> GoModLine {
            GoModLine {
                path: PathBuf::from("/m/go.mod"),
                line: 3,
                version: version.to_owned(),
            }
        }

        /// Every release resolved to its `.4` patch (or the exact one asked for), with the
        /// snapshot's ports, checked against a go.mod `go` line.
        fn axis(config: &Config, go_mod: Option<&str>) -> Result<GoAxis, ConfigErrors> {
            let toolchains = config
                .go_versions
                .iter()
                .map(|v| format!("go1.{}.{}", v.value.minor, v.value.patch.unwrap_or(4)))
                .collect();
            GoAxis::resolve(config, toolchains, go_mod.map(go_mod_line), |_, _| {
                Ok::<_, ConfigErrors>(Catalog::embedded_snapshot())
            })
        }

        fn plan_matrix(matrix: &str, go_mod: Option<&str>) -> Result<crate::Plan, String> {
            let config = config(matrix)?;
            let context = PlanContext {
                base_dir: PathBuf::from("/m"),
                dist_dir: PathBuf::from("/m/dist"),
                vcs: VcsInfo::fixed("1.0.0", "abc", 0),
                module_path: Some("example.com/app".to_owned()),
                sdkroot: None,
                crosscheck_version: "test".to_owned(),
            };
            let axis = axis(&config, go_mod).map_err(|e| e.to_string())?;
            plan_with_go(
                &config,
                &Catalog::embedded_snapshot(),
                &axis,
                &context,
                &SelectionRequest::default(),
            )
            .map_err(|e| e.to_string())
        }

        #[test]
        fn config_rejects_duplicate_and_empty_go_lists() {
            let error = config(
                "[matrix]\ngo = [\"1.25\", \"go1.25\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n",
            )
            .unwrap_err();
            assert!(
                error.contains("Go 1.25 is listed twice") && error.contains("matrix.toml:3:15"),
                "{error}"
            );
            let error =
                config("[matrix]\ngo = []\nos = [\"linux\"]\narch = [\"amd64\"]\n").unwrap_err();
            assert!(error.contains("`go` is empty"), "{error}");
        }

        #[test]
        fn go_placeholder_renders_the_release_and_templates_must_separate_releases() {
            let plan = plan_matrix(
                "[build]\noutput = \"{go}/{name}{ext}\"\nldflags = [\"-X main.go={go}\"]\n[matrix]\ngo = [\"1.25\", \"1.26.1\"]\ntargets = [\"linux/amd64\"]\n",
                None,
            )
            .unwrap();
            let outputs: Vec<&str> = plan.targets.iter().map(|t| t.output.as_str()).collect();
            assert_eq!(outputs, ["go1.25/app", "go1.26.1/app"]);
            assert!(
                plan.targets[1]
                    .argv
                    .iter()
                    .any(|a| a.contains("-X main.go=go1.26.1"))
            );
            assert_eq!(plan.targets[1].env["GOTOOLCHAIN"], "go1.26.1");
            assert_eq!(plan.targets[0].env["GOTOOLCHAIN"], "go1.25.4");

            let error = plan_matrix(
                "[build]\noutput = \"{name}_{os}_{arch}\"\n[matrix]\ngo = [\"1.25\", \"1.26\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n",
                None,
            )
            .unwrap_err();
            assert!(
                error.contains("linux/amd64@go1.26 and linux/amd64@go1.25 would both write")
                    && error.contains("{go}"),
                "{error}"
            );
        }

        #[test]
        fn go_mod_line_newer_than_a_release_is_refused_at_its_span() {
            let error = plan_matrix(
                "[matrix]\ngo = [\"1.26\", \"1.25\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n",
                Some("1.26.0"),
            )
            .unwrap_err();
            assert!(
                error.contains(
                    "Go 1.25 (go1.25.4) cannot build this module: /m/go.mod:3 says `go 1.26.0`"
                ),
                "{error}"
            );
            assert!(error.contains("matrix.toml:3:15"), "{error}");
            assert!(!error.contains("Go 1.26 ("), "{error}");
        }

        #[test]
        fn resolving_the_axis_refuses_go_mod_before_asking_for_catalogs() {
            let config = config(
                "[matrix]\ngo = [\"1.26\", \"1.25\"]\nos = [\"linux\"]\narch = [\"amd64\"]\n",
            )
            .unwrap();
            let toolchains = || vec!["go1.26.2".to_owned(), "go1.25.4".to_owned()];
            let go_mod = Some(go_mod_line("1.26"));
            let mut asked = Vec::new();
            let error = GoAxis::resolve(&config, toolchains(), go_mod, |requested, toolchain| {
                asked.push(format!("{requested} {toolchain}"));
                Ok::<_, ConfigErrors>(Catalog::embedded_snapshot())
            })
            .unwrap_err()
            .to_string();
            assert!(
                error.contains("Go 1.25 (go1.25.4) cannot build this module"),
                "{error}"
            );
            assert!(asked.is_empty(), "asked for {asked:?}");

            let go_mod = Some(go_mod_line("1.24"));
            let resolved = GoAxis::resolve(
                &config,
                toolchains(),
                go_mod.clone(),
                |requested, toolchain| {
                    asked.push(format!("{requested} {toolchain}"));
                    Ok::<_, ConfigErrors>(Catalog::embedded_snapshot())
                },
            )
            .unwrap();
            assert_eq!(asked, ["1.26 go1.26.2", "1.25 go1.25.4"]);
            let planned: Vec<String> = resolved
                .toolchains
                .iter()
                .map(|r| format!("{} {}", r.requested, r.toolchain))
                .collect();
            assert_eq!(planned, asked);
        }

        #[test]
        fn without_the_axis_nothing_changes() {
            let plan =
                plan_matrix("[matrix]\nos = [\"linux\"]\narch = [\"amd64\"]\n", None).unwrap();
            assert_eq!(plan.targets[0].id.to_string(), "linux/amd64");
            assert_eq!(plan.targets[0].output, "app_linux_amd64");
            assert!(
                plan.targets[0].go.is_none() && !plan.targets[0].env.contains_key("GOTOOLCHAIN")
            );
            let json = serde_json::to_string(&plan).unwrap();
            assert!(
                !json.contains("\"axis\"") && !json.contains("GOTOOLCHAIN"),
                "{json}"
            );
        }
    }
}
