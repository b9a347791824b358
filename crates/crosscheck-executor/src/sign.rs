//! `[sign]` for one artifact: after its `after_build` hooks, before it is inspected and
//! hashed, the plan's signing tool (osslsigncode for PE, rcodesign for Mach-O) signs it.
//!
//! The tool reads the artifact in dist and writes the signed copy to the staging
//! directory; [`dist::finalize_artifact`] renames it over the artifact only when the tool
//! succeeded, so Ctrl-C or a timeout never leaves a half-signed file. The tool runs like a
//! build's command ([`run_command`]: its own process group, the constructed environment,
//! `--timeout`, Ctrl-C). Secrets come from the environment variables the plan names, read
//! here and nowhere else: the key file's path goes on the command line, its password into
//! a file of a private temporary directory (mode 0600) that the tool reads
//! (`-readpass`, `--p12-password-file`) and that is removed when the tool ends. Whatever the
//! tool prints is searched for the password before it reaches a log.

use std::path::{Path, PathBuf};

use crosscheck_schema::{
    CodeIdentity, Failure, FailureKind, PlannedCodeSign, STAGING_DIR, SignTool, dist,
};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::env::REDACTED;
use crate::hooks::HookSink;
use crate::prepare::display_command;
use crate::process::{Cancel, Stop, run_command};
use crate::runner::format_duration;

/// Where the signed copies are written before they replace the artifacts.
const SIGN_STAGING: &str = "sign";

/// What signing one artifact needs from the run.
pub(crate) struct SignJob<'a> {
    /// The dist directory.
    pub dist: &'a Path,
    /// The artifact's path relative to dist.
    pub relative: &'a str,
    /// The release date, the signed file's mtime like every artifact's.
    pub epoch: i64,
    /// Where the tool runs.
    pub cwd: &'a Path,
    /// The constructed environment (never the caller's whole one: the secrets' variables
    /// are read here, not passed on).
    pub env: &'a std::collections::BTreeMap<String, String>,
    /// `--timeout`.
    pub timeout: Option<std::time::Duration>,
    /// How long SIGTERM waits before SIGKILL.
    pub grace: std::time::Duration,
}

/// How signing one artifact ended.
pub(crate) enum SignEnd {
    /// Signed and moved into place: the artifact as it now is.
    Signed(dist::Artifact),
    /// Ctrl-C stopped the tool; the artifact is as it was.
    Cancelled,
    /// It could not be signed; the artifact is as it was.
    Failed(Failure),
}

/// Signs the artifact `job.relative` as `planned` says.
pub(crate) async fn sign_artifact<S: HookSink>(
    job: &SignJob<'_>,
    planned: &PlannedCodeSign,
    cancel: &mut watch::Receiver<Cancel>,
    sink: &mut S,
) -> SignEnd {
    let secrets = match Secrets::read(&planned.identity) {
        Ok(secrets) => secrets,
        Err(failure) => return SignEnd::Failed(failure),
    };
    let artifact = job.dist.join(job.relative);
    let signed = job
        .dist
        .join(STAGING_DIR)
        .join(SIGN_STAGING)
        .join(job.relative);
    if let Some(parent) = signed.parent()
        && let Err(error) = std::fs::create_dir_all(parent)
    {
        return SignEnd::Failed(io_failure("cannot create the signing directory", &error));
    }
    // Some tools refuse to overwrite; an earlier run's leftover must not be mistaken for
    // this run's output either.
    let _ = std::fs::remove_file(&signed);
    let argv = command(planned, &secrets, &artifact, &signed);
    sink.note(&format!("$ {}", display_command(&argv)));
    let started = Instant::now();
    let mut lines = Vec::new();
    let end = run_command(
        &argv,
        job.cwd,
        job.env,
        job.timeout.map(|timeout| started + timeout),
        job.grace,
        cancel,
        &mut |line| lines.push(secrets.redact(line)),
    )
    .await;
    drop(secrets);
    for line in lines {
        sink.line(line);
    }
    let how = match end {
        Err(error) => format!("cannot start {}: {error}", planned.tool.program()),
        Ok(end) if end.stopped == Some(Stop::Cancelled) => {
            let _ = std::fs::remove_file(&signed);
            return SignEnd::Cancelled;
        }
        Ok(end) if end.stopped == Some(Stop::Timeout) => format!(
            "timed out after {}",
            format_duration(job.timeout.unwrap_or_default())
        ),
        Ok(end) if end.success() => {
            sink.note(&format!("# signed after {:.2?}", started.elapsed()));
            return match dist::finalize_artifact(&signed, job.dist, job.relative, job.epoch) {
                Ok(artifact) => SignEnd::Signed(artifact),
                Err(error) => {
                    SignEnd::Failed(io_failure("cannot move the signed file into place", &error))
                }
            };
        }
        Ok(end) => end.describe(),
    };
    let _ = std::fs::remove_file(&signed);
    sink.note(&format!("# signing failed: {how}"));
    SignEnd::Failed(tool_failure(planned.tool, &how))
}

/// The tool's argv. The password is never in it: only the path of the file holding it.
fn command(
    planned: &PlannedCodeSign,
    secrets: &Secrets,
    input: &Path,
    output: &Path,
) -> Vec<String> {
    let path = |path: &Path| path.to_string_lossy().into_owned();
    let mut argv = vec![planned.tool.program().to_owned()];
    match planned.tool {
        SignTool::Osslsigncode => {
            argv.push("sign".to_owned());
            if let Some(key) = &secrets.key {
                argv.extend(["-pkcs12".to_owned(), path(&key.pkcs12)]);
                argv.extend(["-readpass".to_owned(), path(&key.password_file)]);
            }
            argv.extend(["-h", "sha256"].map(str::to_owned));
            if let Some(url) = &planned.timestamp_url {
                argv.extend(["-ts".to_owned(), url.clone()]);
            }
            argv.extend(["-in".to_owned(), path(input)]);
            argv.extend(["-out".to_owned(), path(output)]);
        }
        // The plan gives gpg only `SHA256SUMS` (release stage), but its detached signature
        // of `input` is the same idea.
        SignTool::Gpg => {
            argv.extend(["--batch", "--detach-sign", "--output"].map(str::to_owned));
            argv.extend([path(output), path(input)]);
        }
        SignTool::Rcodesign => {
            argv.push("sign".to_owned());
            if let Some(key) = &secrets.key {
                argv.extend(["--p12-file".to_owned(), path(&key.pkcs12)]);
                argv.extend(["--p12-password-file".to_owned(), path(&key.password_file)]);
                // rcodesign asks Apple's server unless told otherwise.
                let url = planned.timestamp_url.as_deref().unwrap_or("none");
                argv.extend(["--timestamp-url".to_owned(), url.to_owned()]);
            }
            argv.extend([path(input), path(output)]);
        }
    }
    argv
}

/// The key of a PKCS#12 identity, read from the environment for one signing.
struct Secrets {
    key: Option<Pkcs12Key>,
    /// The password, to search the tool's output for.
    password: Option<String>,
}

struct Pkcs12Key {
    pkcs12: PathBuf,
    password_file: PathBuf,
    /// Removed (with the password file) when the signing ends.
    _dir: tempfile::TempDir,
}

impl Secrets {
    fn read(identity: &CodeIdentity) -> Result<Secrets, Failure> {
        let CodeIdentity::Pkcs12 {
            pkcs12_env,
            password_env,
        } = identity
        else {
            return Ok(Secrets {
                key: None,
                password: None,
            });
        };
        let pkcs12 = PathBuf::from(required_var(pkcs12_env)?);
        if !pkcs12.is_file() {
            return Err(sign_failure(
                format!(
                    "{pkcs12_env} names {}, which is not a file",
                    pkcs12.display()
                ),
                "set it to the path of the PKCS#12 (.p12, .pfx) file",
            ));
        }
        let password = required_var(password_env)?;
        // A directory of our own (0700 on unix) holding a file only we can read.
        let dir = tempfile::Builder::new()
            .prefix("crosscheck-sign-")
            .tempdir()
            .map_err(|error| io_failure("cannot create a private temporary directory", &error))?;
        let password_file = dir.path().join("password");
        write_private(&password_file, &password)
            .map_err(|error| io_failure("cannot write the password file", &error))?;
        Ok(Secrets {
            key: Some(Pkcs12Key {
                pkcs12,
                password_file,
                _dir: dir,
            }),
            password: Some(password),
        })
    }

    /// `line` with the password replaced, should a tool ever echo it.
    fn redact(&self, line: String) -> String {
        match &self.password {
            Some(password) if !password.is_empty() && line.contains(password.as_str()) => {
                line.replace(password.as_str(), REDACTED)
            }
            _ => line,
        }
    }
}

/// The value of a variable `[sign]` names; unset or empty is a failure naming it (never
/// its value).
pub(crate) fn required_var(name: &str) -> Result<String, Failure> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(sign_failure(
            format!("{name} is not set"),
            "[sign] in matrix.toml names it; set it in the environment of `crosscheck build`",
        )),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

fn sign_failure(message: String, hint: &str) -> Failure {
    Failure {
        kind: FailureKind::Sign,
        message,
        hint: Some(hint.to_owned()),
    }
}

fn io_failure(what: &str, error: &std::io::Error) -> Failure {
    Failure {
        kind: FailureKind::Sign,
        message: format!("{what}: {error}"),
        hint: None,
    }
}

/// The tool failed: how. Its last lines, which say why (a wrong password, a bad
/// certificate), are the target's output tail, shown with the failure.
fn tool_failure(tool: SignTool, how: &str) -> Failure {
    Failure {
        kind: FailureKind::Sign,
        message: format!("{} failed: {how}", tool.program()),
        hint: Some(match how.starts_with("cannot start") {
            true => tool.install_hint().to_owned(),
            false => "the artifact stays in dist unsigned but is not recorded, inspected or summed"
                .to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(tool: SignTool, identity: CodeIdentity) -> PlannedCodeSign {
        PlannedCodeSign {
            tool,
            identity,
            timestamp_url: None,
        }
    }

    #[test]
    fn the_password_is_passed_as_a_file_never_as_a_word() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Secrets {
            key: Some(Pkcs12Key {
                pkcs12: PathBuf::from("/keys/code.p12"),
                password_file: PathBuf::from("/private/password"),
                _dir: dir,
            }),
            password: Some("s3cret".to_owned()),
        };
        let identity = CodeIdentity::Pkcs12 {
            pkcs12_env: "P12".to_owned(),
            password_env: "PASS".to_owned(),
        };
        let windows = command(
            &planned(SignTool::Osslsigncode, identity.clone()),
            &secrets,
            Path::new("a.exe"),
            Path::new("b.exe"),
        );
        assert_eq!(
            windows.join(" "),
            "osslsigncode sign -pkcs12 /keys/code.p12 -readpass /private/password -h sha256 -in a.exe -out b.exe"
        );
        let macos = command(
            &planned(SignTool::Rcodesign, identity),
            &secrets,
            Path::new("a"),
            Path::new("b"),
        );
        assert_eq!(
            macos.join(" "),
            "rcodesign sign --p12-file /keys/code.p12 --p12-password-file /private/password --timestamp-url none a b"
        );
        assert_eq!(
            secrets.redact("bad password s3cret".to_owned()),
            "bad password [redacted]"
        );
    }

    #[test]
    fn ad_hoc_needs_no_key() {
        let secrets = Secrets::read(&CodeIdentity::Adhoc).unwrap();
        let argv = command(
            &planned(SignTool::Rcodesign, CodeIdentity::Adhoc),
            &secrets,
            Path::new("a"),
            Path::new("b"),
        );
        assert_eq!(argv, ["rcodesign", "sign", "a", "b"]);
    }
}
