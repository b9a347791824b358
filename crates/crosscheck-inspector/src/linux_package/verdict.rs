//! Compares a package read back with what was planned: format, name, version and release,
//! architecture, and the contents of the files it must hold. One violation per difference,
//! in that order, each named by a stable [`Rule`].

use crosscheck_schema::{
    ExpectedLinuxPackage, LinuxPackageFacts, PackagedFileKind, Rule, Violation,
};

use super::files::install_path;

/// Checks `facts` against `expected`; empty when the package is what was planned.
pub fn check_linux_package(
    facts: &LinuxPackageFacts,
    expected: &ExpectedLinuxPackage,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if facts.format != expected.format {
        out.push(Violation::new(
            Rule::PackageFormatMismatch,
            format!(
                "package is a {}, expected a {}",
                facts.format, expected.format
            ),
        ));
    }
    if facts.name != expected.name {
        out.push(Violation::new(
            Rule::PackageNameMismatch,
            format!(
                "package is named {:?}, expected {:?}",
                facts.name, expected.name
            ),
        ));
    }
    if facts.version != expected.version || facts.release != expected.release {
        out.push(Violation::new(
            Rule::PackageVersionMismatch,
            format!(
                "package has version {}, expected {}",
                full_version(&facts.version, facts.release.as_deref()),
                full_version(&expected.version, expected.release.as_deref()),
            ),
        ));
    }
    if facts.arch != expected.arch {
        out.push(Violation::new(
            Rule::PackageArchMismatch,
            format!(
                "package architecture is {:?}, expected {:?} for {}",
                facts.arch, expected.arch, expected.format
            ),
        ));
    }
    for (path, sha256) in &expected.files {
        out.extend(check_file(facts, path, sha256));
    }
    out
}

/// `version-release`, or the version alone when there is no release.
fn full_version(version: &str, release: Option<&str>) -> String {
    match release {
        Some(release) => format!("{version} (release {release})"),
        None => format!("{version} (no release)"),
    }
}

fn check_file(facts: &LinuxPackageFacts, path: &str, sha256: &str) -> Option<Violation> {
    // The plan may spell a destination `usr/bin/x`; the facts always say `/usr/bin/x`.
    let wanted = install_path(path)
        .ok()
        .flatten()
        .unwrap_or_else(|| path.to_owned());
    let mismatch = |message: String| Some(Violation::new(Rule::PackageFileMismatch, message));
    let Some(file) = facts.files.iter().find(|f| f.path == wanted) else {
        return mismatch(format!("package holds no {wanted}"));
    };
    if file.kind != PackagedFileKind::File {
        let kind = match file.kind {
            PackagedFileKind::File => "regular file",
            PackagedFileKind::Dir => "directory",
            PackagedFileKind::Symlink => "symbolic link",
        };
        return mismatch(format!(
            "{wanted} is a {kind} in the package, expected a regular file"
        ));
    }
    match &file.sha256 {
        Some(found) if found.eq_ignore_ascii_case(sha256) => None,
        Some(found) => mismatch(format!(
            "{wanted} has SHA-256 {found}, expected {sha256} (the built artifact)"
        )),
        None => mismatch(format!("{wanted} has no contents in the package payload")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crosscheck_schema::{LinuxPackageFormat, PackagedFile};

    const SHA: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn facts() -> LinuxPackageFacts {
        LinuxPackageFacts {
            format: LinuxPackageFormat::Deb,
            name: "hello".into(),
            version: "1.2.0~rc.1".into(),
            release: Some("1".into()),
            arch: "arm64".into(),
            fields: BTreeMap::new(),
            files: vec![
                PackagedFile {
                    path: "/usr/bin".into(),
                    kind: PackagedFileKind::Dir,
                    mode: 0o755,
                    size: 0,
                    sha256: None,
                    link_target: None,
                    config: false,
                },
                PackagedFile {
                    path: "/usr/bin/hello".into(),
                    kind: PackagedFileKind::File,
                    mode: 0o755,
                    size: 3,
                    sha256: Some(SHA.into()),
                    link_target: None,
                    config: false,
                },
            ],
        }
    }

    fn expected() -> ExpectedLinuxPackage {
        ExpectedLinuxPackage {
            format: LinuxPackageFormat::Deb,
            name: "hello".into(),
            version: "1.2.0~rc.1".into(),
            release: Some("1".into()),
            arch: "arm64".into(),
            files: vec![("usr/bin/hello".into(), SHA.to_uppercase())],
        }
    }

    fn rules(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.rule.as_str()).collect()
    }

    #[test]
    fn the_planned_package_passes() {
        assert_eq!(check_linux_package(&facts(), &expected()), []);
    }

    #[test]
    fn every_difference_is_named() {
        let want = ExpectedLinuxPackage {
            format: LinuxPackageFormat::Rpm,
            name: "hi".into(),
            release: None,
            arch: "armhf".into(),
            files: vec![
                ("/usr/bin/hello".into(), "00".repeat(32)),
                ("/usr/bin".into(), SHA.into()),
                ("/usr/bin/other".into(), SHA.into()),
            ],
            ..expected()
        };
        let v = check_linux_package(&facts(), &want);
        assert_eq!(
            rules(&v),
            [
                "package-format-mismatch",
                "package-name-mismatch",
                "package-version-mismatch",
                "package-arch-mismatch",
                "package-file-mismatch",
                "package-file-mismatch",
                "package-file-mismatch",
            ]
        );
        let messages: Vec<&str> = v.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages.get(2),
            Some(&"package has version 1.2.0~rc.1 (release 1), expected 1.2.0~rc.1 (no release)")
        );
        assert_eq!(
            messages.get(3),
            Some(&"package architecture is \"arm64\", expected \"armhf\" for rpm")
        );
        assert!(
            messages
                .get(4)
                .is_some_and(|m| m.contains("has SHA-256 ba78"))
        );
        assert!(
            messages
                .get(5)
                .is_some_and(|m| m.contains("is a directory in the package"))
        );
        assert_eq!(messages.get(6), Some(&"package holds no /usr/bin/other"));
    }
}
