//! Runners: how this host can run each target's binaries ([`resolve_runner`]), from what it
//! has ([`HostRunners::detect`]), and what some runners need done once per run before they
//! can run anything (`setup::RunnerSetup`: wine's prefix).
//!
//! Detection runs processes (`which`, `node --version`, ...) once; resolution is a pure
//! function of a target and a [`HostRunners`], so `doctor`, `build --smoke` and `test` agree
//! on what would run, and the manifest records exactly what did. `docs/test.md` has the
//! table of runners, what each needs and how to install it.

mod detect;
pub(crate) mod fetch;
mod resolve;
pub(crate) mod setup;
pub(crate) mod wine;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use resolve::{MIN_NODE_MAJOR, qemu_binary, resolve_runner};

/// The pinned wazero: the release Go's `go_wasip1_wasm_exec` was tried with on this kind of
/// machine.
pub const WAZERO_PACKAGE: &str = "github.com/tetratelabs/wazero/cmd/wazero@v1.12.0";

/// What installs [`WAZERO_PACKAGE`], for people.
pub const WAZERO_INSTALL: &str = "go install github.com/tetratelabs/wazero/cmd/wazero@v1.12.0";

/// What installs wine's 64-bit loader on Debian and Ubuntu.
pub const WINE_INSTALL: &str = "apt-get install wine64";

/// What installs a 32-bit wine (for windows/386) on Debian and Ubuntu.
pub const WINE32_INSTALL: &str =
    "dpkg --add-architecture i386 && apt-get update && apt-get install wine32:i386";

/// What installs qemu-user's `qemu-<arch>` binaries on Debian and Ubuntu.
pub const QEMU_INSTALL: &str = "apt-get install qemu-user";

/// What this host has to run foreign binaries with.
///
/// Only what the planned targets need is looked for: a plan of linux/amd64 alone runs no
/// process at all. Fields stay public so tests (and later the `test` command) can describe a
/// host by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRunners {
    /// The host's GOOS (`linux`, `darwin`, ...), from the running crosscheck.
    pub goos: String,
    /// The host's GOARCH (`amd64`, `arm64`, ...).
    pub goarch: String,
    /// Whether the kernel runs linux/386 binaries itself (an amd64 kernel with IA32
    /// emulation). qemu-i386 is never a substitute: it crashes Go's runtime.
    pub runs_386: bool,
    /// The x86-64 micro-architecture level the host CPU supports (1 to 4), on amd64 hosts.
    pub amd64_level: Option<u8>,
    /// The qemu-user binaries looked up on PATH, and where each is (`None`: not found).
    pub qemu: BTreeMap<String, Option<PathBuf>>,
    /// The Debian multiarch triples whose cross sysroot (`/usr/<triple>/lib`) was looked
    /// for, and whether it is there: dynamically linked glibc binaries need it under qemu.
    pub sysroots: BTreeMap<String, bool>,
    /// Whether `/lib/ld-linux.so.2` (package `libc6-i386`) is there, for linux/386 glibc
    /// binaries.
    pub i386_loader: bool,
    /// node on PATH and its version (`v20.20.2`), when js/wasm targets are planned.
    pub node: Option<Tool>,
    /// `$(go env GOROOT)/lib/wasm/wasm_exec_node.js`, set by [`HostRunners::with_goroot`].
    pub wasm_exec_node: Option<PathBuf>,
    /// wasmtime on PATH.
    pub wasmtime: Option<PathBuf>,
    /// wazero on PATH, else where `go install` puts it (`$GOBIN`, `$GOPATH/bin`, `~/go/bin`),
    /// else in crosscheck's cache directory ([`HostRunners::with_cache_dir`]).
    pub wazero: Option<PathBuf>,
    /// Where the pinned wazero goes when neither wasmtime nor wazero is found
    /// (`<cache>/bin/wazero`): it is installed there with the plan's Go on first use
    /// ([`WAZERO_PACKAGE`]), as every Go user can.
    pub wazero_to_install: Option<PathBuf>,
    /// The plan's `go`, from its GOROOT ([`HostRunners::with_goroot`]).
    pub go: Option<PathBuf>,
    /// wine's 64-bit loader (`wine64` on PATH, Debian's `/usr/lib/wine/wine64`, else `wine`)
    /// and its `--version`, when windows targets are planned.
    pub wine: Option<Tool>,
    /// A 32-bit wine loader (Debian's wine32), looked for when windows/386 is planned.
    pub wine32: Option<PathBuf>,
    /// The `wineserver` that goes with `wine`: `wineserver -k` stops it at the end of a run.
    pub wineserver: Option<PathBuf>,
    /// Where crosscheck keeps its wine prefixes, one per GOARCH (`<cache>/wine`), set by
    /// [`HostRunners::with_cache_dir`]. Never the user's `~/.wine`.
    pub wine_prefixes: Option<PathBuf>,
    /// The directory binaries run in, which WASI programs see as `PWD` (`os.Getwd` needs it).
    pub workdir: String,
    /// The host's `PATH`, handed to WASI programs as Go's `go_wasip1_wasm_exec` does.
    pub path: String,
    /// The temporary directory (`TMPDIR`), under which wazero keeps its compilation cache.
    pub temp_dir: String,
}

/// A program found on this host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Where it is.
    pub path: PathBuf,
    /// What it says its version is.
    pub version: String,
}
