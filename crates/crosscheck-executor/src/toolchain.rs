//! C toolchains for cgo targets: what this machine has ([`HostTools`]) and which compiler a
//! target gets ([`resolve_c_compiler`]).
//!
//! Detection runs processes (`which`, `zig version`, `python3`); resolution is a pure
//! function of a target and a [`HostTools`], so `doctor` and `build` agree on what would
//! run, and the manifest records exactly what did.
//!
//! Order of preference for a cgo target: the `cc` the matrix sets; zig (`zig cc -target
//! <triple>`), found on PATH or as the `ziglang` Python package; a Debian cross gcc found on
//! PATH. Zig comes before gcc because it also pins glibc versions and links musl
//! statically, which a distribution's cross gcc cannot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crosscheck_planner::{PlannedTarget, Requirement};
use crosscheck_schema::{CcKind, ResolvedCc};
use serde::{Deserialize, Serialize};

/// The C toolchains found on this machine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostTools {
    /// zig, if found.
    pub zig: Option<Zig>,
    /// Why zig was not found, when it was looked for.
    pub zig_missing: Option<String>,
    /// Cross compilers looked up on PATH, and where each is (`None`: not found).
    pub compilers: BTreeMap<String, Option<PathBuf>>,
}

/// A usable zig.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zig {
    /// The command that runs zig: the executable, or `python3 -m ziglang`.
    pub command: Vec<String>,
    /// `zig version`.
    pub version: String,
    /// How it was found.
    pub source: ZigSource,
}

/// Where zig came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ZigSource {
    /// `zig` on PATH.
    Path,
    /// The `ziglang` package of this Python (installed with `pip install ziglang`). The
    /// executable inside the package is used directly when present: a cgo build runs the
    /// C compiler dozens of times, and a Python start-up each time adds seconds.
    PythonPackage {
        /// The Python interpreter.
        python: String,
    },
}

impl std::fmt::Display for ZigSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZigSource::Path => f.write_str("zig on PATH"),
            ZigSource::PythonPackage { python } => {
                write!(f, "ziglang Python package of {python}")
            }
        }
    }
}

/// A cgo target this machine has no C compiler for, and what to install.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("no C compiler for {target} (hint: {install})")]
pub struct MissingCc {
    /// The target id.
    pub target: String,
    /// What would fix it, e.g. "pip install ziglang, or apt-get install gcc-aarch64-linux-gnu".
    pub install: String,
}

impl HostTools {
    /// Looks for what `plan`'s targets could use: zig, and the Debian cross compilers their
    /// requirements name. Nothing is looked for when no target needs a C compiler.
    pub fn detect(targets: &[PlannedTarget]) -> HostTools {
        let mut wanted = Vec::new();
        let mut want_zig = false;
        for target in targets {
            for requirement in &target.requirements {
                if let Requirement::CCompiler {
                    configured: None,
                    zig_target,
                    debian,
                } = requirement
                {
                    want_zig |= zig_target.is_some();
                    if let Some((command, _)) = debian {
                        wanted.push(command.clone());
                        if let Some(prefix) = command.strip_suffix("-gcc") {
                            wanted.push(format!("{prefix}-g++"));
                        }
                    }
                }
            }
        }
        HostTools::detect_these(wanted, want_zig)
    }

    /// Looks for zig (if `zig` is set) and each of `compilers` on PATH.
    pub fn detect_these(compilers: impl IntoIterator<Item = String>, zig: bool) -> HostTools {
        let compilers = compilers
            .into_iter()
            .map(|name| {
                let path = which::which(&name).ok();
                (name, path)
            })
            .collect();
        let (zig, zig_missing) = if zig {
            match find_zig() {
                Ok(zig) => (Some(zig), None),
                Err(why) => (None, Some(why)),
            }
        } else {
            (None, None)
        };
        HostTools {
            zig,
            zig_missing,
            compilers,
        }
    }
}

pub(crate) fn find_zig() -> Result<Zig, String> {
    if let Ok(path) = which::which("zig") {
        let command = vec![path.to_string_lossy().into_owned()];
        if let Some(version) = zig_version(&command) {
            return Ok(Zig {
                command,
                version,
                source: ZigSource::Path,
            });
        }
    }
    let Ok(python) = which::which("python3") else {
        return Err("no `zig` on PATH and no python3 for the ziglang package".to_owned());
    };
    let python = python.to_string_lossy().into_owned();
    let output = Command::new(&python)
        .args([
            "-c",
            "import ziglang, os, sys; print(os.path.dirname(ziglang.__file__)); print(sys.executable)",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !output.status.success() {
        return Err("no `zig` on PATH and no ziglang Python package".to_owned());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let package_dir = lines.next().unwrap_or_default().trim().to_owned();
    // The shim on PATH (pyenv, a venv) may resolve differently in another directory; the
    // interpreter that answered is the one that has the package.
    let interpreter = lines
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&python)
        .to_owned();
    let binary = Path::new(&package_dir).join(format!("zig{}", std::env::consts::EXE_SUFFIX));
    let command = if binary.is_file() {
        vec![binary.to_string_lossy().into_owned()]
    } else {
        vec![interpreter.clone(), "-m".to_owned(), "ziglang".to_owned()]
    };
    let version = zig_version(&command)
        .ok_or_else(|| format!("the ziglang package of {interpreter} does not run"))?;
    Ok(Zig {
        command,
        version,
        source: ZigSource::PythonPackage {
            python: interpreter,
        },
    })
}

fn zig_version(command: &[String]) -> Option<String> {
    let (program, args) = command.split_first()?;
    let output = Command::new(program)
        .args(args)
        .arg("version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !version.is_empty()).then_some(version)
}

/// The C compiler `target` builds with on a machine with `host`: `Ok(None)` for targets
/// that need none (cgo off).
pub fn resolve_c_compiler(
    target: &PlannedTarget,
    host: &HostTools,
) -> Result<Option<ResolvedCc>, MissingCc> {
    let sdk = target.requirements.iter().find_map(|r| match r {
        Requirement::MacosSdk { path } => Some(path.as_str()),
        _ => None,
    });
    let Some((configured, zig_target, debian)) = target.requirements.iter().find_map(|r| match r {
        Requirement::CCompiler {
            configured,
            zig_target,
            debian,
        } => Some((configured, zig_target, debian)),
        _ => None,
    }) else {
        return Ok(None);
    };
    if let Some(cc) = configured {
        return Ok(Some(ResolvedCc {
            kind: CcKind::Configured,
            cc: cc.clone(),
            cxx: target.env.get(crosscheck_planner::env_vars::CXX).cloned(),
            via: "cc in the matrix file".to_owned(),
        }));
    }
    if let (Some(triple), Some(zig)) = (zig_target, &host.zig) {
        let words = |driver: &str| {
            let mut words: Vec<String> = zig.command.iter().map(|w| quote_for_go(w)).collect();
            words.extend([driver.to_owned(), "-target".to_owned(), triple.clone()]);
            if let Some(sdk) = sdk {
                // zig ships macOS libc headers but not Apple's frameworks; point it at the SDK.
                words.push(quote_for_go(&format!("--sysroot={sdk}")));
                words.push(quote_for_go(&format!("-F{sdk}/System/Library/Frameworks")));
                words.push(quote_for_go(&format!("-L{sdk}/usr/lib")));
            }
            words.join(" ")
        };
        return Ok(Some(ResolvedCc {
            kind: CcKind::Zig,
            cc: words("cc"),
            cxx: Some(words("c++")),
            via: format!("zig {} ({})", zig.version, zig.source),
        }));
    }
    if let Some((command, _)) = debian
        && let Some(Some(path)) = host.compilers.get(command)
    {
        // The matching g++ only if it is installed: a missing CXX breaks only C++ code.
        let cxx = command
            .strip_suffix("-gcc")
            .map(|prefix| format!("{prefix}-g++"))
            .filter(|cxx| host.compilers.get(cxx).is_some_and(Option::is_some));
        return Ok(Some(ResolvedCc {
            kind: CcKind::CrossGcc,
            cc: quote_for_go(&path.to_string_lossy()),
            cxx,
            via: format!("{command} on PATH"),
        }));
    }
    let id = target.id.to_string();
    let zig_fix = if host.zig.is_none() {
        "pip install ziglang (or put zig on PATH)"
    } else {
        "a zig that has this target"
    };
    let install = match (zig_target, debian) {
        (Some(_), Some((_, package))) => {
            format!("{zig_fix}, or apt-get install {package}, or set `cc` in matrix.toml")
        }
        (Some(_), None) => format!("{zig_fix}, or set `cc` in matrix.toml"),
        (None, Some((_, package))) => {
            format!("apt-get install {package}, or set `cc` in matrix.toml")
        }
        (None, None) => {
            format!("zig cannot target {id}: set `cc` for it in an [[override]] of matrix.toml")
        }
    };
    Err(MissingCc {
        target: id,
        install,
    })
}

/// Quotes one word of a `CC` value the way Go's `quoted.Split` reads it back: words split
/// on spaces, and a word may be wrapped in single or double quotes (no escapes).
pub fn quote_for_go(word: &str) -> String {
    if !word.is_empty() && !word.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
        word.to_owned()
    } else if !word.contains('\'') {
        format!("'{word}'")
    } else {
        format!("\"{word}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(id: &str, requirements: serde_json::Value) -> PlannedTarget {
        serde_json::from_value(serde_json::json!({
            "id": id, "slug": "s", "goos": "linux", "goarch": "arm64", "variant": null,
            "cgo": true, "libc": null, "first_class": true, "output": "x",
            "staging_output": "/d/x", "cwd": "/m", "argv": ["go", "build"], "env": {},
            "requirements": requirements, "policy": {}, "shard": null
        }))
        .unwrap()
    }

    fn cc_requirement(
        configured: Option<&str>,
        zig: Option<&str>,
        debian: Option<(&str, &str)>,
    ) -> serde_json::Value {
        serde_json::json!([{ "kind": "c_compiler", "configured": configured, "zig_target": zig, "debian": debian }])
    }

    fn zig_host() -> HostTools {
        HostTools {
            zig: Some(Zig {
                command: vec!["/opt/my zig/zig".to_owned()],
                version: "0.14.0".to_owned(),
                source: ZigSource::Path,
            }),
            ..HostTools::default()
        }
    }

    #[test]
    fn configured_cc_wins_then_zig_then_cross_gcc() {
        let target = planned(
            "linux/arm64+cgo.gnu",
            cc_requirement(Some("clang"), Some("aarch64-linux-gnu"), None),
        );
        let cc = resolve_c_compiler(&target, &zig_host()).unwrap().unwrap();
        assert_eq!((cc.kind, cc.cc.as_str()), (CcKind::Configured, "clang"));

        let target = planned(
            "linux/arm64+cgo.gnu",
            cc_requirement(
                None,
                Some("aarch64-linux-gnu"),
                Some(("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")),
            ),
        );
        let cc = resolve_c_compiler(&target, &zig_host()).unwrap().unwrap();
        assert_eq!(cc.kind, CcKind::Zig);
        assert_eq!(cc.cc, "'/opt/my zig/zig' cc -target aarch64-linux-gnu");
        assert_eq!(
            cc.cxx.as_deref(),
            Some("'/opt/my zig/zig' c++ -target aarch64-linux-gnu")
        );

        let mut gcc_host = HostTools::default();
        gcc_host.compilers.insert(
            "aarch64-linux-gnu-gcc".to_owned(),
            Some(PathBuf::from("/usr/bin/aarch64-linux-gnu-gcc")),
        );
        let cc = resolve_c_compiler(&target, &gcc_host).unwrap().unwrap();
        assert_eq!(
            (cc.kind, cc.cc.as_str()),
            (CcKind::CrossGcc, "/usr/bin/aarch64-linux-gnu-gcc")
        );
    }

    #[test]
    fn missing_compiler_says_what_to_install() {
        let target = planned(
            "linux/arm64+cgo.gnu",
            cc_requirement(
                None,
                Some("aarch64-linux-gnu"),
                Some(("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")),
            ),
        );
        let missing = resolve_c_compiler(&target, &HostTools::default()).unwrap_err();
        assert!(missing.install.contains("pip install ziglang"), "{missing}");
        assert!(
            missing
                .install
                .contains("apt-get install gcc-aarch64-linux-gnu"),
            "{missing}"
        );
        let exotic = planned("netbsd/amd64+cgo", cc_requirement(None, None, None));
        assert!(
            resolve_c_compiler(&exotic, &zig_host())
                .unwrap_err()
                .install
                .contains("set `cc`")
        );
    }

    #[test]
    fn pure_go_targets_need_no_compiler() {
        let target = planned("linux/arm64", serde_json::json!([]));
        assert_eq!(resolve_c_compiler(&target, &HostTools::default()), Ok(None));
    }

    #[test]
    fn darwin_with_sdk_points_zig_at_it() {
        let mut requirements = cc_requirement(None, Some("aarch64-macos"), None);
        if let Some(list) = requirements.as_array_mut() {
            list.push(serde_json::json!({"kind": "macos_sdk", "path": "/sdk/MacOSX.sdk"}));
        }
        let target = planned("darwin/arm64+cgo", requirements);
        let cc = resolve_c_compiler(&target, &zig_host()).unwrap().unwrap();
        assert!(cc.cc.ends_with("-target aarch64-macos --sysroot=/sdk/MacOSX.sdk -F/sdk/MacOSX.sdk/System/Library/Frameworks -L/sdk/MacOSX.sdk/usr/lib"), "{}", cc.cc);
    }

    #[test]
    fn quoting_matches_go_splitting() {
        assert_eq!(quote_for_go("/usr/bin/zig"), "/usr/bin/zig");
        assert_eq!(quote_for_go("/a b/zig"), "'/a b/zig'");
        assert_eq!(quote_for_go("/it's here/zig"), "\"/it's here/zig\"");
    }
}
