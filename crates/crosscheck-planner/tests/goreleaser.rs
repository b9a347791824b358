//! `crosscheck init --from-goreleaser`'s conversion on the GoReleaser configs of
//! tests/fixtures/goreleaser/ (written from GoReleaser's documented schema, version 1 and
//! 2): the matrix.toml written and the findings reported are snapshots, and every
//! conversion is a matrix.toml that crosscheck plans.

use std::path::Path;

use crosscheck_planner::goreleaser::{Conversion, ConvertOptions, convert};
use crosscheck_planner::{
    Catalog, Config, PlanContext, SelectionRequest, SourceFile, VcsInfo, plan,
};

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
    ] {
        let path = dir.path().join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, "x\n").unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

/// Plans `text` against Go's port list, as `crosscheck plan --offline` does.
fn plans(text: &str, project: &Path) -> Result<usize, String> {
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
    Ok(plan.targets.len())
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
                let planned = plans(&conversion.matrix_toml, project.path()).unwrap_or_else(|e| {
                    panic!(
                        "{}: the conversion does not plan:\n{e}\n{}",
                        path.display(),
                        conversion.matrix_toml
                    )
                });
                assert!(planned >= conversion.targets, "{}", path.display());
            }
            Err(errors) => insta::assert_snapshot!("error", errors.to_string()),
        }
    });
}
