//! Resolution: a pure function of one planned target and what the host has.

use std::collections::BTreeMap;

use crosscheck_planner::PlannedTarget;
use crosscheck_schema::{Libc, Runnability, Runner, RunnerKind, env_vars};

use super::{HostRunners, QEMU_INSTALL, WAZERO_INSTALL};

/// The oldest node that runs Go's `wasm_exec_node.js`: it relies on `??=`, a global
/// `performance` and `crypto.getRandomValues` (node 17.4); 18 is the first LTS with all.
pub const MIN_NODE_MAJOR: u32 = 18;

/// Go's `go_wasip1_wasm_exec` raises wasmtime's stack limit to this many bytes: Go's
/// goroutine stacks live in linear memory, but deep calls still use the wasm stack.
const WASMTIME_MAX_STACK: &str = "max-wasm-stack=8388608";

/// How `target`'s binaries run on the host `host` describes, or why they cannot.
pub fn resolve_runner(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    if let Some(words) = &target.runner {
        return Runnability::Runs(custom(words));
    }
    let same_platform = target.goos == host.goos && target.goarch == host.goarch;
    match (target.goos.as_str(), target.goarch.as_str()) {
        _ if same_platform => native(target, host),
        ("windows", _) if host.goos == "linux" => super::wine::resolve_wine(target, host),
        ("js", "wasm") => node(host),
        ("wasip1", "wasm") => wasi(host),
        ("linux", "386") if host.goos == "linux" => linux_386(target, host),
        ("linux", goarch) if host.goos == "linux" && qemu_binary(goarch).is_some() => {
            qemu(target, host)
        }
        _ => no_runner(target, host),
    }
}

/// The qemu-user binary that runs a linux GOARCH. None for 386 on purpose: qemu-i386
/// crashes Go's runtime (split stack overflow), see docs/test.md.
pub fn qemu_binary(goarch: &str) -> Option<&'static str> {
    Some(match goarch {
        "amd64" => "qemu-x86_64",
        "arm64" => "qemu-aarch64",
        "arm" => "qemu-arm",
        "riscv64" => "qemu-riscv64",
        "ppc64le" => "qemu-ppc64le",
        "ppc64" => "qemu-ppc64",
        "s390x" => "qemu-s390x",
        "mips64le" => "qemu-mips64el",
        "mips64" => "qemu-mips64",
        "mipsle" => "qemu-mipsel",
        "mips" => "qemu-mips",
        "loong64" => "qemu-loongarch64",
        _ => return None,
    })
}

/// Whether `target`'s binary is linked dynamically against glibc (and so needs the
/// target's loader and libc at run time); musl and pure-Go binaries are static.
pub(super) fn dynamic_glibc(target: &PlannedTarget) -> bool {
    target.goos == "linux" && target.cgo && matches!(target.id.libc, Some(Libc::Gnu(_)))
}

/// The Debian multiarch triple whose `/usr/<triple>` holds `target`'s glibc, and the
/// package that installs it.
pub(super) fn glibc_sysroot(target: &PlannedTarget) -> Option<(&'static str, &'static str)> {
    let soft_float_arm = target
        .variant
        .as_ref()
        .is_some_and(|v| v.var == "GOARM" && v.value.starts_with('5'));
    Some(match target.goarch.as_str() {
        "amd64" => ("x86_64-linux-gnu", "libc6-amd64-cross"),
        "arm64" => ("aarch64-linux-gnu", "libc6-arm64-cross"),
        "arm" if soft_float_arm => ("arm-linux-gnueabi", "libc6-armel-cross"),
        "arm" => ("arm-linux-gnueabihf", "libc6-armhf-cross"),
        "riscv64" => ("riscv64-linux-gnu", "libc6-riscv64-cross"),
        "ppc64le" => ("powerpc64le-linux-gnu", "libc6-ppc64el-cross"),
        "ppc64" => ("powerpc64-linux-gnu", "libc6-ppc64-cross"),
        "s390x" => ("s390x-linux-gnu", "libc6-s390x-cross"),
        "mips64le" => ("mips64el-linux-gnuabi64", "libc6-mips64el-cross"),
        "mips64" => ("mips64-linux-gnuabi64", "libc6-mips64-cross"),
        "mipsle" => ("mipsel-linux-gnu", "libc6-mipsel-cross"),
        "mips" => ("mips-linux-gnu", "libc6-mips-cross"),
        "loong64" => ("loongarch64-linux-gnu", "libc6-loong64-cross"),
        _ => return None,
    })
}

/// The x86-64 level a GOAMD64 target needs (1 for v1 or no variant).
pub(super) fn amd64_level_needed(target: &PlannedTarget) -> u8 {
    target
        .variant
        .as_ref()
        .filter(|v| v.var == "GOAMD64")
        .and_then(|v| v.value.strip_prefix('v')?.parse().ok())
        .unwrap_or(1)
}

/// The host's own platform: native, unless the binary needs a newer x86-64 level than this
/// CPU has, when qemu's emulated CPU stands in.
fn native(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    let needed = amd64_level_needed(target);
    let has = host.amd64_level.unwrap_or(1);
    if target.goarch == "amd64" && needed > has {
        if host.goos != "linux" {
            return not_run(
                format!(
                    "{} needs an x86-64-v{needed} CPU and this one is v{has}",
                    target.id
                ),
                None,
            );
        }
        return qemu(target, host);
    }
    runs(RunnerKind::Native, Vec::new(), BTreeMap::new(), "native")
}

/// linux/386 runs on an amd64 kernel with IA32 emulation, never under qemu-i386.
fn linux_386(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    if host.goarch != "amd64" || !host.runs_386 {
        let why = if host.goarch == "amd64" {
            "this amd64 kernel does not run 32-bit x86 programs (ia32_emulation=0)"
        } else {
            "only an amd64 Linux kernel runs linux/386 here"
        };
        return not_run(
            format!("{why}, and qemu-i386 crashes Go's runtime (split stack overflow)"),
            None,
        );
    }
    if dynamic_glibc(target) && !host.i386_loader {
        return not_run(
            format!(
                "{} is linked dynamically against glibc and /lib/ld-linux.so.2 is missing",
                target.id
            ),
            Some("apt-get install libc6-i386".to_owned()),
        );
    }
    runs(
        RunnerKind::Native,
        Vec::new(),
        BTreeMap::new(),
        "native (32-bit on the amd64 kernel)",
    )
}

/// Another Linux architecture (or an amd64 level above the host CPU's) under qemu-user.
fn qemu(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    let Some(name) = qemu_binary(&target.goarch) else {
        return no_runner(target, host);
    };
    let Some(path) = host.qemu.get(name).cloned().flatten() else {
        return not_run(
            format!("{name} is not on PATH"),
            Some(QEMU_INSTALL.to_owned()),
        );
    };
    let mut env = BTreeMap::new();
    if target.goarch == "amd64" {
        match amd64_level_needed(target) {
            1 => {}
            // qemu's default x86-64 CPU is below v2; Go's start-up check rejects it.
            2 | 3 => {
                env.insert(env_vars::QEMU_CPU.to_owned(), "max".to_owned());
            }
            level => {
                return not_run(
                    format!(
                        "{} needs AVX-512 (x86-64-v{level}): this CPU lacks it and qemu's TCG does not emulate it",
                        target.id
                    ),
                    None,
                );
            }
        }
    }
    if dynamic_glibc(target)
        && let Some((triple, package)) = glibc_sysroot(target)
    {
        if !host.sysroots.get(triple).copied().unwrap_or(false) {
            return not_run(
                format!(
                    "{} is linked dynamically against glibc and /usr/{triple} (its loader and libc) is missing",
                    target.id
                ),
                Some(format!("apt-get install {package}")),
            );
        }
        env.insert(
            env_vars::QEMU_LD_PREFIX.to_owned(),
            format!("/usr/{triple}"),
        );
    }
    let description = std::iter::once(name.to_owned())
        .chain(env.iter().map(|(key, value)| format!("{key}={value}")))
        .collect::<Vec<_>>()
        .join(" ");
    let command = vec![path.to_string_lossy().into_owned()];
    runs(RunnerKind::QemuUser, command, env, &description)
}

/// js/wasm under node with Go's `wasm_exec_node.js`, as Go's `go_js_wasm_exec` runs it.
fn node(host: &HostRunners) -> Runnability {
    let install = format!("apt-get install nodejs (node {MIN_NODE_MAJOR} or newer)");
    let Some(node) = &host.node else {
        return not_run("node is not on PATH".to_owned(), Some(install));
    };
    let major = node_major(&node.version);
    if major.is_none_or(|major| major < MIN_NODE_MAJOR) {
        return not_run(
            format!(
                "node {} is too old for Go's wasm_exec_node.js (it needs node {MIN_NODE_MAJOR} or newer)",
                node.version
            ),
            Some(install),
        );
    }
    let Some(script) = &host.wasm_exec_node else {
        return not_run(
            "Go's lib/wasm/wasm_exec_node.js was not found under GOROOT".to_owned(),
            None,
        );
    };
    let command = vec![
        node.path.to_string_lossy().into_owned(),
        // V8's default stack (984K) is too small for some Go programs; Go's wrapper uses 8M.
        "--stack-size=8192".to_owned(),
        script.to_string_lossy().into_owned(),
    ];
    let description = format!("node {}", node.version);
    runs(RunnerKind::Node, command, BTreeMap::new(), &description)
}

/// The major version of a `node --version` answer (`v20.20.2` -> 20).
fn node_major(version: &str) -> Option<u32> {
    version
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// wasip1/wasm under wasmtime (Go's default) or wazero, with the directory and environment
/// mapping of Go's `go_wasip1_wasm_exec`: the whole file system, `PWD` and `PATH`.
fn wasi(host: &HostRunners) -> Runnability {
    if let Some(wasmtime) = &host.wasmtime {
        let command = vec![
            wasmtime.to_string_lossy().into_owned(),
            "run".to_owned(),
            "--dir=/".to_owned(),
            "--env".to_owned(),
            format!("PWD={}", host.workdir),
            "--env".to_owned(),
            format!("PATH={}", host.path),
            "-W".to_owned(),
            WASMTIME_MAX_STACK.to_owned(),
        ];
        return runs(RunnerKind::Wasmtime, command, BTreeMap::new(), "wasmtime");
    }
    if let Some(wazero) = &host.wazero {
        return wazero_runs(wazero, host, "wazero");
    }
    if let Some(place) = &host.wazero_to_install {
        return wazero_runs(
            place,
            host,
            "wazero v1.12.0 (go install into crosscheck's cache on first use)",
        );
    }
    not_run(
        "neither wasmtime nor wazero is on PATH".to_owned(),
        Some(WAZERO_INSTALL.to_owned()),
    )
}

/// wazero at `path`, with the directory and environment mapping of Go's
/// `go_wasip1_wasm_exec`.
fn wazero_runs(path: &std::path::Path, host: &HostRunners, description: &str) -> Runnability {
    let cache = std::path::Path::new(&host.temp_dir).join("wazero");
    let command = vec![
        path.to_string_lossy().into_owned(),
        "run".to_owned(),
        "-mount=/:/".to_owned(),
        "-env-inherit".to_owned(),
        "-cachedir".to_owned(),
        cache.to_string_lossy().into_owned(),
    ];
    runs(RunnerKind::Wazero, command, BTreeMap::new(), description)
}

/// A runner the matrix sets with `runner` in `[[override]]`.
fn custom(words: &[String]) -> Runner {
    Runner {
        kind: RunnerKind::Custom,
        command: words.to_vec(),
        env: BTreeMap::new(),
        description: format!("custom: {}", words.join(" ")),
    }
}

fn no_runner(target: &PlannedTarget, host: &HostRunners) -> Runnability {
    not_run(
        format!("no runner for {} on a {} host", target.id, host.goos),
        None,
    )
}

pub(super) fn runs(
    kind: RunnerKind,
    command: Vec<String>,
    env: BTreeMap<String, String>,
    description: &str,
) -> Runnability {
    Runnability::Runs(Runner {
        kind,
        command,
        env,
        description: description.to_owned(),
    })
}

pub(super) fn not_run(reason: String, install: Option<String>) -> Runnability {
    Runnability::NotRun { reason, install }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::runners::Tool;

    /// A planned target as the planner writes it; `variant` is (var, value).
    fn planned(id: &str, variant: Option<(&str, &str)>) -> PlannedTarget {
        let parsed: crosscheck_planner::Target = id.parse().unwrap();
        serde_json::from_value(serde_json::json!({
            "id": id, "slug": "s", "goos": parsed.goos, "goarch": parsed.goarch,
            "variant": variant.map(|(var, value)| serde_json::json!({"var": var, "value": value, "explicit": true})),
            "cgo": parsed.cgo, "libc": null, "first_class": true, "output": "x",
            "staging_output": "/d/x", "cwd": "/m", "argv": ["go", "build"], "env": {},
            "requirements": [], "policy": {}, "shard": null
        }))
        .unwrap()
    }

    /// This kind of machine: linux/amd64, v3 CPU, qemu-user, node 20, wazero, one sysroot.
    fn debian_host() -> HostRunners {
        let qemu = ["qemu-aarch64", "qemu-s390x", "qemu-x86_64", "qemu-mips64el"].map(|name| {
            (
                name.to_owned(),
                Some(PathBuf::from(format!("/usr/bin/{name}"))),
            )
        });
        HostRunners {
            goos: "linux".to_owned(),
            goarch: "amd64".to_owned(),
            runs_386: true,
            amd64_level: Some(3),
            qemu: qemu.into_iter().collect(),
            sysroots: [("aarch64-linux-gnu".to_owned(), true)].into(),
            i386_loader: false,
            node: Some(Tool {
                path: PathBuf::from("/usr/bin/node"),
                version: "v20.20.2".to_owned(),
            }),
            wasm_exec_node: Some(PathBuf::from("/go/lib/wasm/wasm_exec_node.js")),
            wasmtime: None,
            wazero: Some(PathBuf::from("/root/go/bin/wazero")),
            wazero_to_install: None,
            go: Some(PathBuf::from("/usr/local/go/bin/go")),
            wine: Some(Tool {
                path: PathBuf::from("/usr/lib/wine/wine64"),
                version: "wine-8.0 (Debian 8.0~repack-4)".to_owned(),
            }),
            wine32: None,
            wineserver: Some(PathBuf::from("/usr/lib/wine/wineserver64")),
            wine_prefixes: Some(PathBuf::from("/c/wine")),
            workdir: "/m".to_owned(),
            path: "/usr/bin".to_owned(),
            temp_dir: "/tmp".to_owned(),
        }
    }

    fn resolve(id: &str, host: &HostRunners) -> Runnability {
        resolve_runner(&planned(id, None), host)
    }

    fn runner(runnability: Runnability) -> Runner {
        match runnability {
            Runnability::Runs(runner) => runner,
            Runnability::NotRun { reason, .. } => panic!("not run: {reason}"),
        }
    }

    fn not_run(runnability: Runnability) -> (String, Option<String>) {
        match runnability {
            Runnability::NotRun { reason, install } => (reason, install),
            Runnability::Runs(runner) => panic!("runs with {runner:?}"),
        }
    }

    #[test]
    fn the_host_platform_and_386_on_amd64_run_natively() {
        let host = debian_host();
        for id in ["linux/amd64", "linux/amd64+cgo.gnu", "linux/386"] {
            let native = runner(resolve(id, &host));
            assert_eq!(
                (native.kind, native.command.len()),
                (RunnerKind::Native, 0),
                "{id}"
            );
        }
        let native = runner(resolve_runner(
            &planned("linux/amd64/v3", Some(("GOAMD64", "v3"))),
            &host,
        ));
        assert_eq!(native.kind, RunnerKind::Native);
    }

    #[test]
    fn linux_386_never_uses_qemu_i386() {
        let host = HostRunners {
            runs_386: false,
            ..debian_host()
        };
        let (reason, install) = not_run(resolve("linux/386", &host));
        assert!(
            reason.contains("ia32_emulation=0") && reason.contains("qemu-i386 crashes"),
            "{reason}"
        );
        assert_eq!(install, None);
        let arm_host = HostRunners {
            goarch: "arm64".to_owned(),
            ..debian_host()
        };
        let (reason, _) = not_run(resolve("linux/386", &arm_host));
        assert!(
            reason.contains("qemu-i386 crashes Go's runtime"),
            "{reason}"
        );
        let (reason, install) = not_run(resolve("linux/386+cgo.gnu", &debian_host()));
        assert!(reason.contains("/lib/ld-linux.so.2"), "{reason}");
        assert_eq!(install.as_deref(), Some("apt-get install libc6-i386"));
    }

    #[test]
    fn goamd64_above_the_cpu_runs_under_qemu_with_the_max_cpu_and_v4_does_not() {
        let host = HostRunners {
            amd64_level: Some(1),
            ..debian_host()
        };
        for level in ["v2", "v3"] {
            let target = planned(&format!("linux/amd64/{level}"), Some(("GOAMD64", level)));
            let qemu = runner(resolve_runner(&target, &host));
            assert_eq!(qemu.kind, RunnerKind::QemuUser);
            assert_eq!(qemu.command, ["/usr/bin/qemu-x86_64"]);
            assert_eq!(qemu.env.get("QEMU_CPU").map(String::as_str), Some("max"));
        }
        let v4 = planned("linux/amd64/v4", Some(("GOAMD64", "v4")));
        let (reason, install) = not_run(resolve_runner(&v4, &host));
        assert!(
            reason.contains("AVX-512") && reason.contains("TCG"),
            "{reason}"
        );
        assert_eq!(install, None);
    }

    #[test]
    fn other_linux_arches_run_under_their_qemu() {
        let host = debian_host();
        for (id, binary) in [
            ("linux/arm64", "qemu-aarch64"),
            ("linux/s390x", "qemu-s390x"),
            ("linux/mips64le", "qemu-mips64el"),
        ] {
            let qemu = runner(resolve(id, &host));
            assert_eq!(qemu.kind, RunnerKind::QemuUser, "{id}");
            assert_eq!(qemu.command, [format!("/usr/bin/{binary}")], "{id}");
            assert!(qemu.env.is_empty(), "{id}: static binaries need nothing");
            assert_eq!(qemu.description, binary);
        }
        assert_eq!(qemu_binary("loong64"), Some("qemu-loongarch64"));
        assert_eq!(qemu_binary("mipsle"), Some("qemu-mipsel"));
        assert_eq!(qemu_binary("386"), None);
    }

    #[test]
    fn a_missing_qemu_says_what_to_install() {
        let (reason, install) = not_run(resolve("linux/riscv64", &debian_host()));
        assert_eq!(reason, "qemu-riscv64 is not on PATH");
        assert_eq!(install.as_deref(), Some("apt-get install qemu-user"));
    }

    #[test]
    fn dynamic_glibc_needs_the_cross_sysroot_and_musl_does_not() {
        let host = debian_host();
        let qemu = runner(resolve("linux/arm64+cgo.gnu", &host));
        assert_eq!(
            qemu.env.get("QEMU_LD_PREFIX").map(String::as_str),
            Some("/usr/aarch64-linux-gnu")
        );
        assert_eq!(
            qemu.description,
            "qemu-aarch64 QEMU_LD_PREFIX=/usr/aarch64-linux-gnu"
        );
        assert!(
            runner(resolve("linux/arm64+cgo.musl", &host))
                .env
                .is_empty()
        );
        let (reason, install) = not_run(resolve("linux/s390x+cgo.gnu2.17", &host));
        assert!(reason.contains("/usr/s390x-linux-gnu"), "{reason}");
        assert_eq!(
            install.as_deref(),
            Some("apt-get install libc6-s390x-cross")
        );
    }

    #[test]
    fn js_wasm_runs_under_a_recent_node_with_go_s_script() {
        let host = debian_host();
        let node = runner(resolve("js/wasm", &host));
        assert_eq!(node.kind, RunnerKind::Node);
        assert_eq!(
            node.command,
            [
                "/usr/bin/node",
                "--stack-size=8192",
                "/go/lib/wasm/wasm_exec_node.js"
            ]
        );
        let old = HostRunners {
            node: Some(Tool {
                path: PathBuf::from("/usr/bin/node"),
                version: "v12.22.12".to_owned(),
            }),
            ..debian_host()
        };
        let (reason, install) = not_run(resolve("js/wasm", &old));
        assert!(reason.contains("v12.22.12 is too old"), "{reason}");
        assert!(install.is_some_and(|i| i.contains("nodejs")));
        let (reason, _) = not_run(resolve(
            "js/wasm",
            &HostRunners {
                node: None,
                ..debian_host()
            },
        ));
        assert_eq!(reason, "node is not on PATH");
        let no_script = HostRunners {
            wasm_exec_node: None,
            ..debian_host()
        };
        let (reason, _) = not_run(resolve("js/wasm", &no_script));
        assert!(reason.contains("wasm_exec_node.js"), "{reason}");
    }

    #[test]
    fn wasip1_prefers_wasmtime_then_wazero_with_go_s_mapping() {
        let wazero = runner(resolve("wasip1/wasm", &debian_host()));
        assert_eq!(wazero.kind, RunnerKind::Wazero);
        assert_eq!(
            wazero.command,
            [
                "/root/go/bin/wazero",
                "run",
                "-mount=/:/",
                "-env-inherit",
                "-cachedir",
                "/tmp/wazero"
            ]
        );
        let host = HostRunners {
            wasmtime: Some(PathBuf::from("/usr/bin/wasmtime")),
            ..debian_host()
        };
        let wasmtime = runner(resolve("wasip1/wasm", &host));
        assert_eq!(wasmtime.kind, RunnerKind::Wasmtime);
        assert_eq!(
            wasmtime.command,
            [
                "/usr/bin/wasmtime",
                "run",
                "--dir=/",
                "--env",
                "PWD=/m",
                "--env",
                "PATH=/usr/bin",
                "-W",
                "max-wasm-stack=8388608"
            ]
        );
        let bare = HostRunners {
            wazero: None,
            ..debian_host()
        };
        let (reason, install) = not_run(resolve("wasip1/wasm", &bare));
        assert_eq!(reason, "neither wasmtime nor wazero is on PATH");
        assert_eq!(install.as_deref(), Some(WAZERO_INSTALL));
        let fetching = HostRunners {
            wazero: None,
            wazero_to_install: Some(PathBuf::from("/c/bin/wazero")),
            ..debian_host()
        };
        let installed = runner(resolve("wasip1/wasm", &fetching));
        assert_eq!(installed.kind, RunnerKind::Wazero);
        assert_eq!(installed.command[0], "/c/bin/wazero");
        assert!(installed.description.contains("go install"));
    }

    #[test]
    fn windows_amd64_runs_under_wine64_in_crosscheck_s_own_headless_prefix() {
        let wine = runner(resolve("windows/amd64", &debian_host()));
        assert_eq!(wine.kind, RunnerKind::Wine);
        assert_eq!(wine.command, ["/usr/lib/wine/wine64"]);
        assert_eq!(wine.description, "wine64 wine-8.0 (Debian 8.0~repack-4)");
        let env: Vec<(&str, &str)> = wine
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("WINEDEBUG", "-all"),
                ("WINEDLLOVERRIDES", "mscoree,mshtml="),
                ("WINEPREFIX", "/c/wine/amd64"),
            ],
            "no DISPLAY, never ~/.wine"
        );
        let cgo = runner(resolve("windows/amd64+cgo", &debian_host()));
        assert_eq!(cgo.kind, RunnerKind::Wine);
    }

    #[test]
    fn windows_without_wine_or_a_cache_dir_is_not_run() {
        let no_wine = HostRunners {
            wine: None,
            ..debian_host()
        };
        let (reason, install) = not_run(resolve("windows/amd64", &no_wine));
        assert_eq!(reason, "wine is not installed");
        assert_eq!(install.as_deref(), Some("apt-get install wine64"));
        let no_cache = HostRunners {
            wine_prefixes: None,
            ..debian_host()
        };
        let (reason, install) = not_run(resolve("windows/amd64", &no_cache));
        assert!(reason.contains("no cache directory"), "{reason}");
        assert_eq!(install, None);
        let slow_cpu = HostRunners {
            amd64_level: Some(1),
            ..debian_host()
        };
        let v3 = planned("windows/amd64/v3", Some(("GOAMD64", "v3")));
        let (reason, _) = not_run(resolve_runner(&v3, &slow_cpu));
        assert!(reason.contains("x86-64-v3"), "{reason}");
    }

    #[test]
    fn windows_386_needs_a_32_bit_wine_and_arm64_has_none() {
        let (reason, install) = not_run(resolve("windows/386", &debian_host()));
        assert!(reason.contains("32-bit wine"), "{reason}");
        let install = install.unwrap_or_default();
        assert!(
            install.contains("dpkg --add-architecture i386") && install.contains("wine32"),
            "{install}"
        );
        let wine32 = HostRunners {
            wine32: Some(PathBuf::from("/usr/lib/wine/wine")),
            ..debian_host()
        };
        let wine = runner(resolve("windows/386", &wine32));
        assert_eq!(wine.command, ["/usr/lib/wine/wine"]);
        assert_eq!(wine.env["WINEPREFIX"], "/c/wine/386");
        assert_eq!(wine.env["WINEARCH"], "win32");
        let (reason, install) = not_run(resolve("windows/arm64", &debian_host()));
        assert!(reason.contains("not windows/arm64"), "{reason}");
        assert_eq!(install, None);
    }

    #[test]
    fn other_systems_have_no_runner() {
        let host = debian_host();
        for id in [
            "darwin/arm64",
            "freebsd/amd64",
            "android/arm64",
            "plan9/amd64",
            "aix/ppc64",
        ] {
            let (reason, install) = not_run(resolve(id, &host));
            assert_eq!(reason, format!("no runner for {id} on a linux host"));
            assert_eq!(install, None);
        }
        let mac = HostRunners {
            goos: "darwin".to_owned(),
            goarch: "arm64".to_owned(),
            ..debian_host()
        };
        assert_eq!(
            runner(resolve("darwin/arm64", &mac)).kind,
            RunnerKind::Native
        );
        let (reason, _) = not_run(resolve("linux/arm64", &mac));
        assert_eq!(reason, "no runner for linux/arm64 on a darwin host");
    }

    #[test]
    fn a_matrix_runner_wins() {
        let mut target = planned("darwin/arm64", None);
        target.runner = Some(vec![
            "ssh".to_owned(),
            "mac".to_owned(),
            "{path}".to_owned(),
        ]);
        let custom = runner(resolve_runner(&target, &debian_host()));
        assert_eq!(custom.kind, RunnerKind::Custom);
        assert_eq!(custom.argv("/d/hello", &[]), ["ssh", "mac", "/d/hello"]);
    }
}
