//! Environment variables crosscheck reads, declared once.

/// Forces `{version}` in templates.
pub const CROSSCHECK_VERSION: &str = "CROSSCHECK_VERSION";
/// Forces `{commit}` in templates.
pub const CROSSCHECK_COMMIT: &str = "CROSSCHECK_COMMIT";
/// Forces `{date}` in templates (RFC 3339).
pub const CROSSCHECK_DATE: &str = "CROSSCHECK_DATE";
/// Where crosscheck caches the target catalog and build timings.
pub const CROSSCHECK_CACHE_DIR: &str = "CROSSCHECK_CACHE_DIR";
/// The reproducible-builds date, seconds since 1970; used for `{date}` and artifact mtimes.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
/// The Apple SDK for darwin cgo targets.
pub const SDKROOT: &str = "SDKROOT";
/// Disables colour (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// Set by most CI systems; disables progress bars.
pub const CI: &str = "CI";
/// The XDG cache base directory.
pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
/// The C compiler Go's cgo runs; set per cgo target by the plan or the executor.
pub const CC: &str = "CC";
/// The C++ compiler Go's cgo runs.
pub const CXX: &str = "CXX";
/// Where zig keeps its global cache; the executor gives every target its own, because
/// parallel `zig cc` processes race on a shared one (ziglang/zig#18989, #13160).
pub const ZIG_GLOBAL_CACHE_DIR: &str = "ZIG_GLOBAL_CACHE_DIR";
/// Where zig keeps its local cache; set together with [`ZIG_GLOBAL_CACHE_DIR`].
pub const ZIG_LOCAL_CACHE_DIR: &str = "ZIG_LOCAL_CACHE_DIR";
/// Go's build cache; `--verify-reproducible` points its second build at an empty one.
pub const GOCACHE: &str = "GOCACHE";
/// A program that serves Go's build cache; unset for the second build, whose cache must
/// start empty.
pub const GOCACHEPROG: &str = "GOCACHEPROG";
/// Where Go puts its temporary work directory.
pub const GOTMPDIR: &str = "GOTMPDIR";
/// Where `go install` puts programs; runner detection looks for wazero there.
pub const GOBIN: &str = "GOBIN";
/// Go's workspace; `$GOPATH/bin` is where `go install` puts programs without `GOBIN`.
pub const GOPATH: &str = "GOPATH";
/// The search path; WASI programs get it as Go's `go_wasip1_wasm_exec` passes it.
pub const PATH: &str = "PATH";
/// qemu-user's CPU model: `max` for GOAMD64=v2/v3 binaries, whose start-up check rejects
/// qemu's default x86-64 CPU.
pub const QEMU_CPU: &str = "QEMU_CPU";
/// Where qemu-user finds a dynamically linked binary's loader and libraries
/// (`/usr/<triple>`, a Debian cross sysroot).
pub const QEMU_LD_PREFIX: &str = "QEMU_LD_PREFIX";
/// The wine prefix (its `C:` drive and registry) a windows binary runs in: crosscheck's own,
/// under its cache directory, never the user's `~/.wine`.
pub const WINEPREFIX: &str = "WINEPREFIX";
/// wine's debug channels; `-all` keeps wine's own `fixme:` lines out of the program's output.
pub const WINEDEBUG: &str = "WINEDEBUG";
/// DLLs wine must not load; `mscoree,mshtml=` keeps the prefix initialisation from asking
/// to install Mono and Gecko.
pub const WINEDLLOVERRIDES: &str = "WINEDLLOVERRIDES";
/// `win32` for a 32-bit prefix (windows/386 under wine32).
pub const WINEARCH: &str = "WINEARCH";

/// The variables a build inherits from crosscheck's own environment, and nothing else
/// (besides the plan's environment and `pass_env`). Each only says where Go finds its
/// tools, caches, modules and network; none changes what is compiled, so a stray `GOFLAGS`
/// or `CGO_ENABLED` in a developer's shell cannot change a release build.
pub const BUILD_ENV_ALLOWLIST: &[&str] = &[
    "PATH",
    "HOME",
    "TMPDIR",
    // Go's default GOCACHE and `go env -w` file live under these; dropping them would make
    // every build cold.
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "GOROOT",
    "GOPATH",
    "GOCACHE",
    "GOCACHEPROG",
    "GOMODCACHE",
    "GOTMPDIR",
    "GOENV",
    "GOTOOLCHAIN",
    "GOPROXY",
    "GONOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GONOSUMCHECK",
    "GOPRIVATE",
    "GOINSECURE",
    "GOAUTH",
    "GOVCS",
    // Private modules over HTTPS or ssh.
    "NETRC",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GIT_SSH_COMMAND",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

/// Name fragments that mark a variable's value as secret in the manifest (matched
/// case-insensitively).
pub const SECRET_NAME_PARTS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "KEY",
    "CREDENTIAL",
    "AUTH",
];
