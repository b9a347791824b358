//! C cross-compilation facts for cgo targets: the zig target triple, and the Debian cross
//! compiler that can stand in for zig.

use crate::{Libc, Target, VariantVar};

/// The `zig cc -target` triple for a cgo target, when zig can build for it.
///
/// glibc pins become zig's `.2.17` suffix; musl targets use zig's musl triples.
pub fn zig_triple(target: &Target) -> Option<String> {
    let soft_float = target.variant.as_ref().is_some_and(|v| {
        v.value.contains("softfloat") || (v.var == VariantVar::Goarm && v.value.starts_with('5'))
    });
    let arch = match target.goarch.as_str() {
        "amd64" => "x86_64",
        "386" => "x86",
        "arm64" => "aarch64",
        "arm" => "arm",
        "riscv64" => "riscv64",
        "ppc64le" => "powerpc64le",
        "ppc64" => "powerpc64",
        "s390x" => "s390x",
        "loong64" => "loongarch64",
        "mips" => "mips",
        "mipsle" => "mipsel",
        "mips64" => "mips64",
        "mips64le" => "mips64el",
        _ => return None,
    };
    match target.goos.as_str() {
        "linux" => {
            let abi = match (&target.libc, target.goarch.as_str()) {
                (Some(Libc::Musl), "arm" | "mips" | "mipsle") => {
                    if soft_float { "musleabi" } else { "musleabihf" }.to_owned()
                }
                (Some(Libc::Musl), "mips64" | "mips64le") => "muslabi64".to_owned(),
                (Some(Libc::Musl), _) => "musl".to_owned(),
                (gnu, goarch) => {
                    let base = match goarch {
                        "arm" | "mips" | "mipsle" => {
                            if soft_float {
                                "gnueabi"
                            } else {
                                "gnueabihf"
                            }
                        }
                        "mips64" | "mips64le" => "gnuabi64",
                        _ => "gnu",
                    };
                    match gnu {
                        Some(Libc::Gnu(Some(version))) => format!("{base}.{version}"),
                        _ => base.to_owned(),
                    }
                }
            };
            Some(format!("{arch}-linux-{abi}"))
        }
        "windows" if matches!(target.goarch.as_str(), "amd64" | "386" | "arm64") => {
            Some(format!("{arch}-windows-gnu"))
        }
        "darwin" if matches!(target.goarch.as_str(), "amd64" | "arm64") => {
            Some(format!("{arch}-macos"))
        }
        "freebsd" if matches!(target.goarch.as_str(), "amd64" | "arm64") => {
            Some(format!("{arch}-freebsd"))
        }
        _ => None,
    }
}

/// A cross compiler from Debian's packages that builds for `target`: (command, package).
pub fn debian_cross_compiler(target: &Target) -> Option<(&'static str, &'static str)> {
    let gnu = matches!(target.libc, Some(Libc::Gnu(None)));
    Some(match (target.goos.as_str(), target.goarch.as_str()) {
        ("linux", "arm64") if gnu => ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
        ("linux", "arm") if gnu => ("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf"),
        ("linux", "riscv64") if gnu => ("riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu"),
        ("linux", "ppc64le") if gnu => ("powerpc64le-linux-gnu-gcc", "gcc-powerpc64le-linux-gnu"),
        ("linux", "s390x") if gnu => ("s390x-linux-gnu-gcc", "gcc-s390x-linux-gnu"),
        ("linux", "386") if gnu => ("i686-linux-gnu-gcc", "gcc-i686-linux-gnu"),
        ("linux", "amd64") if gnu => ("x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu"),
        ("linux", "amd64") if target.libc == Some(Libc::Musl) => ("musl-gcc", "musl-tools"),
        ("windows", "amd64") => ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
        ("windows", "386") => ("i686-w64-mingw32-gcc", "gcc-mingw-w64-i686"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triple(id: &str) -> Option<String> {
        zig_triple(&id.parse().unwrap())
    }

    #[test]
    fn maps_targets_to_zig_triples() {
        assert_eq!(
            triple("linux/amd64+cgo.gnu2.17").as_deref(),
            Some("x86_64-linux-gnu.2.17")
        );
        assert_eq!(
            triple("linux/arm64+cgo.musl").as_deref(),
            Some("aarch64-linux-musl")
        );
        assert_eq!(
            triple("linux/arm/v7+cgo.gnu").as_deref(),
            Some("arm-linux-gnueabihf")
        );
        assert_eq!(
            triple("linux/arm/v6-softfloat+cgo.musl").as_deref(),
            Some("arm-linux-musleabi")
        );
        assert_eq!(
            triple("windows/amd64+cgo").as_deref(),
            Some("x86_64-windows-gnu")
        );
        assert_eq!(triple("darwin/arm64+cgo").as_deref(), Some("aarch64-macos"));
        assert_eq!(triple("plan9/amd64"), None);
    }
}
