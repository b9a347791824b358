//! `crosscheck init`: write a fully commented matrix.toml, or one converted from a
//! GoReleaser config (`--from-goreleaser`, docs/goreleaser.md).

use std::path::{Component, Path, PathBuf};

use crosscheck_planner::goreleaser::{Conversion, ConvertOptions, FindingKind, convert};

use crate::cli::InitArgs;
use crate::errors::CliError;
use crate::printer::Printer;

/// The files `--from-goreleaser` looks for, in GoReleaser's own order of preference.
const GORELEASER_FILES: [&str; 2] = [".goreleaser.yaml", ".goreleaser.yml"];

pub fn run(args: &InitArgs, printer: &Printer) -> Result<(), CliError> {
    if args.path.exists() && !args.force {
        return Err(CliError::Usage(format!(
            "{} already exists (hint: pass --force to overwrite it)",
            args.path.display()
        )));
    }
    // Before converting: `[project] dir` is worked out from where the file goes.
    if let Some(parent) = args.path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| CliError::Io {
            action: "cannot create",
            path: parent.display().to_string(),
            source,
        })?;
    }
    let (text, summary) = match &args.from_goreleaser {
        None => (commented_template(&args.path, printer)?, String::new()),
        Some(file) => {
            let conversion = from_goreleaser(file.as_deref(), &args.path, printer)?;
            let summary = summary(&conversion);
            (conversion.matrix_toml, summary)
        }
    };
    crosscheck_schema::dist::write_atomically(&args.path, text.as_bytes()).map_err(|source| {
        CliError::Io {
            action: "cannot write",
            path: args.path.display().to_string(),
            source,
        }
    })?;
    printer.status(&format!(
        "wrote {}{summary}; `crosscheck plan` shows what it expands to",
        args.path.display()
    ));
    Ok(())
}

/// The commented matrix.toml, naming the module's programs: `main` is the one main package
/// `go list` finds (`.` or `./cmd/tool`); several get a `[[binary]]` table each. A
/// GoReleaser config beside it is worth converting instead: say so.
fn commented_template(output: &Path, printer: &Printer) -> Result<String, CliError> {
    let template = crosscheck_planner::INIT_TEMPLATE;
    let dir = output
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Some(found) = GORELEASER_FILES
        .iter()
        .find(|name| dir.join(name).is_file())
    {
        printer.status(&format!(
            "note: {found} is here: `crosscheck init --from-goreleaser` writes the matrix.toml that builds what it builds"
        ));
    }
    if !dir.join("go.mod").is_file() {
        return Ok(template.to_owned());
    }
    let chosen = crosscheck_planner::MainPackages::find("go", dir)?.choose();
    const MAIN_LINE: &str = "main = \".\"\n";
    Ok(match chosen.as_slice() {
        [] => {
            printer.warning("`go list ./...` finds no main package here: set `main` in [project] to the program's package");
            template.to_owned()
        }
        [one] => template.replacen(MAIN_LINE, &format!("main = {:?}\n", one.main), 1),
        several => {
            let tables = crosscheck_planner::MainPackages::matrix_tables(several);
            let note =
                "# main: one per program, in the [[binary]] tables at the end of this file.\n";
            format!(
                "{}\n# The main packages found under this module, one binary each.{tables}",
                template.replacen(MAIN_LINE, note, 1).trim_end()
            )
        }
    })
}

/// Converts the GoReleaser file (found in the current directory when not given), listing
/// each finding on stderr.
fn from_goreleaser(
    file: Option<&Path>,
    output: &Path,
    printer: &Printer,
) -> Result<Conversion, CliError> {
    let path = match file {
        Some(file) => file.to_owned(),
        None => find_goreleaser_file()?,
    };
    let bytes = std::fs::read(&path).map_err(|source| CliError::Io {
        action: "cannot read",
        path: path.display().to_string(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        CliError::Usage(format!(
            "{} is not UTF-8 (byte {} is not part of a character); GoReleaser reads UTF-8 YAML",
            path.display(),
            error.utf8_error().valid_up_to()
        ))
    })?;
    let project = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let output_dir = output
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let options = ConvertOptions {
        file_name: path.display().to_string(),
        module_path: crosscheck_planner::read_module_path(project).ok().flatten(),
        top_level_files: top_level_files(project),
        dir: relative_dir(output_dir, project),
    };
    let conversion = convert(&text, &options)?;
    for finding in &conversion.findings {
        printer.warning(&finding.render(&options.file_name));
    }
    Ok(conversion)
}

/// `.goreleaser.yaml`, else `.goreleaser.yml`, in the current directory.
fn find_goreleaser_file() -> Result<PathBuf, CliError> {
    GORELEASER_FILES
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .ok_or_else(|| {
            CliError::Usage(format!(
                "no {} or {} in the current directory (hint: name the file: --from-goreleaser path/to/.goreleaser.yml)",
                GORELEASER_FILES[0], GORELEASER_FILES[1]
            ))
        })
}

/// The names of the files at the top of the project, for GoReleaser's default archive files.
fn top_level_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// `to` relative to `from` (both directories), for `[project] dir`; `None` when they are
/// the same directory or cannot be resolved.
fn relative_dir(from: &Path, to: &Path) -> Option<String> {
    let from = std::fs::canonicalize(from).ok()?;
    let to = std::fs::canonicalize(to).ok()?;
    let relative = relative_path(&from, &to);
    (relative != Path::new(".")).then(|| relative.to_string_lossy().replace('\\', "/"))
}

/// The path from the absolute directory `from` to the absolute `to`: `..` for each of
/// `from`'s components after their common prefix, then the rest of `to`.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path: PathBuf =
        std::iter::repeat_n(Component::ParentDir, from.len() - common).collect();
    path.extend(&to[common..]);
    if path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        path
    }
}

/// `: 2 binaries, 10 targets; 3 keys not translated, ...`, for the status line.
fn summary(conversion: &Conversion) -> String {
    let count = |kind: FindingKind| {
        conversion
            .findings
            .iter()
            .filter(|f| f.kind == kind)
            .count()
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = format!(
        ": {}, {}",
        plural(conversion.binaries, "binary", "binaries"),
        plural(conversion.targets, "target", "targets")
    );
    let counts = [
        (count(FindingKind::NotTranslated), "not translated"),
        (
            count(FindingKind::Approximated),
            "translated with a difference",
        ),
        (
            count(FindingKind::NotHandled),
            "publishing sections not handled",
        ),
    ];
    let said: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !said.is_empty() {
        text.push_str(&format!(
            "; {} (listed above and as comments in the file)",
            said.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_go_up_then_down() {
        let path = |from: &str, to: &str| relative_path(Path::new(from), Path::new(to));
        assert_eq!(path("/a/b", "/a/b"), PathBuf::from("."));
        assert_eq!(path("/a/b", "/a/b/c"), PathBuf::from("c"));
        assert_eq!(path("/a/b/c", "/a/b"), PathBuf::from(".."));
        assert_eq!(path("/a/x", "/a/b/c"), PathBuf::from("../b/c"));
    }
}
