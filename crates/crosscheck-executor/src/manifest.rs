//! The manifest record of a run ([`record`]): what the executor knows about each target, in
//! the shape of `dist/manifest.json` (`crosscheck_schema::Manifest`).

use crosscheck_planner::Plan;
use crosscheck_schema::{
    CodeSigned, MANIFEST_SCHEMA_VERSION, Manifest, ManifestProject, ManifestTarget,
    ManifestVariant, dist, duration_ms,
};

use crate::event::TargetResult;
use crate::prepare::PreparedTarget;

/// The manifest of a finished run.
///
/// `results` holds one entry per planned target, in plan order; `interrupted` starts
/// false and is the caller's to set.
pub fn record(plan: &Plan, prepared: &[PreparedTarget], results: &[TargetResult]) -> Manifest {
    let targets = plan
        .targets
        .iter()
        .zip(prepared)
        .zip(results)
        .map(|((planned, prepared), result)| ManifestTarget {
            id: planned.id.to_string(),
            binary: planned.id.binary.clone(),
            goos: planned.goos.clone(),
            goarch: planned.goarch.clone(),
            variant: planned.variant.as_ref().map(|v| ManifestVariant {
                var: v.var.clone(),
                value: v.value.clone(),
            }),
            cgo: planned.cgo,
            libc: planned.libc.clone(),
            go_version: planned
                .go
                .as_ref()
                .map_or_else(|| plan.go.version.clone(), |go| go.toolchain.clone()),
            path: planned.output.clone(),
            size: result.artifact.as_ref().map(|a| a.size),
            sha256: result.artifact.as_ref().map(|a| a.sha256.clone()),
            status: result.status,
            duration_ms: duration_ms(result.duration),
            commands: prepared.commands.clone(),
            cwd: prepared.cwd.to_string_lossy().into_owned(),
            env: crate::env::redact(&prepared.env),
            c_compiler: prepared.c_compiler.clone(),
            log: result
                .log
                .as_ref()
                .map(|_| format!("{}/{}.log", dist::LOGS_DIR, planned.slug)),
            failure: result.failure.clone(),
            inspection: result.inspection.clone(),
            reproducible: result.reproducible.clone(),
            smoke: result.smoke.clone(),
            archive: None,
            universal_inputs: None,
            sbom: None,
            packages: Vec::new(),
            // A signing failure takes the artifact out of the result: what is left was signed.
            signed: result
                .artifact
                .as_ref()
                .and(planned.sign.as_ref())
                .map(CodeSigned::from),
        })
        .collect();
    Manifest {
        schema_version: MANIFEST_SCHEMA_VERSION,
        crosscheck_version: plan.crosscheck_version.clone(),
        go_version: plan.go.version.clone(),
        go_command: plan.go.command.clone(),
        matrix_file: plan.matrix_file.clone(),
        project: ManifestProject {
            name: plan.project.name.clone(),
            main: plan.project.main.clone(),
            version: plan.project.vcs.version.clone(),
            commit: plan.project.vcs.commit.clone(),
            date: plan.project.vcs.date.clone(),
            date_epoch: plan.project.vcs.date_epoch,
        },
        interrupted: false,
        shard: plan.selection.shard.map(|shard| shard.to_string()),
        merged_from: Vec::new(),
        checksum_signatures: Vec::new(),
        targets,
    }
}
