//! Where a line of Go output points in the repository: `file.go:NN` references from the
//! compiler and from `t.Error`, turned into paths GitHub can place annotations on.

use std::path::{Component, Path, PathBuf};

/// Where a package's source files are, to turn `order_test.go:12` into a path GitHub can
/// place: relative to the repository root (`GITHUB_WORKSPACE`) when the module is inside
/// it, else relative to the module.
pub(crate) struct Sources {
    module_dir: PathBuf,
    /// The `module` line of go.mod; `None` when there is none to read.
    module_path: Option<String>,
    /// The module directory relative to the repository root (empty when it is the root or
    /// the root is unknown).
    from_root: PathBuf,
}

impl Sources {
    pub(crate) fn new(module_dir: &Path, workspace: Option<&std::ffi::OsStr>) -> Sources {
        let module_path = std::fs::read_to_string(module_dir.join("go.mod"))
            .ok()
            .and_then(|text| module_line(&text));
        let from_root = workspace
            .and_then(|root| {
                let root = std::fs::canonicalize(root).ok()?;
                let dir = std::fs::canonicalize(module_dir).ok()?;
                dir.strip_prefix(root).ok().map(Path::to_path_buf)
            })
            .unwrap_or_default();
        Sources {
            module_dir: module_dir.to_path_buf(),
            module_path,
            from_root,
        }
    }

    /// The first `file.go:NN:` reference in `lines` to a file of the module: relative to
    /// `package`'s directory (`t.Error`, `go test -c` run there) or to the module's
    /// (`go test -c` run from the module).
    pub(crate) fn locate(&self, package: &str, lines: &[&str]) -> Option<(String, u32)> {
        let module = self.module_path.as_deref()?;
        let package_dir = if package == module {
            ""
        } else {
            package.strip_prefix(module)?.strip_prefix('/')?
        };
        lines
            .iter()
            .filter_map(|l| file_reference(l))
            .find_map(|(file, line)| Some((self.place(package_dir, file)?, line)))
    }

    /// The compiler's errors in `lines` (the output of a command run in the module
    /// directory: `./cmd/x/main.go:9:2: undefined: name`) that point at files of the module,
    /// in order, each once.
    pub(crate) fn compiler_errors(&self, lines: &[String]) -> Vec<CompilerError> {
        let mut errors: Vec<CompilerError> = Vec::new();
        for line in lines {
            let Some((file, number, message)) = compiler_error(line) else {
                continue;
            };
            let Some(path) = self.place("", file) else {
                continue;
            };
            let error = CompilerError {
                path,
                line: number,
                message: message.to_owned(),
            };
            if !errors.contains(&error) {
                errors.push(error);
            }
        }
        errors
    }

    /// `file` as a path from the repository root, if it is a file of the module: tried
    /// relative to `package_dir`, then to the module.
    fn place(&self, package_dir: &str, file: &str) -> Option<String> {
        let file = Path::new(file.strip_prefix("./").unwrap_or(file));
        // Only paths that stay inside the module: output is untrusted text.
        if !file.components().all(|c| matches!(c, Component::Normal(_))) {
            return None;
        }
        [Path::new(package_dir).join(file), file.to_path_buf()]
            .into_iter()
            .find(|relative| self.module_dir.join(relative).is_file())
            .map(|relative| {
                let path = self.from_root.join(relative);
                path.to_string_lossy().replace('\\', "/")
            })
    }
}

/// A compiler error placed in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompilerError {
    /// The file, relative to the repository root.
    pub path: String,
    /// Its line.
    pub line: u32,
    /// What the compiler said, without the position.
    pub message: String,
}

/// `("./a.go", 5, "undefined: x")` from the compiler's `./a.go:5:2: undefined: x`.
fn compiler_error(line: &str) -> Option<(&str, u32, &str)> {
    let (file, number) = file_reference(line)?;
    let rest = line.trim_start().get(file.len() + 1..)?;
    let (_, rest) = rest.split_once(':')?;
    // The column, when there is one.
    let rest = match rest.split_once(':') {
        Some((column, after))
            if !column.is_empty() && column.bytes().all(|b| b.is_ascii_digit()) =>
        {
            after
        }
        _ => rest,
    };
    let message = rest.trim();
    (!message.is_empty()).then_some((file, number, message))
}

/// `example.com/m` from go.mod's `module example.com/m` (quoted or not).
fn module_line(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        let path = rest.split("//").next()?.trim().trim_matches('"');
        (!path.is_empty() && rest.starts_with([' ', '\t'])).then(|| path.to_owned())
    })
}

/// `("order_test.go", 12)` from `order_test.go:12: got big, want little`, how `t.Error`
/// places a message; `("./x_test.go", 5)` from the compiler's `./x_test.go:5:2: undefined`.
fn file_reference(line: &str) -> Option<(&str, u32)> {
    let (file, rest) = line.trim_start().split_once(':')?;
    let (number, _) = rest.split_once(':')?;
    let plain = !file.contains([' ', '\t']) && file.len() > ".go".len();
    let digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    if plain && file.ends_with(".go") && digits {
        Some((file, number.parse().ok()?))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_errors_have_a_place_and_a_message() {
        assert_eq!(
            compiler_error("./a.go:5:34: undefined: name"),
            Some(("./a.go", 5, "undefined: name"))
        );
        assert_eq!(
            compiler_error("sub/x_test.go:7: syntax error: unexpected }"),
            Some(("sub/x_test.go", 7, "syntax error: unexpected }"))
        );
        assert_eq!(compiler_error("./a.go:5:34:"), None);
        assert_eq!(compiler_error("# example.com/m"), None);
    }

    #[test]
    fn file_references_are_what_t_error_prints() {
        assert_eq!(
            file_reference("    a_test.go:12: msg"),
            Some(("a_test.go", 12))
        );
        assert_eq!(file_reference("a.go:7:"), Some(("a.go", 7)));
        assert_eq!(
            file_reference("./a_test.go:5:2: undefined"),
            Some(("./a_test.go", 5))
        );
        assert_eq!(file_reference("a_test.go:+5: x"), None);
        assert_eq!(file_reference("note: a_test.go:5: x"), None);
        assert_eq!(file_reference("panic: boom"), None);
    }

    #[test]
    fn go_mod_names_its_module() {
        assert_eq!(
            module_line("module \"x.org/y\"\n").as_deref(),
            Some("x.org/y")
        );
        assert_eq!(module_line("modules x\n"), None);
        assert_eq!(module_line("go 1.22\n"), None);
    }
}
