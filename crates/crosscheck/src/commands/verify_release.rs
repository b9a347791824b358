//! `crosscheck verify [DIR]`: checks a downloaded release and shows what holds. The checks
//! are `crosscheck_release::verify`'s; this file turns the flags into its options and its
//! [`VerifyReport`] into a table or JSON.

use crosscheck_release::{MinisignKey, VerifyOptions};
use crosscheck_schema::verify_report::{
    ChecksumStatus, EmbeddedSignature, FileCheck, FileKind, ImageCheck, SignatureCheck,
};
use crosscheck_schema::{VerifyReport, dist::CHECKSUMS_FILE};

use crate::cli::{VerifyArgs, VerifyFormat};
use crate::errors::CliError;
use crate::printer::Printer;
use crate::reporter::plural;
use crate::table::Table;

/// Runs the command: exit 0 when the release verifies, 3 when something does not, 2 when it
/// cannot be checked.
pub fn run(args: &VerifyArgs, printer: &Printer) -> Result<(), CliError> {
    let options = VerifyOptions {
        minisign_key: match (&args.minisign_key, &args.minisign_pubkey) {
            (Some(file), _) => Some(MinisignKey::File(file.clone())),
            (None, Some(key)) => Some(MinisignKey::Base64(key.clone())),
            (None, None) => None,
        },
        gpg_key: args.gpg_key.clone(),
        require_signature: args.require_signature,
        ignore_missing: args.ignore_missing,
    };
    let report = crosscheck_release::verify_release(&args.dir, &options)?;
    match args.format {
        VerifyFormat::Json => printer.stdout(&crate::json::pretty(&report)?),
        VerifyFormat::Table if !printer.is_quiet() => {
            printer.stdout(&render_table(&report, args.ignore_missing))
        }
        VerifyFormat::Table => {}
    }
    if args.format == VerifyFormat::Table {
        for note in &report.notes {
            printer.status(&format!("note: {note}"));
        }
    }
    for failure in &report.failures {
        printer.error(failure);
    }
    if report.ok {
        printer.status(&summary(&report));
        Ok(())
    } else {
        Err(CliError::NotVerified {
            dir: report.dir.clone(),
            failures: plural(report.failures.len(), "failure", "failures"),
        })
    }
}

/// `verified dist: 10 files match SHA256SUMS, signed (minisign)`.
fn summary(report: &VerifyReport) -> String {
    let signed: Vec<&str> = report
        .signatures
        .iter()
        .filter(|s| s.status == crosscheck_schema::verify_report::SignatureStatus::Verified)
        .map(|s| s.method.as_str())
        .collect();
    let signature = if signed.is_empty() {
        "signature not checked".to_owned()
    } else {
        format!("signature verified ({})", signed.join(", "))
    };
    format!(
        "verified {}: {} {CHECKSUMS_FILE}, {signature}",
        report.dir,
        plural(
            report
                .files
                .iter()
                .filter(|f| f.checksum == ChecksumStatus::Ok)
                .count(),
            "file matches",
            "files match"
        ),
    )
}

/// The signatures of `SHA256SUMS`, then one row per listed file (and per binary or archive
/// that nothing lists).
fn render_table(report: &VerifyReport, ignore_missing: bool) -> String {
    let mut out = String::new();
    if !report.signatures.is_empty() {
        out.push_str(&signature_table(&report.signatures));
        out.push('\n');
    }
    let mut table = Table::new(&["PATH", "KIND", "CHECKSUM", "CODE SIGNATURE"]);
    for file in &report.files {
        // With --ignore-missing a file that is not here was not checked: a note says so.
        if !(ignore_missing && file.checksum == ChecksumStatus::Missing) {
            table.row(file_row(file));
        }
    }
    for unlisted in &report.unlisted {
        if matches!(unlisted.kind, FileKind::Binary | FileKind::Archive) {
            table.row(vec![
                unlisted.path.clone(),
                unlisted.kind.as_str().to_owned(),
                "not listed".to_owned(),
                "-".to_owned(),
            ]);
        }
    }
    out.push_str(&table.render());
    out
}

fn signature_table(signatures: &[SignatureCheck]) -> String {
    let mut table = Table::new(&["SIGNATURE", "METHOD", "STATUS", "KEY", "SIGNER"]);
    for check in signatures {
        table.row(vec![
            check.file.clone(),
            check.method.as_str().to_owned(),
            check.status.as_str().to_owned(),
            check.key.clone().unwrap_or_else(|| "-".to_owned()),
            check.signer.clone().unwrap_or_else(|| "-".to_owned()),
        ]);
    }
    table.render()
}

fn file_row(file: &FileCheck) -> Vec<String> {
    let signature = match file.kind {
        FileKind::Binary => file.images.first().map(image_verdict),
        FileKind::Archive if !file.images.is_empty() => Some(
            file.images
                .iter()
                .map(|image| {
                    let member = image.member.as_deref().unwrap_or("?");
                    format!("{member}: {}", image_verdict(image))
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    };
    let checksum = match file.checksum {
        ChecksumStatus::Ok => "ok",
        ChecksumStatus::Mismatch => "MISMATCH",
        ChecksumStatus::Missing => "MISSING",
        ChecksumStatus::Unreadable => "UNREADABLE",
    };
    vec![
        file.path.clone(),
        file.kind.as_str().to_owned(),
        checksum.to_owned(),
        signature.unwrap_or_else(|| "-".to_owned()),
    ]
}

/// `valid (macho-adhoc)`, `unsigned`, `INVALID (authenticode)`, `MISSING`: failures in
/// capitals, so they stand out without colour.
fn image_verdict(image: &ImageCheck) -> String {
    let word = match image.signature {
        EmbeddedSignature::Valid => "valid",
        EmbeddedSignature::Unsigned => "unsigned",
        EmbeddedSignature::Invalid => "INVALID",
        EmbeddedSignature::Missing => "MISSING",
        EmbeddedSignature::Unreadable => "UNREADABLE",
    };
    match &image.signature_kind {
        Some(kind) => format!("{word} ({kind})"),
        None => word.to_owned(),
    }
}
