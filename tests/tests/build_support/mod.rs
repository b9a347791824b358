//! Helpers shared by the `build_*.rs` end-to-end tests: temporary Go modules, fake `go`
//! commands that hang, process scans, and just enough ELF/PE reading to check artifacts.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crosscheck_tests::{crosscheck, repo_root};

/// A temporary directory holding a copy of `examples/<name>`, subdirectories included.
pub fn copy_example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    copy_tree(&repo_root().join("examples").join(name), dir.path());
    dir
}

/// Copies the files under `from` into `to`, recreating its directories.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
        }
    }
}

/// A temporary Go module with `files` (name, contents); `go.mod` is added.
pub fn module(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    write(
        dir.path(),
        "go.mod",
        "module example.com/crosscheck/testmod\n\ngo 1.22\n",
    );
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

/// Writes `text` to `dir/name`, creating directories.
pub fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A number that names this test's stray processes: `sleep <marker>` is easy to find.
pub fn marker(salt: u32) -> String {
    format!("{}{:07}", 9000 + salt, std::process::id())
}

/// Writes an executable `fake-go` into `dir`: `go build` for a GOARCH in `hang` starts a
/// background `sleep MARKER` and then sleeps itself; for a GOARCH in `fail` it exits 1 at
/// once; everything else runs the real go.
pub fn fake_go(dir: &Path, marker: &str, hang: &[&str], fail: &[&str]) -> PathBuf {
    let path = dir.join("fake-go");
    let script = format!(
        "#!/bin/sh\n\
         # A go that hangs or fails in `go build`, for tests of timeouts and cancellation.\n\
         if [ \"$1\" = build ]; then\n\
           case \" {fail} \" in *\" $GOARCH \"*) echo \"fake failure for $GOARCH\" >&2; exit 1;; esac\n\
           case \" {hang} \" in *\" $GOARCH \"*) echo \"hanging\"; sleep {marker} & sleep {marker}; exit 0;; esac\n\
         fi\n\
         exec go \"$@\"\n",
        fail = fail.join(" "),
        hang = hang.join(" "),
    );
    std::fs::write(&path, script).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let status = Command::new("chmod").arg("+x").arg(&path).status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "chmod +x {}",
        path.display()
    );
    path
}

/// Pids of live processes whose command line contains `needle`.
pub fn processes_with(needle: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        // Zombies have an empty cmdline; they hold no resources worth asserting on.
        if text.contains(needle) {
            pids.push(pid);
        }
    }
    pids
}

/// Waits up to `limit` for `condition`.
pub fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    condition()
}

/// Starts `command` with its output discarded and waits up to `limit` for `started` (a
/// process of its own showing up). Also returns whether it did start while the command was
/// still running: one that ended first (nothing could run) ends the wait too.
pub fn spawn_until(
    command: &mut Command,
    limit: Duration,
    mut started: impl FnMut() -> bool,
) -> (std::process::Child, bool) {
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start crosscheck: {e}"));
    let mut ended = false;
    let running = wait_for(limit, || {
        ended = child.try_wait().is_ok_and(|status| status.is_some());
        ended || started()
    }) && !ended;
    (child, running)
}

/// How a run stopped with Ctrl-C ended ([`interrupt_when_running`]).
pub struct Interrupted {
    /// Whether the marked processes were all running when Ctrl-C was sent.
    pub running: bool,
    /// Whether `kill -INT` was sent.
    pub sent: bool,
    /// The exit code.
    pub code: Option<i32>,
    /// What it printed on stderr.
    pub stderr: String,
    /// The marked processes that outlived it (killed now, so that they leak nowhere).
    pub strays: Vec<u32>,
}

/// Starts `command`, waits up to `limit` until `count` processes whose command line holds
/// `marker` run, sends Ctrl-C, and waits for the end.
pub fn interrupt_when_running(
    command: &mut Command,
    marker: &str,
    count: usize,
    limit: Duration,
) -> Interrupted {
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start crosscheck: {e}"));
    let running = wait_for(limit, || processes_with(marker).len() >= count);
    let sent = send_ctrl_c(&child);
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    Interrupted {
        running,
        sent,
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        strays: reap(marker),
    }
}

/// Sends SIGINT to `child`, as Ctrl-C in its terminal would; whether `kill` sent it.
pub fn send_ctrl_c(child: &std::process::Child) -> bool {
    Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .is_ok_and(|status| status.success())
}

/// The processes whose command line holds `needle`, killed so that a failing assertion
/// does not leak them into the next test; the test asserts there were none.
pub fn reap(needle: &str) -> Vec<u32> {
    let strays = processes_with(needle);
    kill_all(&strays);
    strays
}

/// Kills stray processes so a failing assertion does not leak them into the next test.
pub fn kill_all(pids: &[u32]) {
    for pid in pids {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
    }
}

/// `crosscheck build` with a private dist directory.
pub fn build(args: &[&str], dist: &Path) -> crosscheck_tests::Run {
    crosscheck_tests::run(crosscheck().arg("build").args(args).arg("--dist").arg(dist))
}

/// The manifest of a dist directory.
pub fn manifest(dist: &Path) -> serde_json::Value {
    let path = dist.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The manifest entry of target `id`.
pub fn manifest_target<'a>(manifest: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    manifest["targets"]
        .as_array()
        .and_then(|targets| targets.iter().find(|t| t["id"] == id))
        .unwrap_or_else(|| panic!("no {id} in the manifest:\n{manifest:#}"))
}

/// What an executable's first bytes say it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Format {
    /// ELF with its e_machine.
    Elf { machine: u16 },
    /// PE with its COFF machine.
    Pe { machine: u16 },
    /// WebAssembly.
    Wasm,
    /// Something else.
    Unknown,
}

/// ELF e_machine for x86-64.
pub const EM_X86_64: u16 = 62;
/// ELF e_machine for AArch64.
pub const EM_AARCH64: u16 = 183;
/// ELF e_machine for 32-bit ARM.
pub const EM_ARM: u16 = 40;
/// COFF machine for x86-64.
pub const IMAGE_FILE_MACHINE_AMD64: u16 = 0x8664;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Reads the format from magic bytes.
pub fn format_of(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"\x7fELF") {
        return Format::Elf {
            machine: u16_at(bytes, 18).unwrap_or(0),
        };
    }
    if bytes.starts_with(b"\0asm") {
        return Format::Wasm;
    }
    if bytes.starts_with(b"MZ")
        && let Some(pe) = u32_at(bytes, 0x3c).map(|o| o as usize)
        && bytes.get(pe..pe + 4) == Some(b"PE\0\0")
    {
        return Format::Pe {
            machine: u16_at(bytes, pe + 4).unwrap_or(0),
        };
    }
    Format::Unknown
}

/// Whether a 64-bit little-endian ELF has a PT_INTERP program header (a dynamic loader).
pub fn elf64_has_interpreter(bytes: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let (Some(phoff), Some(phentsize), Some(phnum)) = (
        u64_at(bytes, 0x20),
        u16_at(bytes, 0x36),
        u16_at(bytes, 0x38),
    ) else {
        panic!("not a 64-bit ELF");
    };
    (0..phnum as usize)
        .any(|i| u32_at(bytes, phoff as usize + i * phentsize as usize) == Some(PT_INTERP))
}

/// The highest `GLIBC_2.N` version string in a binary (symbol-version needs), as (2, N).
pub fn max_glibc_version(bytes: &[u8]) -> Option<(u32, u32)> {
    let needle = b"GLIBC_2.";
    let mut best = None;
    let mut i = 0;
    while let Some(pos) = bytes[i..].windows(needle.len()).position(|w| w == needle) {
        let start = i + pos + needle.len();
        let digits: String = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|b| *b as char)
            .collect();
        if let Ok(minor) = digits.parse::<u32>() {
            best = best.max(Some((2, minor)));
        }
        i = start;
    }
    best
}

/// Fails, saying what to install, unless zig is available as crosscheck finds it.
pub fn require_zig() {
    let on_path = Command::new("zig")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    let package = Command::new("python3")
        .args(["-c", "import ziglang"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        on_path || package,
        "this test cross-compiles cgo with zig, which is not installed: run `pip install ziglang` (or put zig on PATH)"
    );
}
