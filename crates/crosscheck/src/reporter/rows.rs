//! One flat row per target: what the step summary, `report --format markdown|json` and the
//! HTML page show. Rows are made one way, from a manifest record ([`Manifest`]): the one a
//! run just made ([`RunSummary::manifest`], written or not) or a `dist/manifest.json` read
//! back later. The renderers never look at the executor's types, so a live run and the
//! manifest it wrote look the same.

use std::collections::HashMap;
use std::path::Path;

use crosscheck_executor::{RunSummary, format_duration};

use crosscheck_schema::{Manifest, SmokeResult, Status, Verdict};
use crosscheck_schema::{ManifestTarget, dist};
use serde::Serialize;

use super::grid;
use super::inspection::inspection_facts;
use super::messages::compiler;
use super::words::{Verb, human_size, push_counts, status_word, unit_word};

/// The whole report: where it came from and one row per target, in plan order.
#[derive(Debug, Clone, Serialize)]
pub struct Rows {
    /// What ran: `build` or `check`.
    pub command: Verb,
    /// The binary name.
    pub project: String,
    /// `{version}` of the project, when not empty.
    pub version: Option<String>,
    /// The Go toolchain that built, e.g. `go1.26.8`.
    pub go_version: String,
    /// Whether Ctrl-C or SIGTERM stopped the run.
    pub interrupted: bool,
    /// The targets.
    pub targets: Vec<Row>,
}

/// One target.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The target id, e.g. `linux/arm64+cgo.musl`.
    pub id: String,
    /// GOOS.
    pub goos: String,
    /// GOARCH.
    pub goarch: String,
    /// What tells it apart from others of the same os/arch (`v7`, `+cgo.musl`).
    pub qualifier: Option<String>,
    /// How it ended.
    pub status: Status,
    /// The inspector's verdict on the artifact (built targets only).
    pub verdict: Option<Verdict>,
    /// Why the artifact breaks its target or policy, one line each.
    pub violations: Vec<String>,
    /// Artifact size in bytes.
    pub size: Option<u64>,
    /// How the artifact links, as inspected (`static`, `kernel32.dll`, ...).
    pub linkage: Option<String>,
    /// The Go version recorded in the artifact.
    pub go_version: Option<String>,
    /// Build time in milliseconds.
    pub duration_ms: u64,
    /// The artifact path, relative to the dist directory.
    pub path: String,
    /// SHA-256 of the artifact.
    pub sha256: Option<String>,
    /// The exact command lines.
    pub commands: Vec<Vec<String>>,
    /// The C compiler of a cgo target, as `CC (how it was found)`.
    pub c_compiler: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
    /// What to do about the failure.
    pub hint: Option<String>,
    /// The log file, as recorded.
    pub log: Option<String>,
    /// The last lines the build printed (from the log when it still exists).
    pub log_tail: Vec<String>,
    /// The files packaged from the artifact (archive, SBOM, Linux packages), from the
    /// manifest.
    pub files: Vec<ReleaseFile>,
    /// The inspection's facts, one `key: value` line each (docs/inspect.md), when
    /// inspected.
    #[serde(skip)]
    pub inspection: Option<Vec<String>>,
    /// The smoke run (`build --smoke`): `passed`, `failed (<reason>)`, `not run (<reason>)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smoke: Option<String>,
    /// The last lines the smoke run printed.
    #[serde(skip)]
    pub smoke_output: Vec<String>,
}

/// A file the packaging phase wrote for a target.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseFile {
    /// `archive`, `sbom`, or a Linux package's format (`deb`, `rpm`, `apk`).
    pub kind: &'static str,
    /// Path relative to the dist directory.
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// How many log lines a report shows.
pub const LOG_TAIL: usize = 20;

impl Row {
    fn new(target: &ManifestTarget, log_tail: Vec<String>) -> Row {
        let facts = target.inspection.as_ref().map(inspection_facts);
        let inspection = target.inspection.as_ref();
        Row {
            id: target.id.clone(),
            goos: target.goos.clone(),
            goarch: target.goarch.clone(),
            qualifier: qualifier(&target.id, &target.goos, &target.goarch),
            status: target.status,
            verdict: inspection.map(|i| i.verdict),
            violations: inspection.map(|i| i.problems.clone()).unwrap_or_default(),
            size: target.size,
            linkage: facts.as_ref().and_then(|f| f.linkage.clone()),
            go_version: facts.as_ref().and_then(|f| f.go_version.clone()),
            duration_ms: target.duration_ms,
            path: target.path.clone(),
            sha256: target.sha256.clone(),
            commands: target.commands.clone(),
            c_compiler: target.c_compiler.as_ref().map(compiler),
            failure: target.failure.as_ref().map(|f| f.message.clone()),
            hint: target.failure.as_ref().and_then(|f| f.hint.clone()),
            log: target.log.clone(),
            log_tail,
            files: [("archive", &target.archive), ("sbom", &target.sbom)]
                .into_iter()
                .filter_map(|(kind, file)| {
                    file.as_ref().map(|file| ReleaseFile {
                        kind,
                        path: file.path.clone(),
                        sha256: file.sha256.clone(),
                    })
                })
                .chain(target.packages.iter().map(|package| ReleaseFile {
                    kind: package.format.as_str(),
                    path: package.path.clone(),
                    sha256: package.sha256.clone(),
                }))
                .collect(),
            inspection: facts.map(|f| f.details),
            smoke: target.smoke.as_ref().map(SmokeResult::summary),
            smoke_output: target
                .smoke
                .as_ref()
                .map(|s| s.output.clone())
                .unwrap_or_default(),
        }
    }

    /// `built`, `checked`, `FAILED`, `skipped`, `cancelled`; `VIOLATES POLICY` for a built
    /// artifact that failed inspection.
    pub fn status_word(&self) -> &'static str {
        match self.status {
            Status::Built | Status::Checked if self.verdict == Some(Verdict::Fail) => {
                "VIOLATES POLICY"
            }
            status => status_word(status),
        }
    }

    /// Whether this row counts as a problem in CI: a failed build or a policy violation.
    pub fn is_problem(&self) -> bool {
        self.status == Status::Failed || self.verdict == Some(Verdict::Fail)
    }

    /// `2.1 MiB`, or empty.
    pub fn size_text(&self) -> String {
        self.size.map(human_size).unwrap_or_default()
    }

    /// `1.2s`.
    pub fn duration_text(&self) -> String {
        if self.status == Status::Skipped {
            return String::new();
        }
        format_duration(std::time::Duration::from_millis(self.duration_ms))
    }
}

impl Rows {
    /// The rows of a run that just finished, from the manifest record it carries (packaged
    /// files and universal binaries included). The log tails are the output the run kept:
    /// `check` writes no logs, and a build's log opens with crosscheck's own header lines.
    pub fn from_run(summary: &RunSummary, verb: Verb) -> Rows {
        let tails: HashMap<&str, &[String]> = summary
            .results
            .iter()
            .map(|result| (result.id.as_str(), result.output_tail.as_slice()))
            .collect();
        Rows::new(&summary.manifest, verb, |target| {
            tails
                .get(target.id.as_str())
                .map(|lines| tail(lines))
                .unwrap_or_default()
        })
    }

    /// The rows of a manifest in `dist`; log tails are read from `dist/logs/` when the
    /// files are still there.
    pub fn from_manifest(manifest: &Manifest, dist: &Path) -> Rows {
        Rows::new(manifest, Verb::Build, |target| {
            target
                .log
                .as_ref()
                // A report of a manifest someone handed over must not embed `/etc/passwd`.
                .filter(|log| dist::stays_inside(log))
                .map(|log| read_tail(&dist.join(log)))
                .unwrap_or_default()
        })
    }

    /// The one way rows are made: one per manifest entry, in its order, with `log_tail`'s
    /// lines for each.
    fn new(
        manifest: &Manifest,
        verb: Verb,
        log_tail: impl Fn(&ManifestTarget) -> Vec<String>,
    ) -> Rows {
        Rows {
            command: verb,
            project: manifest.project.name.clone(),
            version: Some(manifest.project.version.clone()).filter(|v| !v.is_empty()),
            go_version: manifest.go_version.clone(),
            interrupted: manifest.interrupted,
            targets: manifest
                .targets
                .iter()
                .map(|target| Row::new(target, log_tail(target)))
                .collect(),
        }
    }

    /// How many rows have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.targets.iter().filter(|r| r.status == status).count()
    }

    /// How many built artifacts fail inspection.
    pub fn violating(&self) -> usize {
        self.targets
            .iter()
            .filter(|r| r.verdict == Some(Verdict::Fail))
            .count()
    }

    /// `built 2 of 3 targets, 1 failed, 1 violates policy`.
    pub fn headline(&self) -> String {
        let done = self.count(Status::Built) + self.count(Status::Checked);
        let unit = unit_word(self.targets.iter().map(|r| r.id.as_str()));
        let mut line = format!(
            "{} {done} of {} {unit}s",
            self.command.done_word(),
            self.targets.len()
        );
        push_counts(
            &mut line,
            &[
                (self.count(Status::Failed), "failed"),
                (self.count(Status::Cancelled), "cancelled"),
                (self.count(Status::Skipped), "skipped"),
                (self.violating(), "violate policy"),
            ],
        );
        if self.interrupted {
            line.push_str(" (interrupted)");
        }
        line
    }

    /// GOOS values and GOARCH values in first-seen order: the grid's rows and columns.
    pub fn axes(&self) -> (Vec<&str>, Vec<&str>) {
        grid::axes(
            self.targets
                .iter()
                .map(|row| (row.goos.as_str(), row.goarch.as_str())),
        )
    }

    /// The rows of one grid cell.
    pub fn cell<'a>(&'a self, goos: &'a str, goarch: &'a str) -> impl Iterator<Item = &'a Row> {
        self.targets
            .iter()
            .filter(move |r| r.goos == goos && r.goarch == goarch)
    }
}

/// What tells the builds of one grid cell apart: the binary (`server:`, when the project
/// has several) and what follows `goos/goarch` in the id, the variant and the cgo/libc
/// suffix.
pub(crate) fn qualifier(id: &str, goos: &str, goarch: &str) -> Option<String> {
    let (binary, id) = match id.split_once(':') {
        Some((binary, platform)) => (format!("{binary}:"), platform),
        None => (String::new(), id),
    };
    let rest = id
        .strip_prefix(goos)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(goarch))
        .unwrap_or_default();
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let label = format!("{binary}{rest}");
    (!label.is_empty()).then_some(label)
}

fn tail(lines: &[String]) -> Vec<String> {
    lines[lines.len().saturating_sub(LOG_TAIL)..].to_vec()
}

/// The last lines of a log; nothing when it is gone or unreadable (a report of an old dist
/// is still worth having without them).
fn read_tail(path: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    tail(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_outside_dist_are_not_read() {
        assert!(dist::stays_inside("logs/linux_amd64.log"));
        assert!(!dist::stays_inside("../secret"));
        assert!(!dist::stays_inside("/etc/passwd"));
        assert!(!dist::stays_inside("logs/../../x"));
    }

    #[test]
    fn qualifiers_are_what_follows_os_and_arch() {
        assert_eq!(qualifier("linux/amd64", "linux", "amd64"), None);
        assert_eq!(
            qualifier("linux/arm/v7", "linux", "arm"),
            Some("v7".to_owned())
        );
        assert_eq!(
            qualifier("linux/arm64+cgo.musl", "linux", "arm64"),
            Some("+cgo.musl".to_owned())
        );
        assert_eq!(
            qualifier("server:linux/arm/v7", "linux", "arm"),
            Some("server:v7".to_owned())
        );
        assert_eq!(
            qualifier("client:linux/amd64", "linux", "amd64"),
            Some("client:".to_owned())
        );
    }
}
