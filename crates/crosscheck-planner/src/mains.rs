//! Finding a module's main packages, for a project without matrix.toml.
//!
//! The most common layout of a Go tool keeps its programs under `cmd/` and nothing at the
//! root, so planning `main = "."` would only fail every build. [`MainPackages::find`] asks
//! `go list` which packages of the module are `package main`; [`MainPackages::choose`]
//! picks what to build (the root's, else those under `cmd/`, else every one) and
//! [`MainPackages::matrix_tables`] writes them as matrix.toml would say it.

use std::path::Path;

use crate::catalog::{CatalogError, run_go};

/// The `go list` template: the directory of each main package, one per line.
const LIST_MAINS: &str = "{{if eq .Name \"main\"}}{{.Dir}}{{end}}";

/// A main package of the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MainPackage {
    /// Its directory relative to the module, `.`-prefixed as `go build` takes it:
    /// `.` or `./cmd/server`.
    pub main: String,
    /// The binary `go build` makes of it: the directory's last element, or the module's for
    /// the root.
    pub name: String,
}

/// The main packages of a module, as `go list ./...` reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MainPackages {
    /// Every main package, in `go list` order (sorted by import path).
    pub found: Vec<MainPackage>,
}

impl MainPackages {
    /// Asks `go` which packages of the module in `module_dir` are main packages. A main
    /// package at the root is named after the module path's last element (go.mod's).
    pub fn find(go: &str, module_dir: &Path) -> Result<MainPackages, CatalogError> {
        let output = run_go(
            go,
            module_dir,
            &["list", "-e", "-f", LIST_MAINS, "./..."],
            &[],
        )?;
        let module_path = crate::read_module_path(module_dir).ok().flatten();
        let module_name = module_path
            .as_deref()
            .and_then(|path| path.rsplit('/').next())
            .unwrap_or("app");
        // `go list` reports absolute directories; the module's may be a symlink's target.
        let root = module_dir
            .canonicalize()
            .unwrap_or_else(|_| module_dir.to_owned());
        Ok(MainPackages::from_dirs(&root, output.lines(), module_name))
    }

    /// The main packages whose directories `go list` printed.
    fn from_dirs<'a>(
        root: &Path,
        dirs: impl Iterator<Item = &'a str>,
        module_name: &str,
    ) -> MainPackages {
        let mut found = Vec::new();
        for dir in dirs.map(str::trim).filter(|dir| !dir.is_empty()) {
            let Ok(relative) = Path::new(dir).strip_prefix(root) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            let package = if relative.is_empty() {
                MainPackage {
                    main: ".".to_owned(),
                    name: module_name.to_owned(),
                }
            } else {
                let last = relative.rsplit('/').next().unwrap_or(&relative);
                MainPackage {
                    main: format!("./{relative}"),
                    name: binary_name(last),
                }
            };
            found.push(package);
        }
        MainPackages { found }
    }

    /// What to build: the root's main package when there is one, as without matrix.toml
    /// before; else the main packages under `cmd/` (the layout's convention: the others are
    /// examples and tools); else every main package. Names that collide get their parent
    /// directories (`a-server`, `b-server`).
    pub fn choose(&self) -> Vec<MainPackage> {
        if let Some(root) = self.found.iter().find(|p| p.main == ".") {
            return vec![root.clone()];
        }
        let under_cmd: Vec<MainPackage> = self
            .found
            .iter()
            .filter(|p| p.main.starts_with("./cmd/"))
            .cloned()
            .collect();
        let mut chosen = if under_cmd.is_empty() {
            self.found.clone()
        } else {
            under_cmd
        };
        let names: Vec<String> = chosen.iter().map(|p| p.name.clone()).collect();
        for package in &mut chosen {
            if names.iter().filter(|name| **name == package.name).count() > 1 {
                let path = package.main.trim_start_matches("./");
                package.name = binary_name(&path.replace('/', "-"));
            }
        }
        chosen
    }

    /// `chosen` as matrix.toml says it: `[project] main` for one package, a `[[binary]]`
    /// table each for several.
    pub fn matrix_tables(chosen: &[MainPackage]) -> String {
        match chosen {
            [] => String::new(),
            [one] => format!(
                "\n[project]\nmain = {:?}\nname = {:?}\n",
                one.main, one.name
            ),
            several => several
                .iter()
                .map(|package| {
                    format!(
                        "\n[[binary]]\nname = {:?}\nmain = {:?}\n",
                        package.name, package.main
                    )
                })
                .collect(),
        }
    }
}

/// A directory name as a binary name (`app` when nothing of it is left).
fn binary_name(text: &str) -> String {
    crosscheck_schema::to_binary_name(text).unwrap_or_else(|| "app".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mains(dirs: &[&str]) -> MainPackages {
        MainPackages::from_dirs(Path::new("/m"), dirs.iter().copied(), "tool")
    }

    #[test]
    fn the_root_wins_then_cmd_then_everything() {
        let root = mains(&["/m", "/m/cmd/extra"]);
        assert_eq!(
            root.choose(),
            [MainPackage {
                main: ".".into(),
                name: "tool".into()
            }]
        );
        let cmd = mains(&["/m/cmd/client", "/m/cmd/server", "/m/examples/demo"]);
        let names: Vec<String> = cmd.choose().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["client", "server"]);
        let elsewhere = mains(&["/m/tools/gen", "/outside/x"]);
        assert_eq!(
            elsewhere.choose(),
            [MainPackage {
                main: "./tools/gen".into(),
                name: "gen".into()
            }]
        );
        assert!(mains(&[]).choose().is_empty());
    }

    #[test]
    fn colliding_names_take_their_path() {
        let both = mains(&["/m/cmd/a/server", "/m/cmd/b/server", "/m/cmd/c"]);
        let names: Vec<String> = both.choose().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["cmd-a-server", "cmd-b-server", "c"]);
    }

    #[test]
    fn tables_are_matrix_toml() {
        let one = [MainPackage {
            main: "./cmd/tool".into(),
            name: "tool".into(),
        }];
        assert_eq!(
            MainPackages::matrix_tables(&one),
            "\n[project]\nmain = \"./cmd/tool\"\nname = \"tool\"\n"
        );
        let two = mains(&["/m/cmd/a", "/m/cmd/b"]).choose();
        let text = MainPackages::matrix_tables(&two);
        assert_eq!(text.matches("[[binary]]").count(), 2, "{text}");
        assert!(text.contains("name = \"b\"\nmain = \"./cmd/b\""), "{text}");
    }
}
