//! Writes the planned Linux packages (`[packages]`) of every built target with nfpm, the
//! packager GoReleaser users already publish with, then has each one read back and checked.
//!
//! nfpm is pinned ([`NFPM_PACKAGE`]) and installed with the plan's Go into crosscheck's
//! cache on first use (`<cache>/tools/nfpm-<version>/nfpm`), like wazero. Each package gets
//! its own nfpm config, written as JSON (which is YAML) from the plan alone: the version in
//! the format's spelling (`version_schema: none`, so nfpm does not re-parse it), the
//! architecture name from the planner's table, every file owned by root with the release
//! date as mtime, entries sorted; nfpm runs in its own process group with a time limit, like
//! every command, with `SOURCE_DATE_EPOCH` set. The package is staged, renamed into place,
//! hashed for `SHA256SUMS`, then read back through the [`CheckLinuxPackage`] hook: a package
//! that does not hold exactly the built artifact, under the planned name, version and
//! architecture, is removed and fails its target.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crosscheck_schema::dist::{self, Artifact};
use crosscheck_schema::{
    Failure, FailureKind, LinuxPackageFormat, ManifestLinuxPackage, ManifestTarget, PackageEvent,
    PackageFailure, PackageFileKind, PackageScripts, PackagedKind, Plan, PlannedLinuxPackage,
    STAGING_DIR, Status, env_vars, format_epoch,
};
use serde::Serialize;
use tokio::sync::watch;

use crate::event::Event;
use crate::process::{Cancel, run_collecting};
use crate::runners::fetch::go_install;

/// The pinned nfpm: one version, so that two machines write the same bytes.
pub const NFPM_PACKAGE: &str = "github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2";

/// What installs [`NFPM_PACKAGE`] by hand, for people.
pub const NFPM_INSTALL: &str = "go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2";

/// The directory of the cache the pinned nfpm is installed in.
const NFPM_DIR: &str = "tools/nfpm-v2.45.2";

/// Writing one package takes well under a second; a minute means something hangs.
const NFPM_TIMEOUT: Duration = Duration::from_secs(60);

/// Where packages are staged inside the dist directory.
const STAGING: &str = "linux-packages";

/// Permission bits of the installed binary.
const BINARY_MODE: u32 = 0o755;

/// Reads a written package back and checks it against its plan. The CLI fills it with the
/// inspector's package reader, which the executor does not depend on.
pub trait CheckLinuxPackage: Send + Sync {
    /// The problems of `package`, the bytes written for `planned` from the artifact whose
    /// SHA-256 is `binary`: a field or file that is not as planned, or why the package cannot
    /// be read. Empty: it is as planned.
    fn check(&self, package: &[u8], planned: &PlannedLinuxPackage, binary: &str) -> Vec<String>;
}

/// What writing the packages did: the files for `SHA256SUMS` and what failed.
#[derive(Default)]
pub(crate) struct Written {
    pub files: Vec<Artifact>,
    pub failures: Vec<PackageFailure>,
}

/// Everything the package writer needs from the run.
pub(crate) struct PackageWriter<'a> {
    pub plan: &'a Plan,
    pub dist: &'a Path,
    /// crosscheck's cache, where nfpm is installed; `None`: under the dist directory.
    pub state_dir: Option<&'a Path>,
    /// The constructed environment (PATH, HOME, the Go caches) go and nfpm run with.
    pub env: &'a BTreeMap<String, String>,
    pub grace: Duration,
    /// `--verify-reproducible`: write each package twice and compare.
    pub verify_reproducible: bool,
    pub check: Option<&'a dyn CheckLinuxPackage>,
    /// Told when the one-time nfpm install starts, and of each package written or failed.
    pub on_event: &'a mut dyn FnMut(Event),
}

impl PackageWriter<'_> {
    /// Writes the packages of every built target of the plan into `targets` (the
    /// manifest's entries, in plan order) and returns what it wrote. Stops early on Ctrl-C.
    pub(crate) async fn write_all(
        &mut self,
        targets: &mut [ManifestTarget],
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Written {
        let mut written = Written::default();
        let planned: Vec<_> = self
            .plan
            .targets
            .iter()
            .filter(|t| !t.packages.is_empty())
            .collect();
        if planned.is_empty() {
            return written;
        }
        let mut nfpm: Option<Result<PathBuf, String>> = None;
        for target in planned {
            let id = target.id.to_string();
            let Some(entry) = targets.iter_mut().find(|e| e.id == id) else {
                continue;
            };
            let Some(sha256) = entry
                .sha256
                .clone()
                .filter(|_| entry.status == Status::Built)
            else {
                continue;
            };
            if *cancel.borrow() != Cancel::No {
                break;
            }
            let program = match &nfpm {
                Some(answer) => answer.clone(),
                None => nfpm.insert(self.install_nfpm(cancel).await).clone(),
            };
            let program = match program {
                Ok(program) => program,
                Err(message) => {
                    self.fail(entry, &mut written, message);
                    continue;
                }
            };
            let artifact = self.dist.join(&entry.path);
            for package in &target.packages {
                match self
                    .write_one(&program, package, &artifact, &sha256, cancel)
                    .await
                {
                    Ok(file) => {
                        entry.packages.push(ManifestLinuxPackage {
                            format: package.format,
                            path: file.relative.clone(),
                            sha256: file.sha256.clone(),
                            size: file.size,
                            arch: package.arch.clone(),
                        });
                        (self.on_event)(Event::Packaging(PackageEvent::Packaged {
                            id: id.clone(),
                            kind: PackagedKind::LinuxPackage,
                            file: file.clone(),
                        }));
                        written.files.push(file);
                    }
                    Err(message) => self.fail(entry, &mut written, message),
                }
            }
        }
        written
    }

    /// The pinned nfpm, installed into the cache the first time; Err: why not.
    async fn install_nfpm(
        &mut self,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<PathBuf, String> {
        let base = self
            .state_dir
            .map_or_else(|| self.dist.join(".crosscheck"), Path::to_path_buf);
        let place = base.join(NFPM_DIR).join("nfpm");
        if place.is_file() {
            return Ok(place);
        }
        (self.on_event)(Event::InstallingTool {
            what: format!(
                "installing nfpm into {} (once: go install {NFPM_PACKAGE})",
                place.display()
            ),
        });
        let go = Path::new(&self.plan.go.command);
        go_install(go, NFPM_PACKAGE, &place, self.env, self.grace, cancel)
            .await
            .map_err(|reason| {
                format!("cannot install nfpm, which writes Linux packages: {reason} (hint: check the Go module proxy is reachable, or run `{NFPM_INSTALL}` with GOBIN={})", base.join(NFPM_DIR).display())
            })?;
        Ok(place)
    }

    /// Writes one package from `artifact`, moves it into place and checks it; Err: what
    /// went wrong, the package removed.
    async fn write_one(
        &self,
        nfpm: &Path,
        package: &PlannedLinuxPackage,
        artifact: &Path,
        artifact_sha256: &str,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<Artifact, String> {
        let what = format!("the {} package {}", package.format, package.path);
        let staging = self.dist.join(STAGING_DIR).join(STAGING);
        std::fs::create_dir_all(&staging)
            .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
        let stem = package.path.replace('/', "_");
        let config_path = staging.join(format!("{stem}.nfpm.json"));
        let staged = staging.join(&stem);
        let epoch = self.plan.project.vcs.date_epoch;
        let mtime = format_epoch(epoch);
        let config = NfpmConfig::new(package, artifact, &mtime);
        let json = serde_json::to_vec_pretty(&config)
            .map_err(|e| format!("cannot write the nfpm config of {what}: {e}"))?;
        std::fs::write(&config_path, json)
            .map_err(|e| format!("cannot write {}: {e}", config_path.display()))?;
        self.run_nfpm(nfpm, &config_path, package.format, &staged, cancel)
            .await
            .map_err(|reason| format!("nfpm could not write {what}: {reason}"))?;
        if self.verify_reproducible {
            self.write_again(nfpm, &config_path, package.format, &staged, cancel)
                .await
                .map_err(|reason| format!("{what} is not reproducible: {reason}"))?;
        }
        let file = dist::finalize_artifact(&staged, self.dist, &package.path, epoch)
            .map_err(|e| format!("cannot move {what} into the dist directory: {e}"))?;
        self.verify(package, &file, artifact_sha256, &what)?;
        Ok(file)
    }

    /// Runs nfpm on the config at `config` to write `format` to `target`, in its own process
    /// group with a time limit and `SOURCE_DATE_EPOCH`; Err: how it ended and its last lines.
    async fn run_nfpm(
        &self,
        nfpm: &Path,
        config: &Path,
        format: LinuxPackageFormat,
        target: &Path,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), String> {
        let argv = [
            nfpm.to_string_lossy().into_owned(),
            "package".to_owned(),
            "--config".to_owned(),
            config.to_string_lossy().into_owned(),
            "--packager".to_owned(),
            format.as_str().to_owned(),
            "--target".to_owned(),
            target.to_string_lossy().into_owned(),
        ];
        let mut env = self.env.clone();
        let epoch = self.plan.project.vcs.date_epoch;
        env.insert(env_vars::SOURCE_DATE_EPOCH.to_owned(), epoch.to_string());
        let module_dir = Path::new(&self.plan.project.module_dir);
        let (end, lines) =
            run_collecting(&argv, module_dir, &env, NFPM_TIMEOUT, self.grace, cancel)
                .await
                .map_err(|e| format!("cannot run {}: {e}", nfpm.display()))?;
        if end.success() && target.is_file() {
            return Ok(());
        }
        let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
        Err(format!("{}: {tail}", end.describe()))
    }

    /// `--verify-reproducible`: writes the package a second time, later, and compares the
    /// bytes with `first`, so that a time or an order that leaks into the package shows. The
    /// binary inside is the artifact, whose own second build is compared by `reproduce`.
    async fn write_again(
        &self,
        nfpm: &Path,
        config: &Path,
        format: LinuxPackageFormat,
        first: &Path,
        cancel: &mut watch::Receiver<Cancel>,
    ) -> Result<(), String> {
        let second = first.with_extension("second");
        self.run_nfpm(nfpm, config, format, &second, cancel).await?;
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let (a, b) = (read(first)?, read(&second)?);
        let _ = std::fs::remove_file(&second);
        match a.iter().zip(&b).position(|(x, y)| x != y) {
            None if a.len() == b.len() => Ok(()),
            Some(offset) => Err(format!(
                "a second write differs from the first at offset {offset:#x}"
            )),
            None => Err(format!(
                "a second write is {} bytes long, the first {}",
                b.len(),
                a.len()
            )),
        }
    }

    /// Marks a built target failed because a package of it could not be written; the
    /// binary stays.
    fn fail(&mut self, entry: &mut ManifestTarget, written: &mut Written, message: String) {
        (self.on_event)(Event::Packaging(PackageEvent::PackagingFailed {
            id: entry.id.clone(),
            message: message.clone(),
        }));
        entry.status = Status::Failed;
        entry.failure = Some(Failure {
            kind: FailureKind::Package,
            message: message.clone(),
            hint: Some(
                "the binary itself was built and is in the dist directory; fix the cause and build again"
                    .to_owned(),
            ),
        });
        written.failures.push(PackageFailure {
            id: entry.id.clone(),
            message,
        });
    }

    /// Reads the written package back; a package that is not as planned is removed.
    fn verify(
        &self,
        package: &PlannedLinuxPackage,
        file: &Artifact,
        artifact_sha256: &str,
        what: &str,
    ) -> Result<(), String> {
        let Some(check) = self.check else {
            return Ok(());
        };
        let bytes = std::fs::read(&file.path)
            .map_err(|e| format!("cannot read {} back: {e}", file.path.display()))?;
        let problems = check.check(&bytes, package, artifact_sha256);
        if problems.is_empty() {
            return Ok(());
        }
        let _ = std::fs::remove_file(&file.path);
        Err(format!(
            "{what} is not as planned, so it was removed: {}",
            problems.join("; ")
        ))
    }
}

/// nfpm's config (nfpm.goreleaser.com/configuration), with only what the plan decides.
#[derive(Serialize)]
struct NfpmConfig<'a> {
    name: &'a str,
    arch: &'a str,
    platform: &'static str,
    version: &'a str,
    /// `none`: the plan already spelled the version for the format.
    version_schema: &'static str,
    release: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    maintainer: Option<&'a str>,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<&'a str>,
    depends: &'a [String],
    recommends: &'a [String],
    suggests: &'a [String],
    conflicts: &'a [String],
    provides: &'a [String],
    replaces: &'a [String],
    /// The default mtime of what nfpm adds itself (directories, control files).
    mtime: &'a str,
    contents: Vec<NfpmContent<'a>>,
    /// The same keys as nfpm's `scripts`.
    scripts: &'a PackageScripts,
    /// The format's own architecture field, so that nfpm does not translate the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    deb: Option<NfpmArch<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rpm: Option<NfpmArch<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apk: Option<NfpmArch<'a>>,
}

#[derive(Serialize)]
struct NfpmArch<'a> {
    arch: &'a str,
}

#[derive(Serialize)]
struct NfpmContent<'a> {
    src: &'a str,
    dst: &'a str,
    #[serde(rename = "type", skip_serializing_if = "str::is_empty")]
    kind: &'static str,
    file_info: NfpmFileInfo<'a>,
}

/// Fixed owners and times: nothing of the building machine leaks into the package.
#[derive(Serialize)]
struct NfpmFileInfo<'a> {
    mode: u32,
    owner: &'static str,
    group: &'static str,
    mtime: &'a str,
}

impl<'a> NfpmConfig<'a> {
    fn new(package: &'a PlannedLinuxPackage, artifact: &'a Path, mtime: &'a str) -> NfpmConfig<'a> {
        let file_info = |mode| NfpmFileInfo {
            mode,
            owner: "root",
            group: "root",
            mtime,
        };
        let binary = NfpmContent {
            src: artifact.to_str().unwrap_or_default(),
            dst: &package.binary_destination,
            kind: "",
            file_info: file_info(BINARY_MODE),
        };
        let mut contents: Vec<NfpmContent<'a>> = std::iter::once(binary)
            .chain(package.contents.iter().map(|file| NfpmContent {
                src: &file.source,
                dst: &file.destination,
                kind: nfpm_type(package.format, file.kind),
                file_info: file_info(file.mode),
            }))
            .collect();
        contents.sort_by(|a, b| a.dst.cmp(b.dst));
        let metadata = &package.metadata;
        let relations = &package.relations;
        let own_arch = |format| {
            (package.format == format).then_some(NfpmArch {
                arch: &package.arch,
            })
        };
        NfpmConfig {
            name: &package.name,
            arch: &package.arch,
            platform: "linux",
            version: &package.version,
            version_schema: "none",
            release: &package.release,
            maintainer: metadata.maintainer.as_deref(),
            description: &metadata.description,
            homepage: metadata.homepage.as_deref(),
            license: metadata.license.as_deref(),
            vendor: metadata.vendor.as_deref(),
            section: metadata.section.as_deref(),
            priority: metadata.priority.as_deref(),
            depends: &relations.depends,
            recommends: &relations.recommends,
            suggests: &relations.suggests,
            conflicts: &relations.conflicts,
            provides: &relations.provides,
            replaces: &relations.replaces,
            mtime,
            contents,
            scripts: &package.scripts,
            deb: own_arch(LinuxPackageFormat::Deb),
            rpm: own_arch(LinuxPackageFormat::Rpm),
            apk: own_arch(LinuxPackageFormat::Apk),
        }
    }
}

/// nfpm's `type` for a content kind in `format` (empty: an ordinary file). `doc`, `license`
/// and `readme` mean something to rpm only, and nfpm's deb and apk packagers leave files of
/// those types out altogether, so there they are ordinary files.
fn nfpm_type(format: LinuxPackageFormat, kind: PackageFileKind) -> &'static str {
    match (kind, format) {
        (PackageFileKind::File, _) => "",
        (PackageFileKind::Config, _) => "config",
        (PackageFileKind::ConfigNoReplace, _) => "config|noreplace",
        (_, LinuxPackageFormat::Deb | LinuxPackageFormat::Apk) => "",
        (PackageFileKind::Doc, LinuxPackageFormat::Rpm) => "doc",
        (PackageFileKind::License, LinuxPackageFormat::Rpm) => "license",
        (PackageFileKind::Readme, LinuxPackageFormat::Rpm) => "readme",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::{PackageMetadata, PlannedPackageFile};

    #[test]
    fn config_names_the_format_arch_and_sorts_files_with_fixed_owners() {
        let package = PlannedLinuxPackage {
            format: LinuxPackageFormat::Rpm,
            path: "hello-1.2.0~rc.1-1.armv7hl.rpm".to_owned(),
            name: "hello".to_owned(),
            version: "1.2.0~rc.1".to_owned(),
            release: "1".to_owned(),
            arch: "armv7hl".to_owned(),
            binary_destination: "/usr/bin/hello".to_owned(),
            metadata: PackageMetadata {
                license: Some("MIT".to_owned()),
                description: "hello".to_owned(),
                ..PackageMetadata::default()
            },
            relations: Default::default(),
            contents: vec![PlannedPackageFile {
                source: "/m/hello.conf".to_owned(),
                destination: "/etc/hello.conf".to_owned(),
                mode: 0o640,
                kind: PackageFileKind::ConfigNoReplace,
            }],
            scripts: Default::default(),
        };
        let config = NfpmConfig::new(&package, Path::new("/d/hello"), "2023-11-14T22:13:20Z");
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["version_schema"], "none");
        assert_eq!(json["rpm"]["arch"], "armv7hl");
        assert!(json.get("deb").is_none());
        assert_eq!(json["contents"][0]["dst"], "/etc/hello.conf");
        assert_eq!(json["contents"][0]["type"], "config|noreplace");
        assert_eq!(json["contents"][0]["file_info"]["mode"], 0o640);
        assert_eq!(json["contents"][1]["dst"], "/usr/bin/hello");
        assert_eq!(json["contents"][1]["file_info"]["mode"], 0o755);
        assert_eq!(json["contents"][1]["file_info"]["owner"], "root");
        assert!(json["contents"][1].get("type").is_none());
    }
}
