//! One-line explanations for the common ways a cross build fails.

use crosscheck_schema::FailureKind;

/// The last lines a failure shows, and how many a result keeps.
pub const TAIL_LINES: usize = 40;

/// Classifies a failed command from its output and how it ended, with a hint when the fix
/// is knowable.
pub fn classify(
    lines: &[String],
    signal: Option<i32>,
    goos: &str,
    goarch: &str,
) -> (FailureKind, Option<String>) {
    let has = |needle: &str| lines.iter().any(|line| line.contains(needle));
    let has_ci = |needle: &str| {
        lines
            .iter()
            .any(|line| line.to_ascii_lowercase().contains(needle))
    };
    if has_ci("no space left on device") || has("ENOSPC") || has_ci("disk quota exceeded") {
        return (
            FailureKind::DiskFull,
            Some(
                "the disk is full: free space where the dist directory, GOCACHE and TMPDIR live"
                    .to_owned(),
            ),
        );
    }
    if signal == Some(9) || has("signal: killed") {
        return (
            FailureKind::OutOfMemory,
            Some("a process was killed by SIGKILL, most likely by the kernel's OOM killer: lower -j (the default allows 2 GiB of available memory per build)".to_owned()),
        );
    }
    if has("C compiler") && (has("not found") || has("executable file not found")) {
        return (
            FailureKind::NoCCompiler,
            Some("no C compiler for this cgo target: `pip install ziglang`, install a cross gcc, or set `cc` in matrix.toml (`crosscheck doctor` says which)".to_owned()),
        );
    }
    if has("unsupported GOOS/GOARCH pair") {
        return (
            FailureKind::UnsupportedPort,
            Some(format!(
                "this Go does not support {goos}/{goarch}: upgrade Go, or drop the target (`crosscheck targets` lists the ports)"
            )),
        );
    }
    if (has_ci("cgo") && (has("not supported") || has("unsupported")))
        || has("requires cgo")
        || (has("build constraints exclude all Go files in") && has("runtime/cgo"))
    {
        return (
            FailureKind::CgoUnsupported,
            Some(format!(
                "cgo is not available for {goos}/{goarch}: build it with cgo off, or give it a `cc` that targets it"
            )),
        );
    }
    let network = [
        "dial tcp",
        "no such host",
        "i/o timeout",
        "connection refused",
        "TLS handshake",
        "server misbehaving",
        "module lookup disabled",
        "unrecognized import path",
        "reading https://",
        "410 Gone",
        "404 Not Found",
        "missing go.sum entry",
    ];
    if network.iter().any(|needle| has(needle)) {
        return (
            FailureKind::Network,
            Some("a module could not be downloaded: check the network, GOPROXY and GOPRIVATE, or run `go mod download` while online".to_owned()),
        );
    }
    if lines.iter().any(|line| line.contains(": undefined: ")) {
        return (
            FailureKind::BuildConstraints,
            Some(format!(
                "names undefined for {goos}/{goarch}: the file defining them is probably excluded by a build constraint (a //go:build line or a _GOOS/_GOARCH file-name suffix); provide a version for {goos}/{goarch}"
            )),
        );
    }
    (FailureKind::Build, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(output: &str, signal: Option<i32>) -> FailureKind {
        let lines: Vec<String> = output.lines().map(str::to_owned).collect();
        classify(&lines, signal, "windows", "amd64").0
    }

    #[test]
    fn recognises_common_failures() {
        assert_eq!(
            kind(
                "# example.com/x\n./main.go:9:2: undefined: platformName",
                None
            ),
            FailureKind::BuildConstraints
        );
        assert_eq!(
            kind(
                "cgo: C compiler \"x86_64-w64-mingw32-gcc\" not found: exec: \"x86_64-w64-mingw32-gcc\": executable file not found in $PATH",
                None
            ),
            FailureKind::NoCCompiler
        );
        assert_eq!(
            kind(
                "go: github.com/a/b@v1.0.0: Get \"https://proxy.golang.org/...\": dial tcp: lookup proxy.golang.org: no such host",
                None
            ),
            FailureKind::Network
        );
        assert_eq!(
            kind("compile: signal: killed", None),
            FailureKind::OutOfMemory
        );
        assert_eq!(kind("", Some(9)), FailureKind::OutOfMemory);
        assert_eq!(
            kind(
                "write /tmp/go-build1/b001/exe/a.out: no space left on device",
                None
            ),
            FailureKind::DiskFull
        );
        assert_eq!(
            kind("cmd/go: unsupported GOOS/GOARCH pair plan9/arm64", None),
            FailureKind::UnsupportedPort
        );
        assert_eq!(
            kind("./main.go:3:8: syntax error: unexpected newline", None),
            FailureKind::Build
        );
    }

    #[test]
    fn hints_name_the_target() {
        let lines = vec!["./a.go:1:1: undefined: x".to_owned()];
        let (_, hint) = classify(&lines, None, "windows", "arm64");
        assert!(hint.unwrap_or_default().contains("windows/arm64"));
    }
}
