//! Detection: what this host has, looked for only when a planned target needs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crosscheck_planner::PlannedTarget;
use crosscheck_schema::env_vars;

use super::resolve::{dynamic_glibc, glibc_sysroot, qemu_binary};
use super::{HostRunners, Tool};

impl HostRunners {
    /// Looks for what can run `targets`' binaries on this machine.
    ///
    /// Cheap by design: qemu binaries and sysroots are `which` and `stat` calls, node is
    /// asked its version only when a js/wasm target is planned. GOROOT's `wasm_exec_node.js`
    /// and crosscheck's cached wazero need paths this crate does not know: see
    /// [`HostRunners::with_goroot`] and [`HostRunners::with_cache_dir`].
    pub fn detect(targets: &[PlannedTarget]) -> HostRunners {
        let goos = host_goos();
        let goarch = host_goarch();
        let mut host = HostRunners {
            runs_386: goos == "linux" && goarch == "amd64" && kernel_runs_386(),
            amd64_level: (goarch == "amd64").then(host_amd64_level),
            workdir: std::env::current_dir()
                .map(|dir| dir.to_string_lossy().into_owned())
                .unwrap_or_else(|_| "/".to_owned()),
            path: std::env::var(env_vars::PATH).unwrap_or_default(),
            temp_dir: std::env::temp_dir().to_string_lossy().into_owned(),
            goos,
            goarch,
            ..HostRunners::default()
        };
        for target in targets {
            host.look_for(target);
        }
        host
    }

    /// Looks for what `target` needs, once per tool.
    fn look_for(&mut self, target: &PlannedTarget) {
        match (target.goos.as_str(), target.goarch.as_str()) {
            ("js", "wasm") if self.node.is_none() => self.node = node(),
            ("wasip1", "wasm") => {
                self.wasmtime = self
                    .wasmtime
                    .take()
                    .or_else(|| which::which("wasmtime").ok());
                self.wazero = self.wazero.take().or_else(|| {
                    which::which("wazero")
                        .ok()
                        .or_else(|| go_installed("wazero"))
                });
            }
            ("windows", goarch) => self.look_for_wine(goarch),
            ("linux", "386") => self.i386_loader = Path::new("/lib/ld-linux.so.2").exists(),
            ("linux", goarch) => {
                if let Some(name) = qemu_binary(goarch) {
                    self.qemu
                        .entry(name.to_owned())
                        .or_insert_with(|| which::which(name).ok());
                }
                if dynamic_glibc(target)
                    && let Some((triple, _)) = glibc_sysroot(target)
                {
                    self.sysroots
                        .entry(triple.to_owned())
                        .or_insert_with(|| Path::new("/usr").join(triple).join("lib").is_dir());
                }
            }
            _ => {}
        }
    }

    /// Records Go's `wasm_exec_node.js` from `goroot` (`go env GOROOT` of the plan's Go),
    /// which js/wasm binaries need to run under node.
    pub fn with_goroot(mut self, goroot: Option<&Path>) -> HostRunners {
        self.go = goroot
            .map(|root| {
                root.join("bin")
                    .join(format!("go{}", std::env::consts::EXE_SUFFIX))
            })
            .filter(|go| go.is_file());
        // lib/wasm since Go 1.24, misc/wasm before (golang/go#68024).
        self.wasm_exec_node = goroot.and_then(|root| {
            ["lib", "misc"]
                .map(|dir| root.join(dir).join("wasm").join("wasm_exec_node.js"))
                .into_iter()
                .find(|script| script.is_file())
        });
        self
    }

    /// Looks for `wazero` in crosscheck's cache directory (`<cache>/bin/wazero`) when it is
    /// not on PATH and wasip1 targets are planned, or notes that it can be installed there
    /// with the plan's Go (call [`HostRunners::with_goroot`] first); places wine's prefixes
    /// there (`<cache>/wine/<goarch>`) when windows targets are.
    pub fn with_cache_dir(mut self, cache_dir: Option<&Path>) -> HostRunners {
        let wanted = self.wasmtime.is_none() && self.wazero.is_none();
        if wanted && let Some(dir) = cache_dir {
            let cached = dir.join("bin").join("wazero");
            if cached.is_file() {
                self.wazero = Some(cached);
            } else if self.go.is_some() {
                self.wazero_to_install = Some(cached);
            }
        }
        self.wine_prefixes = cache_dir.map(|dir| dir.join("wine"));
        self
    }

    /// Looks for wine (and wineserver) once; for windows/386 also for a 32-bit wine.
    fn look_for_wine(&mut self, goarch: &str) {
        if self.wine.is_none() {
            self.wine = super::wine::find_wine64().and_then(|path| {
                let version = tool_version(&path, "--version")?;
                Some(Tool { path, version })
            });
            let wine = self.wine.as_ref().map(|wine| wine.path.as_path());
            self.wineserver = super::wine::find_wineserver(wine);
        }
        if goarch == "386" && self.wine32.is_none() {
            self.wine32 = super::wine::find_wine32();
        }
    }
}

/// Where `go install` put `program` when its directory is not on PATH: `$GOBIN`, else
/// `$GOPATH/bin` (its first entry), else `~/go/bin`. Read from the environment rather than
/// `go env`, to keep detection free of a Go start-up.
fn go_installed(program: &str) -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
    let bin = var(env_vars::GOBIN).map(PathBuf::from).or_else(|| {
        let gopath = var(env_vars::GOPATH)
            .and_then(|paths| std::env::split_paths(&paths).next())
            .or_else(|| std::env::home_dir().map(|home| home.join("go")))?;
        Some(gopath.join("bin"))
    })?;
    Some(bin.join(program)).filter(|path| path.is_file())
}

/// The GOOS of the host crosscheck runs on.
fn host_goos() -> String {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
    .to_owned()
}

/// The GOARCH of the host crosscheck runs on.
fn host_goarch() -> String {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        other => other,
    }
    .to_owned()
}

/// Whether an amd64 Linux kernel runs 32-bit x86 programs.
///
/// Every distribution kernel is built with IA32 emulation; since Linux 6.7 it can be
/// switched off at boot with `ia32_emulation=0` (or `false`/`n`). Reading the command line is
/// one file read, where running a probe binary would need a 386 binary we do not ship.
fn kernel_runs_386() -> bool {
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    !ia32_disabled(&cmdline)
}

/// Whether a kernel command line switches IA32 emulation off.
pub(super) fn ia32_disabled(cmdline: &str) -> bool {
    cmdline.split_whitespace().any(|word| {
        matches!(
            word.strip_prefix("ia32_emulation="),
            Some("0" | "n" | "N" | "false" | "off")
        )
    })
}

/// The host CPU's x86-64 level, from `/proc/cpuinfo`'s flags (1 when unknown: every amd64
/// CPU is v1).
fn host_amd64_level() -> u8 {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags = cpuinfo
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == "flags").then_some(value)
        })
        .unwrap_or_default();
    amd64_level(flags)
}

/// The x86-64 micro-architecture level the flags of one `/proc/cpuinfo` `flags` line reach,
/// as the x86-64 psABI defines the levels (and Go's GOAMD64 checks them at start).
pub(super) fn amd64_level(flags: &str) -> u8 {
    const V2: &[&str] = &["cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"];
    const V3: &[&str] = &[
        "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave",
    ];
    const V4: &[&str] = &["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];
    let has: Vec<&str> = flags.split_whitespace().collect();
    let all = |wanted: &[&str]| wanted.iter().all(|flag| has.contains(flag));
    let mut level = 1;
    for wanted in [V2, V3, V4] {
        if !all(wanted) {
            break;
        }
        level += 1;
    }
    level
}

/// node on PATH and its `--version`.
fn node() -> Option<Tool> {
    let path = which::which("node").ok()?;
    let version = tool_version(&path, "--version")?;
    Some(Tool { path, version })
}

/// The first line `program flag` prints, when it runs and succeeds.
fn tool_version(program: &PathBuf, flag: &str) -> Option<String> {
    let output = Command::new(program)
        .arg(flag)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (output.status.success() && !line.is_empty()).then(|| line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_psabi_flag_sets() {
        let v1 = "fpu sse sse2 cx8";
        let v2 = "cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3";
        let v3 = format!("{v2} avx avx2 bmi1 bmi2 f16c fma abm movbe xsave");
        let v4 = format!("{v3} avx512f avx512bw avx512cd avx512dq avx512vl");
        assert_eq!(amd64_level(v1), 1);
        assert_eq!(amd64_level(v2), 2);
        assert_eq!(amd64_level(&v3), 3);
        assert_eq!(amd64_level(&v4), 4);
        // One missing flag keeps the level below; AVX-512 without v3 is still v2.
        assert_eq!(amd64_level(&v3.replace("movbe", "")), 2);
        assert_eq!(amd64_level(&format!("{v2} avx512f avx512bw")), 2);
    }

    #[test]
    fn ia32_emulation_off_is_read_from_the_command_line() {
        assert!(!ia32_disabled("quiet splash"));
        assert!(ia32_disabled("quiet ia32_emulation=0 splash"));
        assert!(ia32_disabled("ia32_emulation=false"));
        assert!(!ia32_disabled("ia32_emulation=1"));
    }

    #[test]
    fn detection_looks_only_for_what_targets_need() {
        let host = HostRunners::detect(&[]);
        assert!(host.qemu.is_empty() && host.node.is_none() && host.sysroots.is_empty());
        assert!(host.wine.is_none() && host.wineserver.is_none() && host.wine32.is_none());
        assert!(!host.goos.is_empty() && !host.goarch.is_empty());
        let with_cache = host.with_cache_dir(Some(Path::new("/c")));
        assert_eq!(with_cache.wine_prefixes, Some(PathBuf::from("/c/wine")));
    }
}
