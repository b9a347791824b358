//! Whether this machine can sign what the plan says to (`[sign]`): the tools on PATH and the
//! environment variables that name the keys. `plan` warns about what is missing (a plan in
//! CI without secrets is fine), `build` and `merge` refuse to start without it (no compile
//! runs only to fail at the signing step), `doctor` lists it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crosscheck_planner::Plan;
use crosscheck_schema::{CodeIdentity, PlannedCodeSign, SignTool};

use crate::errors::CliError;

/// A signing tool the plan needs, and where it was found.
pub(crate) struct NeededTool {
    pub tool: SignTool,
    pub found: Option<PathBuf>,
}

/// The external signing tools the selected targets and the checksums need, each looked up
/// on PATH.
pub(crate) fn needed_tools(plan: &Plan) -> Vec<NeededTool> {
    let mut tools: BTreeSet<&'static str> = BTreeSet::new();
    let mut needed = Vec::new();
    let from_targets = plan
        .targets
        .iter()
        .filter_map(|t| t.sign.as_ref())
        .map(|s| s.tool);
    let for_checksums = plan
        .sign
        .iter()
        .filter(|s| s.gpg.is_some())
        .map(|_| SignTool::Gpg);
    for tool in from_targets.chain(for_checksums) {
        if tools.insert(tool.program()) {
            needed.push(NeededTool {
                tool,
                found: which::which(tool.program()).ok(),
            });
        }
    }
    needed
}

/// What keeps this machine from signing as planned: each missing tool and each unset
/// variable (or one naming no file), as a sentence with its fix. Never a variable's value.
pub(crate) fn problems(plan: &Plan) -> Vec<String> {
    let mut problems: Vec<String> = needed_tools(plan)
        .into_iter()
        .filter(|needed| needed.found.is_none())
        .map(|needed| {
            format!(
                "{} is not on PATH (hint: {})",
                needed.tool.program(),
                needed.tool.install_hint()
            )
        })
        .collect();
    let mut seen = BTreeSet::new();
    for (name, what, is_file) in needed_vars(plan) {
        if !seen.insert(name) {
            continue;
        }
        match std::env::var_os(name) {
            Some(value) if !value.is_empty() => {
                if is_file && !PathBuf::from(&value).is_file() {
                    problems.push(format!(
                        "{name} names {}, which is not a file (hint: it should hold the path of {what})",
                        PathBuf::from(value).display()
                    ));
                }
            }
            _ => problems.push(format!(
                "{name} is not set (hint: [sign] in matrix.toml names it for {what})"
            )),
        }
    }
    problems
}

/// The variables signing reads for the selected targets and the checksums: name, what it
/// holds, whether that is a file's path.
fn needed_vars(plan: &Plan) -> Vec<(&str, &'static str, bool)> {
    let mut vars = Vec::new();
    if let Some(minisign) = plan.sign.as_ref().and_then(|s| s.minisign.as_ref()) {
        vars.push((
            minisign.key_env.as_str(),
            "the minisign secret key file",
            true,
        ));
        if let Some(password) = &minisign.password_env {
            vars.push((password.as_str(), "the minisign key's password", false));
        }
    }
    let signing = plan.targets.iter().filter_map(|t| t.sign.as_ref());
    for PlannedCodeSign { identity, tool, .. } in signing {
        if let CodeIdentity::Pkcs12 {
            pkcs12_env,
            password_env,
        } = identity
        {
            let what = match tool {
                SignTool::Osslsigncode => "the windows PKCS#12 file",
                _ => "the macOS PKCS#12 file",
            };
            vars.push((pkcs12_env.as_str(), what, true));
            vars.push((password_env.as_str(), "the PKCS#12 file's password", false));
        }
    }
    vars
}

/// `build`: everything signing needs is here, or an error listing what is not.
pub(crate) fn ready(plan: &Plan) -> Result<(), CliError> {
    let problems = problems(plan);
    match problems.is_empty() {
        true => Ok(()),
        false => Err(CliError::SigningNotReady(problems)),
    }
}

/// `merge`: what signing the merged `SHA256SUMS` needs is here (the binaries were signed by
/// the shard jobs).
pub(crate) fn ready_for_checksums(plan: &Plan) -> Result<(), CliError> {
    let checksums_only = Plan {
        targets: Vec::new(),
        ..plan.clone()
    };
    ready(&checksums_only)
}

/// `plan`'s one line about signing: how many binaries each tool signs, with what, and the
/// checksum signatures; `None` without `[sign]`.
pub(crate) fn summary(plan: &Plan) -> Option<String> {
    let signing = plan.sign.as_ref()?;
    let mut parts = Vec::new();
    for tool in [SignTool::Osslsigncode, SignTool::Rcodesign] {
        let mut signed = plan
            .targets
            .iter()
            .filter_map(|t| t.sign.as_ref())
            .filter(|s| s.tool == tool);
        let Some(first) = signed.clone().next() else {
            continue;
        };
        let with = match &first.identity {
            CodeIdentity::Adhoc => "ad-hoc".to_owned(),
            CodeIdentity::Pkcs12 { pkcs12_env, .. } => format!("${pkcs12_env}"),
        };
        let count = signed.by_ref().count();
        let noun = if count == 1 { "binary" } else { "binaries" };
        parts.push(format!("{count} {noun} with {} ({with})", tool.program()));
    }
    if let Some(minisign) = &signing.minisign {
        parts.push(format!("SHA256SUMS.minisig (${})", minisign.key_env));
    }
    if let Some(gpg) = &signing.gpg {
        parts.push(format!("SHA256SUMS.asc (gpg {})", gpg.local_user));
    }
    Some(parts.join(", "))
}

/// `doctor`'s lines: each signing tool the plan needs and where it is, then what else
/// signing lacks; empty without `[sign]`.
pub(crate) fn doctor_lines(plan: &Plan) -> String {
    let mut out = String::new();
    for needed in needed_tools(plan) {
        let program = needed.tool.program();
        out.push_str(&match needed.found {
            Some(path) => format!("signing   {program} at {}\n", path.display()),
            None => format!(
                "signing   {program} not found ({})\n",
                needed.tool.install_hint()
            ),
        });
    }
    for problem in problems(plan) {
        if !problem.contains("is not on PATH") {
            out.push_str(&format!("signing   {problem}\n"));
        }
    }
    out
}
