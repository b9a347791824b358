//! Which targets GoReleaser v2.15.1 builds for one `builds` entry, computed as its code
//! does (`internal/builders/golang/targets.go` and `build.go`): its defaults, its list of
//! valid pairs (others are skipped silently), `ignore`, explicit `targets` with the
//! `go_first_class` shorthand, and the way it reads a target name back, quirks included.

use crate::{Target, Variant, VariantVar};

use super::model::{Build, Partial, VARIANT_KEYS};

/// GoReleaser's defaults for the sub-architecture keys, indexed like [`VARIANT_KEYS`].
/// GOARM's is 6 unless `GORELEASER_EXPERIMENTAL=defaultgoarm` says 7.
pub(crate) const DEFAULT_VARIANTS: [&str; 7] =
    ["v1", "sse2", "6", "v8.0", "hardfloat", "power8", "rva20u64"];

/// `goos` and `goarch` when a build says nothing.
pub(crate) const DEFAULT_GOOS: [&str; 3] = ["linux", "darwin", "windows"];
pub(crate) const DEFAULT_GOARCH: [&str; 3] = ["amd64", "arm64", "386"];

/// What `go_first_class` (and the older `go_118_first_class`) stand for in `targets`.
const FIRST_CLASS: [&str; 8] = [
    "darwin_amd64",
    "darwin_arm64",
    "linux_386",
    "linux_amd64",
    "linux_arm",
    "linux_arm64",
    "windows_386",
    "windows_amd64",
];

/// The pairs GoReleaser builds from `goos` x `goarch` (`validTargets` and
/// `experimentalTargets`); any other pair is skipped without a word.
const VALID_PAIRS: [&str; 47] = [
    "aixppc64",
    "android386",
    "androidamd64",
    "androidarm",
    "androidarm64",
    "darwinamd64",
    "darwinarm64",
    "dragonflyamd64",
    "freebsd386",
    "freebsdamd64",
    "freebsdarm",
    "freebsdarm64",
    "illumosamd64",
    "iosarm64",
    "jswasm",
    "wasip1wasm",
    "linux386",
    "linuxamd64",
    "linuxarm",
    "linuxarm64",
    "linuxppc64",
    "linuxppc64le",
    "linuxmips",
    "linuxmipsle",
    "linuxmips64",
    "linuxmips64le",
    "linuxs390x",
    "linuxriscv64",
    "linuxloong64",
    "netbsd386",
    "netbsdamd64",
    "netbsdarm",
    "netbsdarm64",
    "openbsd386",
    "openbsdamd64",
    "openbsdarm",
    "openbsdarm64",
    "plan9386",
    "plan9amd64",
    "plan9arm",
    "solarisamd64",
    "solarissparc",
    "solarissparc64",
    "windowsarm64",
    "windows386",
    "windowsamd64",
    "openbsdriscv64",
];

const VALID_GOOS: [&str; 15] = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "wasip1",
];

const VALID_GOARCH: [&str; 16] = [
    "386", "amd64", "arm", "arm64", "mips", "mips64", "mips64le", "mipsle", "ppc64", "ppc64le",
    "s390x", "wasm", "riscv64", "loong64", "sparc", "sparc64",
];

/// A target as GoReleaser names it and reads it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GrTarget {
    /// Its name: `linux_amd64_v1`, `linux_arm_6` (the `.Target` of templates).
    pub name: String,
    pub goos: String,
    pub goarch: String,
    /// `.Amd64` .. `.Riscv64`, indexed like [`VARIANT_KEYS`]; empty when not set.
    pub extras: [String; 7],
}

/// A combination of a build's `goos` x `goarch` x sub-architectures, and what became of it.
#[derive(Clone, Debug)]
pub(crate) enum Listed {
    /// Built.
    Kept(GrTarget),
    /// Not a pair GoReleaser builds: skipped silently.
    Invalid,
    /// Removed by the `ignore` entry with this index.
    Ignored(usize),
    /// A value GoReleaser rejects (the whole run fails): which key and value.
    Rejected(String),
}

/// Every combination of the build's axes (GoReleaser's defaults where it says nothing),
/// in GoReleaser's order, each with its fate.
pub(crate) fn list_axes(build: &Build) -> Vec<Listed> {
    let values = |list: &Option<super::model::Strings>, default: &[&str]| -> Vec<String> {
        match list {
            Some(list) if !list.value.is_empty() => {
                list.value.iter().map(|item| item.value.clone()).collect()
            }
            _ => default.iter().map(|s| (*s).to_owned()).collect(),
        }
    };
    let goos = values(&build.goos, &DEFAULT_GOOS);
    let goarch = values(&build.goarch, &DEFAULT_GOARCH);
    let variants: Vec<Vec<String>> = build
        .variants
        .iter()
        .zip(DEFAULT_VARIANTS)
        .map(|(list, default)| values(list, &[default]))
        .collect();
    let mut listed = Vec::new();
    for os in &goos {
        for arch in &goarch {
            let slot = variant_slot(arch);
            let choices = slot.map_or_else(|| vec![String::new()], |slot| variants[slot].clone());
            for choice in choices {
                let mut extras: [String; 7] = Default::default();
                if let Some(slot) = slot {
                    extras[slot] = choice;
                }
                listed.push(fate(build, os, arch, extras));
            }
        }
    }
    listed
}

/// Which sub-architecture key GoReleaser combines with `goarch`.
fn variant_slot(goarch: &str) -> Option<usize> {
    match goarch {
        "amd64" => Some(0),
        "386" => Some(1),
        "arm" => Some(2),
        "arm64" => Some(3),
        "mips" | "mipsle" | "mips64" | "mips64le" => Some(4),
        "ppc64" | "ppc64le" => Some(5),
        "riscv64" => Some(6),
        _ => None,
    }
}

fn fate(build: &Build, goos: &str, goarch: &str, extras: [String; 7]) -> Listed {
    let name = format_name(goos, goarch, &extras);
    if !VALID_GOOS.contains(&goos) {
        return Listed::Rejected(format!("invalid goos: {goos}"));
    }
    if !VALID_GOARCH.contains(&goarch) {
        return Listed::Rejected(format!("invalid goarch: {goarch}"));
    }
    for (index, value) in extras.iter().enumerate() {
        if !value.is_empty() && !valid_variant(index, value) {
            return Listed::Rejected(format!("invalid {}: {value}", VARIANT_KEYS[index]));
        }
    }
    if !VALID_PAIRS.contains(&format!("{goos}{goarch}").as_str()) {
        return Listed::Invalid;
    }
    if let Some(index) = build
        .ignore
        .iter()
        .position(|ignore| ignores(ignore, goos, goarch, &extras))
    {
        return Listed::Ignored(index);
    }
    Listed::Kept(parse_name(&name))
}

/// GoReleaser's lists of accepted sub-architecture values.
fn valid_variant(index: usize, value: &str) -> bool {
    match index {
        0 => ["v1", "v2", "v3", "v4"].contains(&value),
        1 => ["sse2", "softfloat"].contains(&value),
        2 => ["5", "6", "7"].contains(&value),
        // An unanchored `(v8\.[0-9]|v9\.[0-5])((,lse|,crypto)?)+`: any value containing a level.
        3 => {
            (0..=9).any(|minor| value.contains(&format!("v8.{minor}")))
                || (0..=5).any(|minor| value.contains(&format!("v9.{minor}")))
        }
        4 => ["hardfloat", "softfloat"].contains(&value),
        5 => ["power8", "power9", "power10"].contains(&value),
        _ => ["rva20u64", "rva22u64", "rva23u64"].contains(&value),
    }
}

/// Whether an `ignore` entry matches: every field it sets is equal.
fn ignores(ignore: &Partial, goos: &str, goarch: &str, extras: &[String; 7]) -> bool {
    let same = |field: &Option<super::model::At<String>>, value: &str| {
        field
            .as_ref()
            .is_none_or(|f| f.value.is_empty() || f.value == value)
    };
    same(&ignore.goos, goos)
        && same(&ignore.goarch, goarch)
        && ignore
            .variants
            .iter()
            .zip(extras)
            .all(|(field, value)| same(field, value))
}

/// `formatTarget`: `goos_goarch`, then the sub-architecture values run together.
pub(crate) fn format_name(goos: &str, goarch: &str, extras: &[String; 7]) -> String {
    let extra: String = extras.concat();
    if extra.is_empty() {
        format!("{goos}_{goarch}")
    } else {
        format!("{goos}_{goarch}_{extra}")
    }
}

/// `fixTarget`: a name without a sub-architecture gets GoReleaser's default one.
pub(crate) fn fix_name(name: &str) -> String {
    let arch = name.rsplit('_').next().unwrap_or_default();
    let default = match arch {
        _ if !name.contains('_') => None,
        "amd64" => Some(DEFAULT_VARIANTS[0]),
        "386" => Some(DEFAULT_VARIANTS[1]),
        "arm" => Some(DEFAULT_VARIANTS[2]),
        "arm64" => Some(DEFAULT_VARIANTS[3]),
        "mips" | "mips64" | "mipsle" | "mips64le" => Some(DEFAULT_VARIANTS[4]),
        "ppc64" | "ppc64le" => Some(DEFAULT_VARIANTS[5]),
        "riscv64" => Some(DEFAULT_VARIANTS[6]),
        _ => None,
    };
    match default {
        Some(default) => format!("{name}_{default}"),
        None => name.to_owned(),
    }
}

/// `Builder.Parse`: reads a target name back into fields, as every build does before it
/// runs. It sets the sub-architecture for `ppc64` only (not `ppc64le`) and never for
/// `riscv64` (it tests for "riscv"): those builds get Go's defaults, whatever the name says.
pub(crate) fn parse_name(name: &str) -> GrTarget {
    let name = fix_name(name);
    let mut parts = name.splitn(3, '_');
    let goos = parts.next().unwrap_or_default().to_owned();
    let goarch = parts.next().unwrap_or_default().to_owned();
    let mut extras: [String; 7] = Default::default();
    if let Some(extra) = parts.next() {
        let slot = match goarch.as_str() {
            "amd64" => Some(0),
            "386" => Some(1),
            "arm" => Some(2),
            "arm64" => Some(3),
            "mips" | "mipsle" | "mips64" | "mips64le" => Some(4),
            "ppc64" => Some(5),
            _ => None,
        };
        if let Some(slot) = slot {
            extras[slot] = extra.to_owned();
        }
    }
    GrTarget {
        name,
        goos,
        goarch,
        extras,
    }
}

/// The names of an explicit `targets` list, as GoReleaser reads them: the first-class
/// shorthand expanded, defaults added, duplicates dropped (first one kept).
pub(crate) fn list_explicit(items: &[String]) -> Vec<GrTarget> {
    let mut names: Vec<String> = Vec::new();
    for item in items {
        let expanded: Vec<&str> = match item.as_str() {
            "go_first_class" | "go_118_first_class" => FIRST_CLASS.to_vec(),
            other => vec![other],
        };
        for name in expanded {
            let fixed = fix_name(name);
            if !names.contains(&fixed) {
                names.push(fixed);
            }
        }
    }
    names.iter().map(|name| parse_name(name)).collect()
}

/// The crosscheck target that builds what GoReleaser builds for `target`: Go's default
/// sub-architectures are left out of the id, GOARM is always written (GoReleaser always
/// sets it). `Err` says why there is none.
pub(crate) fn to_crosscheck(target: &GrTarget, cgo: bool) -> Result<Target, String> {
    let mut crosscheck = Target::new(target.goos.clone(), target.goarch.clone());
    if let Some(var) = VariantVar::for_arch(&target.goarch) {
        let value = match var {
            VariantVar::Goarm => target.extras[2].as_str(),
            VariantVar::Goamd64 => target.extras[0].as_str(),
            VariantVar::Go386 => target.extras[1].as_str(),
            VariantVar::Goarm64 => target.extras[3].as_str(),
            VariantVar::Gomips | VariantVar::Gomips64 => target.extras[4].as_str(),
            VariantVar::Goppc64 => target.extras[5].as_str(),
            VariantVar::Goriscv64 => target.extras[6].as_str(),
            VariantVar::Gowasm => "",
        };
        let is_default = value.is_empty() || value == var.default_value("");
        if var == VariantVar::Goarm || !is_default {
            let variant =
                Variant::new(var, &target.goarch, value).map_err(|error| format!("{error}"))?;
            crosscheck.variant = Some(variant);
        }
    }
    if cgo {
        crosscheck.cgo = true;
        if crosscheck.goos == "linux" {
            crosscheck.libc = Some(crate::Libc::Gnu(None));
        }
    }
    Ok(crosscheck)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goreleaser::model::{At, Build};
    use crate::goreleaser::yaml::Mark;

    fn strings(items: &[&str]) -> Option<super::super::model::Strings> {
        Some(At {
            value: items
                .iter()
                .map(|item| At {
                    value: (*item).to_owned(),
                    at: Mark::default(),
                })
                .collect(),
            at: Mark::default(),
        })
    }

    fn kept(build: &Build) -> Vec<String> {
        list_axes(build)
            .into_iter()
            .filter_map(|listed| match listed {
                Listed::Kept(target) => Some(target.name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_defaults_are_three_systems_by_three_arches_less_darwin_386() {
        let build = Build::default();
        assert_eq!(
            kept(&build),
            [
                "linux_amd64_v1",
                "linux_arm64_v8.0",
                "linux_386_sse2",
                "darwin_amd64_v1",
                "darwin_arm64_v8.0",
                "windows_amd64_v1",
                "windows_arm64_v8.0",
                "windows_386_sse2",
            ]
        );
    }

    #[test]
    fn arm_gets_goarm_6_and_ignore_removes_what_it_names() {
        let mut build = Build {
            goos: strings(&["linux", "windows"]),
            goarch: strings(&["arm", "arm64"]),
            ..Build::default()
        };
        build.variants[2] = strings(&["6", "7"]);
        build.ignore.push(Partial {
            goos: Some(At {
                value: "windows".to_owned(),
                at: Mark::default(),
            }),
            goarch: Some(At {
                value: "arm".to_owned(),
                at: Mark::default(),
            }),
            ..Partial::default()
        });
        assert_eq!(
            kept(&build),
            [
                "linux_arm_6",
                "linux_arm_7",
                "linux_arm64_v8.0",
                "windows_arm64_v8.0"
            ]
        );
    }

    #[test]
    fn explicit_targets_get_defaults_and_the_first_class_shorthand() {
        let names: Vec<String> =
            list_explicit(&["go_first_class".to_owned(), "linux_amd64".to_owned()])
                .into_iter()
                .map(|t| t.name)
                .collect();
        assert_eq!(names.len(), 8);
        assert_eq!(names[0], "darwin_amd64_v1");
        assert!(names.contains(&"linux_arm_6".to_owned()));
    }

    #[test]
    fn reading_a_name_back_forgets_ppc64le_and_riscv64_variants() {
        assert_eq!(parse_name("linux_ppc64_power9").extras[5], "power9");
        assert_eq!(parse_name("linux_ppc64le_power9").extras[5], "");
        assert_eq!(parse_name("linux_riscv64_rva22u64").extras[6], "");
        assert_eq!(parse_name("linux_mips64").extras[4], "hardfloat");
    }

    #[test]
    fn crosscheck_ids_leave_go_defaults_out_but_write_goarm() {
        let id = |name: &str, cgo: bool| to_crosscheck(&parse_name(name), cgo).unwrap().id();
        assert_eq!(id("linux_amd64_v1", false), "linux/amd64");
        assert_eq!(id("linux_amd64_v3", false), "linux/amd64/v3");
        assert_eq!(id("linux_arm_6", false), "linux/arm/v6");
        assert_eq!(id("linux_arm_7", false), "linux/arm/v7");
        assert_eq!(
            id("linux_mips64_softfloat", false),
            "linux/mips64/softfloat"
        );
        assert_eq!(id("linux_arm64", true), "linux/arm64+cgo.gnu");
        assert_eq!(id("windows_amd64", true), "windows/amd64+cgo");
        assert_eq!(id("js_wasm", false), "js/wasm");
    }
}
