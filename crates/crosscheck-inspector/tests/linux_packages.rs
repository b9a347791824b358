//! Linux packages made at test time by the real tools (`dpkg-deb --build`, `rpmbuild -bb`, and
//! nfpm, the packager `crosscheck build` drives, for all three formats), read back with
//! `read_linux_package` and compared with what the real tools say about the same file:
//! `dpkg-deb -f`/`-c`, `rpm -qp --qf`/`--dump`/`-R`, and `tar -xzf` of an apk (tar reads
//! concatenated gzip streams). A missing tool fails the test naming what to install.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{
    TestResult, cached, go_fixture, go_version, our_panics, record_our_panics, sha256sum,
};
use crosscheck_inspector::{
    ExpectedLinuxPackage, InspectError, LinuxPackageFacts, LinuxPackageFormat, PackageLimits,
    PackagedFileKind, check_linux_package, detect_linux_package, read_linux_package,
    read_linux_package_with,
};
use proptest::prelude::*;

/// nfpm as `crosscheck build` pins it.
const NFPM: &str = "github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2";

/// Runs `cmd` and returns its stdout; a tool that is not installed fails with `install`.
fn run(cmd: &mut Command, install: &str) -> TestResult<String> {
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run {:?} ({e}): install {install}",
            cmd.get_program()
        )
    })?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

const DPKG: &str = "the Debian package dpkg (apt-get install dpkg), which provides dpkg-deb";
const RPM: &str = "the Debian package rpm (apt-get install rpm), which provides rpmbuild";

/// One file as a real tool describes it; `None` where the tool does not say.
#[derive(Debug, PartialEq)]
struct Row {
    path: String,
    kind: PackagedFileKind,
    mode: u32,
    size: Option<u64>,
    sha256: Option<String>,
    link_target: Option<String>,
    config: Option<bool>,
}

/// What a real tool says about a package.
#[derive(Debug)]
struct Oracle {
    name: String,
    version: String,
    release: Option<String>,
    arch: String,
    rows: Vec<Row>,
}

/// Asserts the reader agrees with the oracle on every fact the oracle states.
fn assert_agrees(facts: &LinuxPackageFacts, oracle: &Oracle) {
    assert_eq!(facts.name, oracle.name);
    assert_eq!(facts.version, oracle.version);
    assert_eq!(facts.release, oracle.release);
    assert_eq!(facts.arch, oracle.arch);
    let ours: Vec<Row> = facts
        .files
        .iter()
        .map(|f| {
            let oracle_row = oracle.rows.iter().find(|r| r.path == f.path);
            let stated = |pick: fn(&Row) -> bool| oracle_row.is_some_and(pick);
            Row {
                path: f.path.clone(),
                kind: f.kind,
                mode: f.mode,
                size: stated(|r| r.size.is_some()).then_some(f.size),
                sha256: f.sha256.clone().filter(|_| stated(|r| r.sha256.is_some())),
                link_target: f.link_target.clone(),
                config: stated(|r| r.config.is_some()).then_some(f.config),
            }
        })
        .collect();
    let mut theirs: Vec<&Row> = oracle.rows.iter().collect();
    theirs.sort_by(|a, b| a.path.cmp(&b.path));
    let ours: Vec<&Row> = ours.iter().collect();
    assert_eq!(ours, theirs, "files of {} {}", facts.format, facts.name);
}

/// `rwxr-xr-x` (with `s`, `S`, `t`, `T`) as permission bits.
fn mode_bits(perms: &str) -> u32 {
    let c: Vec<char> = perms.chars().collect();
    let mut mode = 0;
    for (i, bit) in [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1]
        .into_iter()
        .enumerate()
    {
        if matches!(c.get(i), Some('r' | 'w' | 'x' | 's' | 't')) {
            mode |= bit;
        }
    }
    for (i, special) in [(2, 0o4000), (5, 0o2000), (8, 0o1000)] {
        if matches!(c.get(i), Some('s' | 'S' | 't' | 'T')) {
            mode |= special;
        }
    }
    mode
}

fn kind_of(type_char: char) -> PackagedFileKind {
    match type_char {
        'd' => PackagedFileKind::Dir,
        'l' => PackagedFileKind::Symlink,
        _ => PackagedFileKind::File,
    }
}

// ---------------------------------------------------------------------------------------------
// The files every package holds.

/// A tree to package: the Go hello binary (arm64), a config file, a symlink to the binary and
/// an empty directory.
struct Payload {
    dir: tempfile::TempDir,
    binary: PathBuf,
    binary_sha256: String,
    config: PathBuf,
}

fn payload() -> TestResult<Payload> {
    payload_of(&fs::read(go_fixture("linux-arm64")?)?)
}

/// A payload whose "binary" holds `binary`.
fn payload_of(binary_bytes: &[u8]) -> TestResult<Payload> {
    let dir = tempfile::tempdir()?;
    let binary = dir.path().join("hello");
    fs::write(&binary, binary_bytes)?;
    fs::set_permissions(&binary, fs::Permissions::from_mode(0o755))?;
    let config = dir.path().join("hello.conf");
    fs::write(&config, "greeting = hi\n")?;
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644))?;
    let binary_sha256 = sha256sum(&binary)?;
    Ok(Payload {
        dir,
        binary,
        binary_sha256,
        config,
    })
}

fn expected(facts: &LinuxPackageFacts, payload: &Payload) -> ExpectedLinuxPackage {
    ExpectedLinuxPackage {
        format: facts.format,
        name: "hello".into(),
        version: facts.version.clone(),
        release: facts.release.clone(),
        arch: facts.arch.clone(),
        files: vec![("/usr/bin/hello".into(), payload.binary_sha256.clone())],
    }
}

/// The package holds the very binary, and a changed binary is caught.
fn assert_holds_the_binary(facts: &LinuxPackageFacts, payload: &Payload) {
    let want = expected(facts, payload);
    assert_eq!(check_linux_package(facts, &want), []);
    let other = ExpectedLinuxPackage {
        files: vec![("/usr/bin/hello".into(), "0".repeat(64))],
        ..want
    };
    let rules: Vec<&str> = check_linux_package(facts, &other)
        .iter()
        .map(|v| v.rule.as_str())
        .collect();
    assert_eq!(rules, ["package-file-mismatch"]);
}

fn config_flags(facts: &LinuxPackageFacts) -> Vec<&str> {
    facts
        .files
        .iter()
        .filter(|f| f.config)
        .map(|f| f.path.as_str())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// deb: dpkg-deb builds, dpkg-deb -f and -c answer.

fn dpkg_deb_build(payload: &Payload, compression: &str) -> TestResult<PathBuf> {
    let root = payload.dir.path().join(format!("root-{compression}"));
    for dir in ["DEBIAN", "usr/bin", "etc/hello", "usr/share/doc/hello"] {
        fs::create_dir_all(root.join(dir))?;
    }
    fs::write(
        root.join("DEBIAN/control"),
        "Package: hello\nVersion: 1:1.2.0~rc.1-3\nArchitecture: arm64\n\
         Maintainer: A Tester <tester@example.invalid>\nDepends: libc6 (>= 2.17)\n\
         Description: says hello\n A longer text,\n .\n over lines.\n",
    )?;
    fs::write(root.join("DEBIAN/conffiles"), "/etc/hello/hello.conf\n")?;
    fs::copy(&payload.binary, root.join("usr/bin/hello"))?;
    fs::copy(&payload.config, root.join("etc/hello/hello.conf"))?;
    symlink("hello", root.join("usr/bin/hi"))?;
    set_dir_modes(&root)?;
    let deb = payload.dir.path().join(format!("hello-{compression}.deb"));
    run(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "--build"])
            .arg(format!("-Z{compression}"))
            .arg(&root)
            .arg(&deb),
        DPKG,
    )?;
    Ok(deb)
}

/// dpkg-deb refuses a DEBIAN directory with group-writable modes, which a umask may give.
fn set_dir_modes(dir: &Path) -> TestResult {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            set_dir_modes(&entry.path())?;
        }
    }
    Ok(())
}

fn dpkg_field(deb: &Path, field: &str) -> TestResult<String> {
    let out = run(Command::new("dpkg-deb").arg("-f").arg(deb).arg(field), DPKG)?;
    Ok(out.trim_end_matches('\n').to_owned())
}

fn dpkg_oracle(deb: &Path, tree: Option<&Path>) -> TestResult<Oracle> {
    let version = dpkg_field(deb, "Version")?;
    let (version, release) = match version.rsplit_once('-') {
        Some((v, r)) => (v.to_owned(), Some(r.to_owned())),
        None => (version, None),
    };
    let conffiles = match tree {
        Some(tree) => fs::read_to_string(tree.join("DEBIAN/conffiles"))?,
        None => String::new(),
    };
    let mut rows = Vec::new();
    for line in run(Command::new("dpkg-deb").arg("-c").arg(deb), DPKG)?.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [perms, _owner, size, _date, _time, path, rest @ ..] = words.as_slice() else {
            return Err(format!("unexpected dpkg-deb -c line {line:?}").into());
        };
        let path = format!("/{}", path.trim_start_matches("./").trim_end_matches('/'));
        if path == "/" {
            continue;
        }
        let kind = kind_of(perms.chars().next().unwrap_or('-'));
        let sha256 = match (tree, kind) {
            (Some(tree), PackagedFileKind::File) => Some(sha256sum(&tree.join(&path[1..]))?),
            _ => None,
        };
        rows.push(Row {
            config: tree.map(|_| conffiles.lines().any(|c| c == path)),
            path,
            kind,
            mode: mode_bits(&perms[1..]),
            size: Some(size.parse()?),
            sha256,
            link_target: rest.get(1).map(|t| (*t).to_owned()),
        });
    }
    Ok(Oracle {
        name: dpkg_field(deb, "Package")?,
        version,
        release,
        arch: dpkg_field(deb, "Architecture")?,
        rows,
    })
}

#[test]
fn debs_of_every_compression_read_as_dpkg_deb_lists_them() -> TestResult {
    let payload = payload()?;
    for compression in ["gzip", "xz", "zstd", "none"] {
        let deb = dpkg_deb_build(&payload, compression)?;
        let bytes = fs::read(&deb)?;
        assert_eq!(detect_linux_package(&bytes), Some(LinuxPackageFormat::Deb));
        let facts = read_linux_package(&bytes)?;
        let tree = payload.dir.path().join(format!("root-{compression}"));
        assert_agrees(&facts, &dpkg_oracle(&deb, Some(&tree))?);
        assert_eq!(facts.version, "1:1.2.0~rc.1", "{compression}");
        assert_eq!(config_flags(&facts), ["/etc/hello/hello.conf"]);
        for field in ["Maintainer", "Depends", "Description"] {
            assert_eq!(
                facts.fields.get(field),
                Some(&dpkg_field(&deb, field)?),
                "{field} ({compression})"
            );
        }
        assert_holds_the_binary(&facts, &payload);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// rpm: rpmbuild builds, rpm -qp answers.

const SPEC: &str = "\
Name: hello
Version: 1.2.0~rc.1
Release: 1
Summary: says hello
License: MIT
URL: https://example.invalid/hello
Requires: ca-certificates >= 2020
Provides: greeter
AutoReqProv: no
%description
Says hello.
%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/hello %{buildroot}/usr/share/hello
install -m 0755 %{hello_binary} %{buildroot}/usr/bin/hello
install -m 0644 %{hello_config} %{buildroot}/etc/hello/hello.conf
ln -s hello %{buildroot}/usr/bin/hi
%files
/usr/bin/hello
/usr/bin/hi
%dir /usr/share/hello
%config(noreplace) /etc/hello/hello.conf
";

fn rpmbuild(payload: &Payload, target: &str, io: &str) -> TestResult<PathBuf> {
    let top = payload.dir.path().join(format!("rpm-{target}-{io}"));
    fs::create_dir_all(top.join("SPECS"))?;
    let spec = top.join("SPECS/hello.spec");
    fs::write(&spec, SPEC)?;
    let define = |name: &str, value: &dyn AsRef<std::ffi::OsStr>| {
        let mut arg = std::ffi::OsString::from(format!("{name} "));
        arg.push(value.as_ref());
        ["--define".into(), arg]
    };
    run(
        Command::new("rpmbuild")
            .args(["-bb", "--quiet", "--target", target])
            .args(define("_topdir", &top))
            .args(define("hello_binary", &payload.binary))
            .args(define("hello_config", &payload.config))
            .args(define("_binary_payload", &io))
            // No stripping, no debuginfo: the package must hold the binary as built.
            .args(define("__os_install_post", &"%{nil}"))
            .args(define("debug_package", &"%{nil}"))
            .arg(&spec),
        RPM,
    )?;
    let dir = top.join("RPMS").join(target);
    let rpm = fs::read_dir(&dir)?
        .next()
        .ok_or_else(|| format!("rpmbuild wrote nothing into {}", dir.display()))??;
    Ok(rpm.path())
}

fn rpm_query(rpm: &Path, args: &[&str]) -> TestResult<String> {
    run(Command::new("rpm").arg("-qp").args(args).arg(rpm), RPM)
}

fn rpm_oracle(rpm: &Path) -> TestResult<Oracle> {
    let nvra = rpm_query(rpm, &["--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}"])?;
    let [name, version, release, arch] = nvra.split(' ').collect::<Vec<_>>()[..] else {
        return Err(format!("unexpected rpm --qf output {nvra:?}").into());
    };
    let mut rows = Vec::new();
    // path size mtime digest mode owner group isconfig isdoc rdev symlink
    for line in rpm_query(rpm, &["--dump"])?.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let [
            path,
            size,
            _mtime,
            digest,
            mode,
            _owner,
            _group,
            config,
            _doc,
            _rdev,
            link,
        ] = words[..]
        else {
            return Err(format!("unexpected rpm --dump line {line:?}").into());
        };
        let mode = u32::from_str_radix(mode, 8)?;
        let kind = match mode & 0o170_000 {
            0o040_000 => PackagedFileKind::Dir,
            0o120_000 => PackagedFileKind::Symlink,
            _ => PackagedFileKind::File,
        };
        let is_file = kind == PackagedFileKind::File;
        rows.push(Row {
            path: path.to_owned(),
            kind,
            mode: mode & 0o7777,
            size: is_file.then(|| size.parse()).transpose()?,
            sha256: is_file.then(|| digest.to_owned()),
            link_target: (link != "X").then(|| link.to_owned()),
            config: Some(config == "1"),
        });
    }
    Ok(Oracle {
        name: name.to_owned(),
        version: version.to_owned(),
        release: Some(release.to_owned()),
        arch: arch.to_owned(),
        rows,
    })
}

#[test]
fn rpms_of_every_payload_compression_read_as_rpm_lists_them() -> TestResult {
    let payload = payload()?;
    for (target, io) in [
        ("aarch64", "w9.gzdio"),
        ("aarch64", "w6.xzdio"),
        ("x86_64", "w19.zstdio"),
        ("x86_64", "w0.ufdio"),
    ] {
        let rpm = rpmbuild(&payload, target, io)?;
        let facts = read_linux_package(&fs::read(&rpm)?)?;
        let oracle = rpm_oracle(&rpm)?;
        assert_eq!(oracle.arch, target);
        assert_agrees(&facts, &oracle);
        assert_eq!(config_flags(&facts), ["/etc/hello/hello.conf"]);
        let requires: Vec<String> = rpm_query(&rpm, &["-R"])?
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            facts.fields.get("requires"),
            Some(&requires.join(", ")),
            "{io}"
        );
        assert_eq!(
            facts.fields.get("license").map(String::as_str),
            Some(rpm_query(&rpm, &["--qf", "%{LICENSE}"])?.as_str())
        );
        assert_holds_the_binary(&facts, &payload);
    }
    Ok(())
}

/// An uncompressed payload whose binary was changed after rpmbuild: the header's SHA-256 no
/// longer matches the contents, and the reader says so.
#[test]
fn an_rpm_whose_payload_disagrees_with_its_header_is_malformed() -> TestResult {
    let payload = payload()?;
    let rpm = rpmbuild(&payload, "x86_64", "w0.ufdio")?;
    let mut bytes = fs::read(&rpm)?;
    let binary = fs::read(&payload.binary)?;
    let at = bytes
        .windows(64)
        .position(|w| w == &binary[4096..4160])
        .ok_or("the binary is not stored as is in an uncompressed payload")?;
    bytes[at] ^= 0xff;
    match read_linux_package(&bytes) {
        Err(InspectError::MalformedPackage { format, reason }) => {
            assert_eq!(format, LinuxPackageFormat::Rpm);
            assert!(
                reason.starts_with("/usr/bin/hello has SHA-256 ")
                    && reason.contains("the header records"),
                "{reason}"
            );
        }
        other => return Err(format!("expected a malformed rpm, got {other:?}").into()),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// nfpm: the packager crosscheck build drives, for all three formats.

/// nfpm, built once with the installed Go and cached in the target directory.
fn nfpm() -> TestResult<PathBuf> {
    let key = format!("nfpm-v2.45.2-{}", go_version()?);
    cached(key, |out| {
        let gobin = tempfile::tempdir()?;
        run(
            Command::new("go")
                .args(["install", NFPM])
                .env("GOBIN", gobin.path())
                .env("GOFLAGS", ""),
            "Go 1.26 (the go command builds nfpm from the module proxy)",
        )?;
        fs::rename(gobin.path().join("nfpm"), out)?;
        Ok(())
    })
}

fn nfpm_package(payload: &Payload, packager: &str, signed: bool) -> TestResult<PathBuf> {
    let dir = payload.dir.path();
    let mut config = format!(
        "name: hello\narch: arm64\nplatform: linux\nversion: 1.2.0-rc.1\nrelease: 2\n\
         maintainer: A Tester <tester@example.invalid>\ndescription: Says hello.\n\
         license: MIT\ndepends: [ca-certificates]\ncontents:\n\
         \x20 - {{src: {binary}, dst: /usr/bin/hello, file_info: {{mode: 0755}}}}\n\
         \x20 - {{src: {config}, dst: /etc/hello/hello.conf, type: config}}\n\
         \x20 - {{src: /usr/bin/hello, dst: /usr/bin/hi, type: symlink}}\n\
         \x20 - {{dst: /usr/share/hello, type: dir, file_info: {{mode: 0755}}}}\n",
        binary = payload.binary.display(),
        config = payload.config.display(),
    );
    if signed {
        let key = dir.join("apk-key.pem");
        run(
            Command::new("openssl")
                .args(["genrsa", "-out"])
                .arg(&key)
                .arg("2048"),
            "the Debian package openssl",
        )?;
        config.push_str(&format!(
            "apk:\n  signature:\n    key_file: {}\n",
            key.display()
        ));
    }
    let yaml = dir.join(format!("nfpm-{packager}-{signed}.yaml"));
    fs::write(&yaml, config)?;
    let out = dir.join(format!("hello-{signed}.{packager}"));
    run(
        Command::new(nfpm()?)
            .args(["pkg", "--packager", packager, "--config"])
            .arg(&yaml)
            .arg("--target")
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "1700000000"),
        "nfpm (built with go install; see the error above)",
    )?;
    Ok(out)
}

/// What `tar -xzf` extracts from an apk: `.PKGINFO` and the installed tree.
fn apk_oracle(apk: &Path) -> TestResult<(Oracle, String)> {
    let out = tempfile::tempdir()?;
    run(
        Command::new("tar")
            .args(["--warning=no-unknown-keyword", "-xzf"])
            .arg(apk)
            .arg("-C")
            .arg(out.path()),
        "GNU tar",
    )?;
    let pkginfo = fs::read_to_string(out.path().join(".PKGINFO"))?;
    let value = |key: &str| {
        pkginfo
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = ")))
            .map(str::to_owned)
            .ok_or(format!(".PKGINFO has no {key}"))
    };
    let pkgver = value("pkgver")?;
    let (version, release) = pkgver.rsplit_once("-r").ok_or("pkgver has no -rN")?;
    let mut rows = Vec::new();
    walk(out.path(), out.path(), &mut rows)?;
    let oracle = Oracle {
        name: value("pkgname")?,
        version: version.to_owned(),
        release: Some(release.to_owned()),
        arch: value("arch")?,
        rows,
    };
    Ok((oracle, pkginfo))
}

fn walk(root: &Path, dir: &Path, rows: &mut Vec<Row>) -> TestResult {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = format!("/{}", path.strip_prefix(root)?.display());
        if dir == root && name.starts_with("/.") {
            continue;
        }
        let meta = fs::symlink_metadata(&path)?;
        let kind = if meta.is_dir() {
            PackagedFileKind::Dir
        } else if meta.file_type().is_symlink() {
            PackagedFileKind::Symlink
        } else {
            PackagedFileKind::File
        };
        let is_file = kind == PackagedFileKind::File;
        rows.push(Row {
            path: name,
            kind,
            // Extracted links get the host's mode (0777); the archive's is not visible here.
            mode: if kind == PackagedFileKind::Symlink {
                u32::MAX
            } else {
                meta.permissions().mode() & 0o7777
            },
            size: is_file.then_some(meta.len()),
            sha256: is_file.then(|| sha256sum(&path)).transpose()?,
            link_target: meta
                .file_type()
                .is_symlink()
                .then(|| fs::read_link(&path).map(|t| t.display().to_string()))
                .transpose()?,
            config: None,
        });
        if meta.is_dir() {
            walk(root, &path, rows)?;
        }
    }
    Ok(())
}

#[test]
fn nfpm_packages_of_every_format_read_as_the_real_tools_list_them() -> TestResult {
    let payload = payload()?;
    let deb = nfpm_package(&payload, "deb", false)?;
    let facts = read_linux_package(&fs::read(&deb)?)?;
    assert_agrees(&facts, &dpkg_oracle(&deb, None)?);
    assert_eq!(
        (
            facts.version.as_str(),
            facts.release.as_deref(),
            facts.arch.as_str()
        ),
        ("1.2.0~rc.1", Some("2"), "arm64")
    );
    assert_eq!(config_flags(&facts), ["/etc/hello/hello.conf"]);
    assert_holds_the_binary(&facts, &payload);

    let rpm = nfpm_package(&payload, "rpm", false)?;
    let facts = read_linux_package(&fs::read(&rpm)?)?;
    assert_agrees(&facts, &rpm_oracle(&rpm)?);
    assert_eq!(facts.arch, "aarch64");
    assert_eq!(config_flags(&facts), ["/etc/hello/hello.conf"]);
    assert_holds_the_binary(&facts, &payload);

    for signed in [false, true] {
        let apk = nfpm_package(&payload, "apk", signed)?;
        let bytes = fs::read(&apk)?;
        assert_eq!(detect_linux_package(&bytes), Some(LinuxPackageFormat::Apk));
        let mut facts = read_linux_package(&bytes)?;
        let (oracle, pkginfo) = apk_oracle(&apk)?;
        assert!(pkginfo.contains("maintainer = A Tester"), "{pkginfo}");
        assert_eq!(
            facts.fields.get("maintainer").map(String::as_str),
            Some("A Tester <tester@example.invalid>")
        );
        assert_eq!(
            (
                facts.version.as_str(),
                facts.release.as_deref(),
                facts.arch.as_str()
            ),
            ("1.2.0_rc.1", Some("2"), "aarch64"),
            "signed: {signed}"
        );
        assert_holds_the_binary(&facts, &payload);
        for file in &mut facts.files {
            if file.kind == PackagedFileKind::Symlink {
                file.mode = u32::MAX;
            }
        }
        assert_agrees(&facts, &oracle);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Limits and hostile bytes.

#[test]
fn a_payload_over_the_limit_is_refused() -> TestResult {
    let payload = payload()?;
    let deb = dpkg_deb_build(&payload, "xz")?;
    let limits = PackageLimits {
        max_unpacked: 1 << 20,
        ..PackageLimits::default()
    };
    match read_linux_package_with(&fs::read(&deb)?, &limits) {
        Err(InspectError::MalformedPackage { reason, .. }) => assert!(
            reason.contains("decompresses to more than 1048576 bytes"),
            "{reason}"
        ),
        other => return Err(format!("expected the limit to stop the read: {other:?}").into()),
    }
    let limits = PackageLimits {
        max_files: 3,
        ..PackageLimits::default()
    };
    let err = read_linux_package_with(&fs::read(&deb)?, &limits).err();
    assert!(
        err.as_ref()
            .is_some_and(|e| e.to_string().contains("more than 3 files")),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn bytes_of_no_package_format_are_not_a_package() {
    for bytes in [
        &b""[..],
        b"!<arch>\nfoo",
        b"\x7fELF\x02\x01\x01",
        b"PK\x03\x04",
    ] {
        assert!(matches!(
            read_linux_package(bytes),
            Err(InspectError::NotAPackage)
        ));
    }
}

/// One package of each format and layout the tests build, made once, for the mutation tests.
fn sample_packages() -> &'static BTreeMap<String, Vec<u8>> {
    static SAMPLES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        build_samples().unwrap_or_else(|e| panic!("building the sample packages: {e}"))
    })
}

/// The packages hold the first 24 KiB of the Go binary, so each mutated read is quick.
fn build_samples() -> TestResult<BTreeMap<String, Vec<u8>>> {
    let binary = fs::read(go_fixture("linux-arm64")?)?;
    let payload = payload_of(
        binary
            .get(..24 << 10)
            .ok_or("the Go binary is under 24 KiB")?,
    )?;
    let mut out = BTreeMap::new();
    out.insert("deb-xz".into(), fs::read(dpkg_deb_build(&payload, "xz")?)?);
    out.insert(
        "deb-gzip".into(),
        fs::read(dpkg_deb_build(&payload, "gzip")?)?,
    );
    out.insert(
        "rpm-zstd".into(),
        fs::read(rpmbuild(&payload, "x86_64", "w19.zstdio")?)?,
    );
    out.insert(
        "apk-signed".into(),
        fs::read(nfpm_package(&payload, "apk", true)?)?,
    );
    Ok(out)
}

/// Reads `bytes` and checks the outcome is facts or a package error, with no panic of ours.
fn check_outcome(what: &str, bytes: &[u8]) -> Result<(), String> {
    match read_linux_package(bytes) {
        Ok(_) | Err(InspectError::MalformedPackage { .. } | InspectError::NotAPackage) => {}
        Err(e) => return Err(format!("{what}: unexpected error {e}")),
    }
    let panics = our_panics();
    if panics.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{what}: panicked in crosscheck-inspector: {panics:?}"
        ))
    }
}

#[test]
fn sample_packages_are_whole_before_mutation() -> TestResult {
    for (name, bytes) in sample_packages() {
        let facts = read_linux_package(bytes)?;
        assert_eq!(facts.name, "hello", "{name}");
    }
    Ok(())
}

#[test]
fn truncated_packages_are_malformed_never_a_panic() -> Result<(), String> {
    record_our_panics();
    for (name, bytes) in sample_packages() {
        let cuts = (0..bytes.len()).step_by(5);
        for cut in cuts {
            check_outcome(&format!("{name} cut at {cut}"), &bytes[..cut])?;
            // Only the `\n` that pads an odd-sized last ar member: the package is whole.
            let only_padding = &bytes[cut..] == b"\n";
            if cut > 0 && !only_padding && read_linux_package(&bytes[..cut]).is_ok() {
                return Err(format!(
                    "{name} cut at {cut} of {} still reads",
                    bytes.len()
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Bits flipped in the headers (first 4 KiB) or anywhere: an error or other facts, never a
    /// panic.
    #[test]
    fn bit_flips_never_panic(
        which in 0usize..4,
        flips in prop::collection::vec((0usize..4096, 0u32..1_000_000, 0u8..8, any::<bool>()), 1..6),
    ) {
        record_our_panics();
        let samples = sample_packages();
        let Some((name, original)) = samples.iter().nth(which % samples.len()) else {
            return Err(TestCaseError::fail("no sample packages"));
        };
        let mut bytes = original.clone();
        let len = bytes.len();
        let mut placed = Vec::new();
        for (head, anywhere, bit, in_head) in flips {
            let at = if in_head { head % len } else { (len as u64 * u64::from(anywhere) / 1_000_000) as usize % len };
            bytes[at] ^= 1 << bit;
            placed.push((at, bit));
        }
        let outcome = check_outcome(&format!("{name} with bits flipped at {placed:?}"), &bytes);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
    }
}
