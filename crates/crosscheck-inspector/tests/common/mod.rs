//! Test fixtures built from source at test time, never committed.
//!
//! Go fixtures: `tests/fixtures/hello` cross-compiled with the installed `go` for each entry of
//! [`GO_TARGETS`]. C and cgo fixtures: built with zig (`pip install ziglang`). Outputs are cached
//! under `CARGO_TARGET_TMPDIR/inspector-fixtures/`, keyed by a hash of the sources, the toolchain
//! version and the build parameters; Go's build cache and zig's global cache (`~/.cache/zig`,
//! where zig keeps the libcs it builds per target) make rebuilds cheap. Within one test
//! binary each fixture is built once (a `OnceLock` per key); across test binaries running at the
//! same time, outputs are written under a temporary name and renamed into place.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use sha2::{Digest, Sha256};

/// Boxed error for `?` in tests.
pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// One Go cross-compilation of the hello fixture.
pub struct GoTarget {
    pub name: &'static str,
    pub goos: &'static str,
    pub goarch: &'static str,
    pub env: &'static [(&'static str, &'static str)],
    pub flags: &'static [&'static str],
}

const fn t(name: &'static str, goos: &'static str, goarch: &'static str) -> GoTarget {
    GoTarget {
        name,
        goos,
        goarch,
        env: &[],
        flags: &[],
    }
}

/// Every Go fixture the tests use.
pub const GO_TARGETS: &[GoTarget] = &[
    t("linux-amd64", "linux", "amd64"),
    GoTarget {
        flags: &["-buildmode=pie"],
        ..t("linux-amd64-pie", "linux", "amd64")
    },
    GoTarget {
        flags: &["-ldflags=-s -w"],
        ..t("linux-amd64-stripped", "linux", "amd64")
    },
    GoTarget {
        env: &[("GOAMD64", "v3")],
        flags: &["-trimpath"],
        ..t("linux-amd64-v3-trimpath", "linux", "amd64")
    },
    t("linux-386", "linux", "386"),
    GoTarget {
        env: &[("GOARM", "7")],
        ..t("linux-arm", "linux", "arm")
    },
    t("linux-arm64", "linux", "arm64"),
    t("linux-riscv64", "linux", "riscv64"),
    t("linux-s390x", "linux", "s390x"),
    t("linux-ppc64", "linux", "ppc64"),
    t("linux-ppc64le", "linux", "ppc64le"),
    t("linux-mips64le", "linux", "mips64le"),
    t("linux-mips", "linux", "mips"),
    t("linux-loong64", "linux", "loong64"),
    t("android-arm64", "android", "arm64"),
    t("freebsd-amd64", "freebsd", "amd64"),
    t("openbsd-amd64", "openbsd", "amd64"),
    t("netbsd-amd64", "netbsd", "amd64"),
    t("dragonfly-amd64", "dragonfly", "amd64"),
    t("solaris-amd64", "solaris", "amd64"),
    t("illumos-amd64", "illumos", "amd64"),
    t("windows-386", "windows", "386"),
    t("windows-amd64", "windows", "amd64"),
    t("windows-arm64", "windows", "arm64"),
    GoTarget {
        flags: &["-ldflags=-H=windowsgui"],
        ..t("windows-amd64-gui", "windows", "amd64")
    },
    t("darwin-amd64", "darwin", "amd64"),
    t("darwin-arm64", "darwin", "arm64"),
    GoTarget {
        flags: &["-ldflags=-s -w"],
        ..t("darwin-arm64-stripped", "darwin", "arm64")
    },
    t("js-wasm", "js", "wasm"),
    t("wasip1-wasm", "wasip1", "wasm"),
    t("aix-ppc64", "aix", "ppc64"),
    t("plan9-amd64", "plan9", "amd64"),
    t("plan9-386", "plan9", "386"),
];

/// The fixture named `name`.
pub fn go_target(name: &str) -> TestResult<&'static GoTarget> {
    GO_TARGETS
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("no Go fixture named {name}").into())
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Source directory of a Go fixture program.
pub fn go_source(program: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(program)
}

/// Where built fixtures are cached.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspector-fixtures")
}

/// `go env GOVERSION`, e.g. `go1.26.8`.
pub fn go_version() -> TestResult<String> {
    static V: OnceLock<Result<String, String>> = OnceLock::new();
    V.get_or_init(|| {
        let out = Command::new("go")
            .args(["env", "GOVERSION"])
            .output()
            .map_err(|e| format!("cannot run `go` ({e}): install Go 1.26 and put it on PATH"))?;
        if !out.status.success() {
            return Err(format!("`go env GOVERSION` failed: {}", stderr(&out)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    })
    .clone()
    .map_err(Into::into)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_owned()
}

/// Hash of every file under `dir` (sorted), for cache keys.
fn hash_tree(h: &mut Sha256, dir: &Path) -> TestResult {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            hash_tree(h, &p)?;
        } else {
            h.update(
                p.strip_prefix(crate_dir())
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .as_bytes(),
            );
            h.update(std::fs::read(&p)?);
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

type Slot = Arc<OnceLock<Result<PathBuf, String>>>;

/// Builds `key` once per process with `build`, which must write the file it is given.
pub fn cached(key: String, build: impl FnOnce(&Path) -> TestResult) -> TestResult<PathBuf> {
    static SLOTS: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    let slot = {
        let mut map = SLOTS
            .get_or_init(Default::default)
            .lock()
            .map_err(|_| "fixture map poisoned")?;
        Arc::clone(map.entry(key.clone()).or_default())
    };
    slot.get_or_init(|| {
        let dir = cache_dir();
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let out = dir.join(&key);
        if out.is_file() {
            return Ok(out);
        }
        let tmp = dir.join(format!("{key}.tmp{}", std::process::id()));
        build(&tmp).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
        Ok(out)
    })
    .clone()
    .map_err(Into::into)
}

/// Path to the built Go fixture `name` (see [`GO_TARGETS`]).
pub fn go_fixture(name: &str) -> TestResult<PathBuf> {
    let t = go_target(name)?;
    let src = go_source("hello");
    let mut h = Sha256::new();
    hash_tree(&mut h, &src)?;
    h.update(go_version()?.as_bytes());
    h.update(format!("{}/{}/{:?}/{:?}", t.goos, t.goarch, t.env, t.flags).as_bytes());
    let key = format!("go-{}-{}", t.name, &hex(&h.finalize())[..16]);
    cached(key, |out| {
        let mut cmd = Command::new("go");
        cmd.arg("build")
            .arg("-buildvcs=false")
            .args(t.flags)
            .arg("-o")
            .arg(out)
            .arg(".")
            .current_dir(&src)
            .env("GOOS", t.goos)
            .env("GOARCH", t.goarch)
            .env("CGO_ENABLED", "0")
            .env("GOFLAGS", "");
        for (k, v) in t.env {
            cmd.env(k, v);
        }
        run(cmd, &format!("go build for fixture {}", t.name))
    })
}

fn run(mut cmd: Command, what: &str) -> TestResult {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!("{what} failed ({}): {}", out.status, stderr(&out)).into());
    }
    Ok(())
}

/// `go version -m -json FILE`, or the error text when Go cannot read the file.
pub fn go_version_m(path: &Path) -> TestResult<Result<serde_json::Value, String>> {
    let out = Command::new("go")
        .args(["version", "-m", "-json"])
        .arg(path)
        .output()?;
    if !out.status.success() {
        return Ok(Err(stderr(&out)));
    }
    Ok(Ok(serde_json::from_slice(&out.stdout)?))
}

/// `go tool buildid FILE`.
pub fn go_buildid(path: &Path) -> TestResult<String> {
    let out = Command::new("go")
        .args(["tool", "buildid"])
        .arg(path)
        .output()?;
    if !out.status.success() {
        return Err(format!("go tool buildid: {}", stderr(&out)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Output of `readelf ARGS FILE` (binutils is a documented test dependency).
pub fn readelf(args: &[&str], path: &Path) -> TestResult<String> {
    let out = Command::new("readelf")
        .args(args)
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run readelf ({e}): apt-get install binutils"))?;
    if !out.status.success() {
        return Err(format!("readelf {args:?}: {}", stderr(&out)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The command that runs `zig cc`, or an error telling how to install zig.
pub fn zig_cc() -> TestResult<Vec<String>> {
    static Z: OnceLock<Result<Vec<String>, String>> = OnceLock::new();
    Z.get_or_init(|| {
        let candidates: [&[&str]; 2] = [&["python3", "-m", "ziglang"], &["zig"]];
        for c in candidates {
            let out = Command::new(c[0]).args(&c[1..]).arg("version").output();
            if let Ok(out) = out
                && out.status.success()
            {
                // The version goes into the command (as a no-op define) so it is part of every
                // fixture's cache key: a new zig rebuilds the fixtures.
                let version: String = String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let mut v: Vec<String> = c.iter().map(|s| (*s).to_owned()).collect();
                v.push("cc".to_owned());
                v.push(format!("-DCROSSCHECK_ZIG_{version}"));
                return Ok(v);
            }
        }
        Err("zig is needed for the C fixtures but was not found: run `pip install ziglang`".into())
    })
    .clone()
    .map_err(Into::into)
}

/// Builds a C fixture from `tests/fixtures/c/<source>` with `zig cc -target <target> ARGS`.
pub fn zig_c_fixture(name: &str, source: &str, target: &str, args: &[&str]) -> TestResult<PathBuf> {
    let zig = zig_cc()?;
    let src = crate_dir().join("tests/fixtures/c").join(source);
    let mut h = Sha256::new();
    h.update(std::fs::read(&src)?);
    h.update(format!("{zig:?}/{target}/{args:?}").as_bytes());
    let key = format!("zig-{name}-{}", &hex(&h.finalize())[..16]);
    cached(key, |out| {
        let mut cmd = Command::new(&zig[0]);
        cmd.args(&zig[1..])
            .args(["-target", target])
            .args(args)
            .arg("-o")
            .arg(out)
            .arg(&src);
        run(cmd, &format!("zig cc for fixture {name}"))
    })
}

/// Builds the cgo fixture `tests/fixtures/cgohello` for linux/amd64 with zig as the C compiler.
pub fn go_cgo_fixture(name: &str, zig_target: &str, flags: &[&str]) -> TestResult<PathBuf> {
    let zig = zig_cc()?;
    let src = go_source("cgohello");
    let mut h = Sha256::new();
    hash_tree(&mut h, &src)?;
    h.update(go_version()?.as_bytes());
    h.update(format!("{zig:?}/{zig_target}/{flags:?}").as_bytes());
    let key = format!("cgo-{name}-{}", &hex(&h.finalize())[..16]);
    cached(key, |out| {
        let cc = format!("{} -target {zig_target}", zig.join(" "));
        let mut cmd = Command::new("go");
        cmd.arg("build")
            .arg("-buildvcs=false")
            .args(flags)
            .arg("-o")
            .arg(out)
            .arg(".")
            .current_dir(&src)
            .env("GOOS", "linux")
            .env("GOARCH", "amd64")
            .env("CGO_ENABLED", "1")
            .env("CC", cc)
            .env("GOFLAGS", "");
        run(cmd, &format!("cgo build for fixture {name}"))
    })
}

/// `upx --version`'s first line, or an error telling how to install UPX.
pub fn upx_version() -> TestResult<String> {
    static V: OnceLock<Result<String, String>> = OnceLock::new();
    V.get_or_init(|| {
        let hint = "install UPX: `apt-get install upx-ucl` (Debian bookworm: from bookworm-backports; \
                    scripts/test does it)";
        let out = Command::new("upx")
            .arg("--version")
            .output()
            .map_err(|e| format!("cannot run `upx` ({e}): {hint}"))?;
        if !out.status.success() {
            return Err(format!("`upx --version` failed: {} ({hint})", stderr(&out)));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.lines().next().unwrap_or_default().trim().to_owned())
    })
    .clone()
    .map_err(Into::into)
}

/// The Go fixture `name` packed with UPX (`--force-macos` for Mach-O, which UPX 4 refuses by
/// default because macOS 13 and later do not run packed binaries).
pub fn upx_fixture(name: &str) -> TestResult<PathBuf> {
    let version = upx_version()?;
    let input = go_fixture(name)?;
    let mut h = Sha256::new();
    h.update(std::fs::read(&input)?);
    h.update(version.as_bytes());
    let key = format!("upx-{name}-{}", &hex(&h.finalize())[..16]);
    cached(key, |out| {
        let mut cmd = Command::new("upx");
        cmd.args(["-q", "-1", "--force-macos", "-o"])
            .arg(out)
            .arg(&input);
        run(cmd, &format!("upx for fixture {name}"))
    })
}

/// SHA-256 of a file as lower-case hex, computed by `sha256sum` (independent of the crate).
pub fn sha256sum(path: &Path) -> TestResult<String> {
    let out = Command::new("sha256sum").arg(path).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// Writes a fat Mach-O (`0xcafebabe` or, with `fat64`, `0xcafebabf`) holding `slices`.
pub fn write_fat(out: &Path, slices: &[(u32, &[u8])], fat64: bool) -> TestResult {
    const ALIGN: usize = 1 << 14;
    let entry = if fat64 { 32 } else { 20 };
    let mut file = Vec::new();
    file.extend_from_slice(&if fat64 { 0xcafe_babfu32 } else { 0xcafe_babe }.to_be_bytes());
    file.extend_from_slice(&u32::try_from(slices.len())?.to_be_bytes());
    let mut offset = (8 + entry * slices.len()).next_multiple_of(ALIGN);
    let mut placed = Vec::new();
    for (cpu, bytes) in slices {
        file.extend_from_slice(&cpu.to_be_bytes());
        file.extend_from_slice(&0u32.to_be_bytes());
        if fat64 {
            file.extend_from_slice(&u64::try_from(offset)?.to_be_bytes());
            file.extend_from_slice(&u64::try_from(bytes.len())?.to_be_bytes());
            file.extend_from_slice(&14u32.to_be_bytes());
            file.extend_from_slice(&0u32.to_be_bytes());
        } else {
            file.extend_from_slice(&u32::try_from(offset)?.to_be_bytes());
            file.extend_from_slice(&u32::try_from(bytes.len())?.to_be_bytes());
            file.extend_from_slice(&14u32.to_be_bytes());
        }
        placed.push(offset);
        offset = (offset + bytes.len()).next_multiple_of(ALIGN);
    }
    for ((_, bytes), at) in slices.iter().zip(placed) {
        file.resize(at, 0);
        file.extend_from_slice(bytes);
    }
    std::fs::write(out, file)?;
    Ok(())
}

/// Panics raised in this crate's own sources. The inspector catches every panic and reports
/// the file as malformed; goblin's are tolerated, but one of ours is a bug the tests must see.
static OUR_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Installs (once per test binary) the panic hook that records panics located in
/// `crosscheck-inspector/src`; [`our_panics`] reads them.
pub fn record_our_panics() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        std::panic::set_hook(Box::new(|info| {
            let ours = info
                .location()
                .is_some_and(|l| l.file().contains("crosscheck-inspector/src"));
            if ours {
                OUR_PANICS
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(info.to_string());
            }
        }));
    });
}

/// The panics [`record_our_panics`] has recorded so far.
pub fn our_panics() -> Vec<String> {
    OUR_PANICS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}
