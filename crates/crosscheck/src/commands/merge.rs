//! `crosscheck merge`: one verified dist directory from the dist directories of CI shard
//! jobs. The checks and file work are in [`mod@crosscheck_release::merge`]; this file plans the
//! selection the way `build` does and shows the result.

use std::collections::BTreeMap;

use crosscheck_release::{MergeRequest, MergeSummary};
use crosscheck_schema::{LockPolicy, Status};

use crate::cli::{MergeArgs, MergeFormat};
use crate::errors::CliError;
use crate::load::load_plan;
use crate::printer::Printer;
use crate::reporter::human_size;
use crate::table::Table;

pub fn run(args: &MergeArgs, printer: &Printer) -> Result<(), CliError> {
    if let Some(shard) = &args.selection.shard {
        return Err(CliError::Usage(format!(
            "merge combines every shard, so --shard {shard} makes no sense here (hint: give merge the shard jobs' --matrix, --target and --exclude, without --shard)"
        )));
    }
    let loaded = load_plan(&args.selection, printer)?;
    let plan = &loaded.plan;
    crate::signing::ready_for_checksums(plan)?;
    let out = std::path::PathBuf::from(&plan.dist_dir);
    let request = MergeRequest {
        plan,
        inputs: &args.inputs,
        out: &out,
        allow_incomplete: args.allow_incomplete,
    };
    let lock = if args.no_wait {
        LockPolicy::NoWait
    } else {
        LockPolicy::Wait
    };
    let summary = crosscheck_release::merge(&request, lock, &mut |lock| {
        printer.status(&format!(
            "waiting for another crosscheck run to finish with {} (lock {})",
            out.display(),
            lock.display()
        ));
    })?;
    let text = match args.format {
        MergeFormat::Table => render_table(&summary),
        MergeFormat::Json => crate::json::pretty(&render_json(&summary, &args.selection.dist))?,
    };
    printer.stdout(&text);
    let manifest = &summary.manifest;
    let not_built: Vec<&str> = manifest
        .targets
        .iter()
        .filter(|t| t.status != Status::Built)
        .map(|t| t.id.as_str())
        .collect();
    if !not_built.is_empty() {
        printer.warning(&format!(
            "--allow-incomplete: {} not built, left out of SHA256SUMS: {}",
            not_built.len(),
            not_built.join(", ")
        ));
    }
    printer.status(&format!(
        "merged {} targets from {} shards into {}: manifest.json, SHA256SUMS ({} artifacts)",
        manifest.targets.len(),
        manifest.merged_from.len(),
        args.selection.dist.display(),
        summary.checksummed
    ));
    Ok(())
}

/// Which shard directory each target came from.
fn shard_of(summary: &MergeSummary) -> BTreeMap<&str, &str> {
    summary
        .manifest
        .merged_from
        .iter()
        .flat_map(|shard| {
            shard
                .targets
                .iter()
                .map(move |id| (id.as_str(), shard.dir.as_str()))
        })
        .collect()
}

fn render_table(summary: &MergeSummary) -> String {
    let shards = shard_of(summary);
    let mut table = Table::new(&["TARGET", "STATUS", "SIZE", "SHA256", "FROM"]);
    for target in &summary.manifest.targets {
        table.row(vec![
            target.id.clone(),
            target.status.as_str().to_owned(),
            target.size.map(human_size).unwrap_or_default(),
            target
                .sha256
                .as_deref()
                .map(|sha| sha.chars().take(12).collect())
                .unwrap_or_default(),
            shards
                .get(target.id.as_str())
                .copied()
                .unwrap_or("")
                .to_owned(),
        ]);
    }
    table.render()
}

fn render_json(summary: &MergeSummary, dist: &std::path::Path) -> serde_json::Value {
    let shards = shard_of(summary);
    let targets: Vec<serde_json::Value> = summary
        .manifest
        .targets
        .iter()
        .map(|target| {
            serde_json::json!({
                "id": target.id,
                "status": target.status,
                "path": target.path,
                "size": target.size,
                "sha256": target.sha256,
                "from": shards.get(target.id.as_str()),
            })
        })
        .collect();
    serde_json::json!({
        "dist": dist.display().to_string(),
        "shards": summary.manifest.merged_from.len(),
        "targets": targets,
        "checksummed": summary.checksummed,
    })
}
