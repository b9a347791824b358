//! Property tests of expansion, equivalence, overrides, selection and sharding, over
//! random matrices planned against the catalog snapshot.

use std::path::PathBuf;

use crosscheck_planner::{
    Catalog, Config, ConfigErrors, GoAxis, GoVersion, Plan, PlanContext, SelectionRequest,
    Selector, Shard, SourceFile, Target, VcsInfo, assign_shards, equivalent, estimated_cost, plan,
    plan_with_go,
};
use proptest::prelude::*;
use proptest::sample::subsequence;

const OS: [&str; 8] = [
    "linux", "darwin", "windows", "freebsd", "js", "wasip1", "plan9", "openbsd",
];
const ARCH: [&str; 8] = [
    "amd64", "arm64", "386", "arm", "wasm", "riscv64", "mips64le", "s390x",
];
const LIBC: [&str; 4] = ["gnu", "gnu.2.17", "gnu.2.28", "musl"];

fn context() -> PlanContext {
    PlanContext {
        base_dir: PathBuf::from("/project"),
        dist_dir: PathBuf::from("/project/dist"),
        vcs: VcsInfo::fixed("1.0.0", "abc", 0),
        module_path: Some("example.com/app".to_owned()),
        // darwin cgo targets need an SDK; give one so that random matrices may include them.
        sdkroot: Some("/sdk".to_owned()),
        crosscheck_version: "test".to_owned(),
    }
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone)]
struct Matrix {
    os: Vec<&'static str>,
    arch: Vec<&'static str>,
    cgo: Vec<bool>,
    libc: Vec<&'static str>,
    goarm: Vec<&'static str>,
    goamd64: Vec<&'static str>,
    exclude: Vec<(Option<&'static str>, Option<&'static str>, Option<bool>)>,
    override_glob: &'static str,
}

impl Matrix {
    fn toml(&self) -> String {
        let mut text = format!(
            "version = 1\n[matrix]\nos = [{}]\narch = [{}]\ncgo = [{}]\nlibc = [{}]\n",
            quoted(&self.os),
            quoted(&self.arch),
            self.cgo
                .iter()
                .map(bool::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            quoted(&self.libc),
        );
        if !self.goarm.is_empty() {
            text.push_str(&format!("goarm = [{}]\n", quoted(&self.goarm)));
        }
        if !self.goamd64.is_empty() {
            text.push_str(&format!("goamd64 = [{}]\n", quoted(&self.goamd64)));
        }
        let excludes: Vec<String> = self
            .exclude
            .iter()
            .map(|(os, arch, cgo)| {
                let mut fields = Vec::new();
                if let Some(os) = os {
                    fields.push(format!("os = {os:?}"));
                }
                if let Some(arch) = arch {
                    fields.push(format!("arch = {arch:?}"));
                }
                if let Some(cgo) = cgo {
                    fields.push(format!("cgo = {cgo}"));
                }
                format!("{{ {} }}", fields.join(", "))
            })
            .collect();
        text.push_str(&format!("exclude = [{}]\n", excludes.join(", ")));
        text.push_str(&format!(
            "[[override]]\nmatch = {:?}\nflags = [\"-overridden\"]\n",
            self.override_glob
        ));
        text
    }
}

fn matrix() -> impl Strategy<Value = Matrix> {
    (
        subsequence(OS.to_vec(), 1..=4),
        subsequence(ARCH.to_vec(), 1..=4),
        subsequence(vec![false, true], 1..=2),
        subsequence(LIBC.to_vec(), 1..=3),
        subsequence(vec!["5", "6", "7"], 0..=2),
        subsequence(vec!["v1", "v2", "v3"], 0..=2),
        proptest::collection::vec(
            (
                proptest::option::of(proptest::sample::select(OS.to_vec())),
                proptest::option::of(proptest::sample::select(ARCH.to_vec())),
                proptest::option::of(any::<bool>()),
            ),
            0..3,
        ),
        proptest::sample::select(vec!["linux/*", "*/arm64*", "*+cgo*", "windows/amd64", "*"]),
    )
        .prop_map(
            |(os, arch, cgo, libc, goarm, goamd64, exclude, override_glob)| Matrix {
                os,
                arch,
                cgo,
                libc,
                goarm,
                goamd64,
                exclude,
                override_glob,
            },
        )
}

fn plan_of(text: &str, catalog: &Catalog, selection: &SelectionRequest) -> Option<Plan> {
    let config = Config::parse(SourceFile::new("matrix.toml", text)).ok()?;
    plan(&config, catalog, &context(), selection).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn planned_targets_are_buildable_ports(matrix in matrix()) {
        let catalog = Catalog::embedded_snapshot();
        let Some(plan) = plan_of(&matrix.toml(), &catalog, &SelectionRequest::default()) else {
            // Matrices whose every combination is skipped or excluded are errors: fine.
            return Ok(());
        };
        for target in &plan.targets {
            let port = catalog.port(&target.goos, &target.goarch);
            prop_assert!(port.is_some(), "{} is not in the catalog", target.id);
            let port = port.unwrap_or_else(|| unreachable!());
            prop_assert!(!port.broken, "{} is broken", target.id);
            prop_assert!(!target.cgo || port.cgo_supported, "{} has cgo", target.id);
            prop_assert!(target.libc.is_none() || (target.cgo && target.goos == "linux"), "{}", target.id);
            prop_assert!(matrix.os.contains(&target.goos.as_str()));
            prop_assert!(matrix.arch.contains(&target.goarch.as_str()));
        }
    }

    #[test]
    fn excludes_and_overrides_apply_as_documented(matrix in matrix()) {
        let catalog = Catalog::embedded_snapshot();
        let Some(plan) = plan_of(&matrix.toml(), &catalog, &SelectionRequest::default()) else {
            return Ok(());
        };
        let selector = Selector::new(matrix.override_glob).unwrap_or_else(|e| panic!("{e}"));
        for target in &plan.targets {
            for (os, arch, cgo) in &matrix.exclude {
                let excluded = os.is_none_or(|os| os == target.goos)
                    && arch.is_none_or(|arch| arch == target.goarch)
                    && cgo.is_none_or(|cgo| cgo == target.cgo);
                prop_assert!(!excluded, "{} survived exclude {:?}", target.id, (os, arch, cgo));
            }
            let overridden = target.argv.iter().any(|arg| arg == "-overridden");
            prop_assert_eq!(overridden, selector.matches(&target.id), "{}", target.id);
        }
    }

    #[test]
    fn equivalence_dedupe_is_idempotent(matrix in matrix()) {
        let catalog = Catalog::embedded_snapshot();
        let Some(first) = plan_of(&matrix.toml(), &catalog, &SelectionRequest::default()) else {
            return Ok(());
        };
        // No two planned targets are the same build.
        for (i, a) in first.targets.iter().enumerate() {
            for b in &first.targets[i + 1..] {
                prop_assert!(!equivalent(&a.id, &b.id, &catalog.default_goarm), "{} ~ {}", a.id, b.id);
            }
        }
        // Planning the planned ids again changes nothing and collapses nothing.
        let ids: Vec<String> = first.targets.iter().map(|t| format!("{:?}", t.id.to_string())).collect();
        let again = format!("version = 1\n[matrix]\ntargets = [{}]\n", ids.join(", "));
        let second = plan_of(&again, &catalog, &SelectionRequest::default());
        prop_assert!(second.is_some(), "re-planning failed:\n{again}");
        let second = second.unwrap_or_else(|| unreachable!());
        prop_assert!(second.collapsed.is_empty());
        let first_ids: Vec<&Target> = first.targets.iter().map(|t| &t.id).collect();
        let second_ids: Vec<&Target> = second.targets.iter().map(|t| &t.id).collect();
        prop_assert_eq!(first_ids, second_ids);
    }

    #[test]
    fn shards_partition_any_selection(matrix in matrix(), count in 1u32..12) {
        let catalog = Catalog::embedded_snapshot();
        let Some(full) = plan_of(&matrix.toml(), &catalog, &SelectionRequest::default()) else {
            return Ok(());
        };
        let mut seen = Vec::new();
        for index in 1..=count {
            let selection = SelectionRequest { shard: Some(Shard { index, count }), ..SelectionRequest::default() };
            if let Some(part) = plan_of(&matrix.toml(), &catalog, &selection) {
                seen.extend(part.targets.into_iter().map(|t| t.id));
            }
        }
        let mut expected: Vec<Target> = full.targets.into_iter().map(|t| t.id).collect();
        expected.sort();
        seen.sort();
        prop_assert_eq!(seen, expected);
    }

    #[test]
    fn shard_loads_are_balanced(costs in proptest::collection::vec(any::<bool>(), 0..60), count in 1u32..10) {
        let targets: Vec<Target> = costs
            .iter()
            .enumerate()
            .map(|(i, cgo)| {
                let mut target = Target::new("linux", "amd64");
                target.cgo = *cgo;
                target.libc = cgo.then(|| crosscheck_planner::Libc::Gnu(Some(crosscheck_planner::GlibcVersion { major: 2, minor: i as u16 })));
                target
            })
            .collect();
        let parts = assign_shards(&targets, count);
        let mut loads = vec![0u64; count as usize];
        for (target, part) in targets.iter().zip(&parts) {
            prop_assert!(*part < count);
            loads[*part as usize] += estimated_cost(target);
        }
        let max_cost = targets.iter().map(estimated_cost).max().unwrap_or(0);
        let spread = loads.iter().max().unwrap_or(&0) - loads.iter().min().unwrap_or(&0);
        prop_assert!(spread <= max_cost, "loads {:?}", loads);
    }

    #[test]
    fn ids_round_trip(
        os in proptest::sample::select(OS.to_vec()),
        arch in proptest::sample::select(vec!["amd64", "arm", "arm64", "wasm", "mips"]),
        variant in proptest::option::of(0usize..4),
        cgo in any::<bool>(),
        libc in proptest::sample::select(LIBC.to_vec()),
        go in proptest::option::of((0u32..40, proptest::option::of(0u32..30))),
    ) {
        let variant_value = variant.map(|i| match arch {
            "amd64" => ["v1", "v2", "v3", "v4"][i],
            "arm" => ["v5", "v6", "v7", "v7-softfloat"][i],
            "arm64" => ["v8.0", "v8.2-lse", "v9.5-crypto-lse", "v8.9"][i],
            "wasm" => ["satconv", "signext", "satconv-signext", "signext-satconv"][i],
            _ => ["hardfloat", "softfloat", "hardfloat", "softfloat"][i],
        });
        let mut id = format!("{os}/{arch}");
        if let Some(value) = variant_value {
            id.push('/');
            id.push_str(value);
        }
        if cgo {
            id.push_str("+cgo");
            if os == "linux" {
                id.push('.');
                id.push_str(&libc.replace("gnu.", "gnu"));
            }
        }
        if let Some((minor, patch)) = go {
            id.push_str(&format!("@go1.{minor}"));
            if let Some(patch) = patch {
                id.push_str(&format!(".{patch}"));
            }
        }
        let target: Target = id.parse().map_err(|e| TestCaseError::fail(format!("{id}: {e}")))?;
        prop_assert_eq!(target.to_string(), id.clone());
        prop_assert!(!target.slug().contains(['/', '+', '@']), "{}", target.slug());
        let reparsed: Target = target.to_string().parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(reparsed, target);
    }

    /// With a Go-version axis every target appears once per release, each built by its
    /// release's toolchain; a port one release lacks is skipped for it alone.
    #[test]
    fn go_axis_multiplies_targets_by_release(matrix in matrix(), drop_port in 0usize..10) {
        let snapshot = Catalog::embedded_snapshot();
        let Some(single) = plan_of(&matrix.toml(), &snapshot, &SelectionRequest::default()) else {
            return Ok(());
        };
        // An older release that lacks one of the ports the matrix uses.
        let mut older = snapshot.clone();
        let dropped = single.targets.get(drop_port % single.targets.len()).map(|t| (t.goos.clone(), t.goarch.clone()));
        older.ports.retain(|p| Some((p.goos.clone(), p.goarch.clone())) != dropped);
        let text = matrix.toml().replacen("[matrix]\n", "[matrix]\ngo = [\"1.25\", \"1.26\"]\n", 1);
        let config = Config::parse(SourceFile::new("matrix.toml", text.as_str()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let toolchains = vec!["go1.25.7".to_owned(), "go1.26.2".to_owned()];
        let axis = GoAxis::resolve(&config, toolchains, None, |requested: GoVersion, _: &str| {
            Ok::<_, ConfigErrors>(if requested.minor == 25 { older.clone() } else { snapshot.clone() })
        })
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Ok(planned) = plan_with_go(&config, &snapshot, &axis, &context(), &SelectionRequest::default()) else {
            // The older release may have nothing left to build: an error, fine.
            return Ok(());
        };
        let newer: Vec<_> = planned.targets.iter().filter(|t| t.id.id().ends_with("@go1.26")).collect();
        let older_targets: Vec<_> = planned.targets.iter().filter(|t| t.id.id().ends_with("@go1.25")).collect();
        prop_assert_eq!(newer.len(), single.targets.len());
        prop_assert_eq!(newer.len() + older_targets.len(), planned.targets.len());
        prop_assert!(older_targets.len() < single.targets.len());
        for target in &planned.targets {
            let toolchain = if target.id.id().ends_with("@go1.25") { "go1.25.7" } else { "go1.26.2" };
            prop_assert_eq!(target.env.get("GOTOOLCHAIN").map(String::as_str), Some(toolchain));
            prop_assert!(Some((target.goos.clone(), target.goarch.clone())) != dropped || toolchain == "go1.26.2");
        }
        let outputs: std::collections::BTreeSet<_> = planned.targets.iter().map(|t| &t.output).collect();
        prop_assert_eq!(outputs.len(), planned.targets.len());
    }
}
