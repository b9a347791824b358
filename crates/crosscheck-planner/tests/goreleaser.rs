//! `crosscheck init --from-goreleaser`'s conversion on the GoReleaser configs of
//! tests/fixtures/goreleaser/ (written from GoReleaser's documented schema, version 1 and
//! 2): the matrix.toml written and the findings reported are snapshots, and every
//! conversion is a matrix.toml that crosscheck plans.

use std::path::Path;

use crosscheck_planner::goreleaser::{Conversion, ConvertOptions, convert};
use crosscheck_planner::{
    Catalog, Config, PlanContext, SelectionRequest, SourceFile, VcsInfo, plan,
};
use proptest::prelude::*;
use proptest::sample::subsequence;

/// What the conversion is told about the project: the module path GoReleaser would take
/// the project name from, and the files its default archive globs match.
fn options(path: &Path) -> ConvertOptions {
    ConvertOptions {
        file_name: path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        module_path: Some("example.com/fixture".to_owned()),
        top_level_files: ["LICENSE", "README.md", "go.mod", "main.go"]
            .map(str::to_owned)
            .to_vec(),
        dir: None,
    }
}

fn findings(conversion: &Conversion, file: &str) -> String {
    conversion
        .findings
        .iter()
        .map(|f| f.render(file) + "\n")
        .collect()
}

/// A project directory with the files the fixtures' archives name.
fn project_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for file in [
        "LICENSE",
        "README.md",
        "go.mod",
        "main.go",
        "docs/guide.md",
        "quirks.1",
        "packaging/postinstall.sh",
        "packaging/tool.conf",
    ] {
        let path = dir.path().join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, "x\n").unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

#[test]
fn conversions_match_their_snapshots_and_plan() {
    insta::glob!("../../../tests/fixtures/goreleaser", "*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
        let options = options(path);
        match convert(&text, &options) {
            Ok(conversion) => {
                insta::assert_snapshot!("matrix", conversion.matrix_toml);
                insta::assert_snapshot!("findings", findings(&conversion, &options.file_name));
                let project = project_dir();
                let ids =
                    planned_ids(&conversion.matrix_toml, project.path()).unwrap_or_else(|e| {
                        panic!(
                            "{}: the conversion does not plan:\n{e}\n{}",
                            path.display(),
                            conversion.matrix_toml
                        )
                    });
                assert_eq!(ids, sorted(conversion.builds.clone()), "{}", path.display());
            }
            Err(errors) => insta::assert_snapshot!("error", errors.to_string()),
        }
    });
}

/// The ids of the builds `text` plans, universal binaries aside, sorted.
fn planned_ids(text: &str, project: &Path) -> Result<Vec<String>, String> {
    let config = Config::parse(SourceFile::new("matrix.toml", text)).map_err(|e| e.to_string())?;
    let context = PlanContext {
        base_dir: project.to_owned(),
        dist_dir: project.join("dist"),
        vcs: VcsInfo::fixed("1.2.3", "0123456789abcdef0123456789abcdef01234567", 0),
        module_path: Some("example.com/fixture".to_owned()),
        sdkroot: Some("/sdk".to_owned()),
        crosscheck_version: "test".to_owned(),
    };
    let plan = plan(
        &config,
        &Catalog::embedded_snapshot(),
        &context,
        &SelectionRequest::default(),
    )
    .map_err(|e| e.to_string())?;
    let mut ids: Vec<String> = plan.targets.iter().map(|t| t.id.to_string()).collect();
    ids.sort();
    Ok(ids)
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

const GOOS: [&str; 7] = [
    "linux", "darwin", "windows", "freebsd", "js", "wasip1", "openbsd",
];
const GOARCH: [&str; 7] = [
    "amd64", "arm64", "386", "arm", "wasm", "riscv64", "mips64le",
];

/// A GoReleaser build as YAML, from the generated choices.
#[derive(Clone, Debug)]
struct GeneratedBuild {
    goos: Vec<&'static str>,
    goarch: Vec<&'static str>,
    goarm: Vec<&'static str>,
    goamd64: Vec<&'static str>,
    ignore: Option<(&'static str, &'static str)>,
    cgo: Option<bool>,
    explicit: Option<Vec<&'static str>>,
    same_name: bool,
}

fn yaml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn generated_config(builds: &[GeneratedBuild]) -> String {
    let mut text = "version: 2\nproject_name: gen\nbuilds:\n".to_owned();
    for (index, build) in builds.iter().enumerate() {
        let binary = if build.same_name {
            "gen".to_owned()
        } else {
            format!("b{index}")
        };
        text.push_str(&format!(
            "  - id: b{index}\n    main: ./cmd/b{index}\n    binary: {binary}\n"
        ));
        if let Some(cgo) = build.cgo {
            text.push_str(&format!("    env: [CGO_ENABLED={}]\n", u8::from(cgo)));
        }
        if let Some(targets) = &build.explicit {
            text.push_str(&format!("    targets: {}\n", yaml_list(targets)));
            continue;
        }
        text.push_str(&format!(
            "    goos: {}\n    goarch: {}\n",
            yaml_list(&build.goos),
            yaml_list(&build.goarch)
        ));
        if !build.goarm.is_empty() {
            text.push_str(&format!("    goarm: {}\n", yaml_list(&build.goarm)));
        }
        if !build.goamd64.is_empty() {
            text.push_str(&format!("    goamd64: {}\n", yaml_list(&build.goamd64)));
        }
        if let Some((goos, goarch)) = build.ignore {
            text.push_str(&format!(
                "    ignore:\n      - goos: {goos}\n        goarch: \"{goarch}\"\n"
            ));
        }
    }
    text
}

fn generated_build() -> impl Strategy<Value = GeneratedBuild> {
    let explicit = prop_oneof![
        Just(None),
        subsequence(
            vec![
                "linux_amd64",
                "linux_arm_7",
                "darwin_arm64",
                "windows_386",
                "js_wasm",
                "go_first_class"
            ],
            1..4
        )
        .prop_map(Some),
    ];
    (
        subsequence(GOOS.to_vec(), 1..4),
        subsequence(GOARCH.to_vec(), 1..4),
        subsequence(vec!["5", "6", "7"], 0..3),
        subsequence(vec!["v1", "v2", "v3"], 0..3),
        proptest::option::of((
            proptest::sample::select(GOOS.to_vec()),
            proptest::sample::select(GOARCH.to_vec()),
        )),
        proptest::option::of(any::<bool>()),
        explicit,
        any::<bool>(),
    )
        .prop_map(
            |(goos, goarch, goarm, goamd64, ignore, cgo, explicit, same_name)| GeneratedBuild {
                goos,
                goarch,
                goarm,
                goamd64,
                ignore,
                cgo,
                explicit,
                same_name,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the builds, the matrix written plans exactly the builds the conversion
    /// computed from GoReleaser's rules: axes or a list, binaries' target selectors and
    /// overrides never add or lose one.
    #[test]
    fn converted_matrices_plan_exactly_the_converted_builds(builds in proptest::collection::vec(generated_build(), 1..4)) {
        let text = generated_config(&builds);
        let options = options(Path::new("gen.yaml"));
        let conversion = convert(&text, &options).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let project = project_dir();
        if conversion.builds.is_empty() {
            return Ok(());
        }
        let planned = planned_ids(&conversion.matrix_toml, project.path())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}\n{}", conversion.matrix_toml)))?;
        prop_assert_eq!(planned, sorted(conversion.builds.clone()), "{}\n{}", text, conversion.matrix_toml);
    }

    /// No input makes the conversion panic: arbitrary text, and the fixtures with bytes
    /// cut out.
    #[test]
    fn conversion_never_panics(text in "[a-z_:\\-\\[\\]{}. \"'\n0-9|*&!]{0,200}") {
        let _ = convert(&text, &options(Path::new("x.yaml")));
    }

    #[test]
    fn damaged_fixtures_never_panic(cut in 0usize..4000, length in 1usize..40, which in 0usize..7) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/goreleaser");
        let mut names: Vec<_> = std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
        names.sort();
        let path = &names[which % names.len()];
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let start = cut.min(text.len());
        let end = (start + length).min(text.len());
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            let damaged = format!("{}{}", &text[..start], &text[end..]);
            let _ = convert(&damaged, &options(path));
        }
    }
}
