//! Authenticode: whether a PE's embedded signature holds for the file as it is.
//!
//! The attribute certificate table (its data-directory entry holds a file offset, not an RVA)
//! starts with a `WIN_CERTIFICATE` whose payload is a PKCS#7 `SignedData`. Its encapsulated
//! `SpcIndirectDataContent` carries the digest of the image; [`verify`] recomputes that digest
//! over the file as Microsoft's "Windows Authenticode Portable Executable Signature Format"
//! says (everything except the CheckSum field, the certificate-table directory entry and the
//! table itself, in file order, as osslsigncode hashes it), then lets [`crate::cms`] check the
//! signer over the `SpcIndirectDataContent`. Only the first signature is checked; nested ones
//! (`signtool /as`) live in its unsigned attributes and are not looked at.

use der::Sequence;
use der::asn1::{Any, ObjectIdentifier, OctetString};
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::cms::{DigestAlgorithm, Failure, SignedMessage};
use crosscheck_schema::report::{CodeSignature, SignatureProblem};

/// `SPC_INDIRECT_DATA_OBJID`: the content type of an Authenticode SignedData.
const SPC_INDIRECT_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.4");
/// `SPC_PE_IMAGE_DATAOBJ`: what an Authenticode signature of a PE image says it signs.
const SPC_PE_IMAGE_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.1.15");
/// `WIN_CERT_TYPE_PKCS_SIGNED_DATA`.
const WIN_CERT_TYPE_PKCS_SIGNED_DATA: u16 = 0x0002;
/// Size of `WIN_CERTIFICATE`'s header (`dwLength`, `wRevision`, `wCertificateType`).
const WIN_CERTIFICATE_HEADER: usize = 8;

/// `SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
/// messageDigest DigestInfo }`.
#[derive(Sequence)]
struct SpcIndirectDataContent {
    data: SpcAttributeTypeAndOptionalValue,
    message_digest: DigestInfo,
}

/// `SpcAttributeTypeAndOptionalValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY
/// OPTIONAL }` (for PE images, `SPC_PE_IMAGE_DATAOBJ` and an `SpcPeImageData`).
#[derive(Sequence)]
struct SpcAttributeTypeAndOptionalValue {
    value_type: ObjectIdentifier,
    #[asn1(optional = "true")]
    value: Option<Any>,
}

/// `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }`.
#[derive(Sequence)]
struct DigestInfo {
    digest_algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// Where the parts Authenticode leaves out of the image digest are, as file offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    /// The optional header's CheckSum field (4 bytes).
    pub(crate) checksum_field: usize,
    /// The certificate table's data-directory entry (8 bytes).
    pub(crate) certificate_entry: usize,
    /// The certificate table: file offset and size, as its directory entry says.
    pub(crate) table_offset: usize,
    pub(crate) table_size: usize,
}

/// Verifies the Authenticode signature of `bytes` whose excluded parts are at `layout`.
pub(crate) fn verify(bytes: &[u8], layout: &Layout) -> CodeSignature {
    let mut sig = CodeSignature::unchecked("authenticode", layout.table_size as u64);
    if let Err(f) = check(bytes, layout, &mut sig) {
        sig.fail(f.problem, f.detail);
        return sig;
    }
    sig.valid = true;
    sig
}

/// Fills `sig` with what the signature says; the first failure found is the error.
fn check(bytes: &[u8], layout: &Layout, sig: &mut CodeSignature) -> Result<(), Failure> {
    let payload = first_certificate(bytes, layout)?;
    let message = SignedMessage::from_content_info(payload)?;
    let (content_type, content) = message.encapsulated_content();
    if content_type != SPC_INDIRECT_DATA {
        return Err(Failure::malformed(format!(
            "the signed content is {content_type}, not an Authenticode SpcIndirectDataContent"
        )));
    }
    let content = content
        .ok_or_else(|| Failure::malformed("the SignedData holds no SpcIndirectDataContent"))?;
    let indirect = content.decode_as::<SpcIndirectDataContent>().map_err(|e| {
        Failure::malformed(format!("the SpcIndirectDataContent does not decode: {e}"))
    })?;
    if indirect.data.value_type != SPC_PE_IMAGE_DATA {
        return Err(Failure::malformed(format!(
            "the signature is for a {} object, not a PE image",
            indirect.data.value_type
        )));
    }
    let verdict = message.verify(content.value());
    sig.signer = verdict.signer;
    sig.timestamped = verdict.timestamped;
    let oid = indirect.message_digest.digest_algorithm.oid;
    let alg = DigestAlgorithm::from_oid(&oid).ok_or_else(|| {
        Failure::new(
            SignatureProblem::UnsupportedAlgorithm,
            format!("the image digest algorithm {oid} is not supported"),
        )
    })?;
    sig.digest_algorithm = Some(alg.name().to_owned());
    let computed = image_digest(bytes, layout, alg)?;
    if indirect.message_digest.digest.as_bytes() != computed.as_slice() {
        return Err(Failure::new(
            SignatureProblem::DigestMismatch,
            format!(
                "the file's {} Authenticode digest does not match the signed one (the file changed after signing)",
                alg.name()
            ),
        ));
    }
    verdict.failure.map_or(Ok(()), Err)
}

/// The payload of the table's first `WIN_CERTIFICATE`, which must hold PKCS#7 SignedData.
fn first_certificate<'a>(bytes: &'a [u8], layout: &Layout) -> Result<&'a [u8], Failure> {
    let table = layout
        .table_offset
        .checked_add(layout.table_size)
        .and_then(|end| bytes.get(layout.table_offset..end))
        .ok_or_else(|| {
            Failure::malformed(format!(
                "the certificate table ({} bytes at {:#x}) runs past the end of the file ({} bytes)",
                layout.table_size,
                layout.table_offset,
                bytes.len()
            ))
        })?;
    let header = table.get(..WIN_CERTIFICATE_HEADER).ok_or_else(|| {
        Failure::malformed("the certificate table is too short for a WIN_CERTIFICATE header")
    })?;
    let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let kind = u16::from_le_bytes([header[6], header[7]]);
    if !(WIN_CERTIFICATE_HEADER..=table.len()).contains(&length) {
        return Err(Failure::malformed(format!(
            "the first WIN_CERTIFICATE claims {length} bytes in a {}-byte table",
            table.len()
        )));
    }
    match kind {
        WIN_CERT_TYPE_PKCS_SIGNED_DATA => {}
        // X.509, reserved, TS stack signed: defined by the spec, never used by Windows.
        0x0001 | 0x0003 | 0x0004 => {
            return Err(Failure::new(
                SignatureProblem::UnsupportedAlgorithm,
                format!(
                    "the first WIN_CERTIFICATE has type {kind:#x}, not PKCS#7 SignedData (0x2)"
                ),
            ));
        }
        _ => {
            return Err(Failure::malformed(format!(
                "the first WIN_CERTIFICATE has the unknown type {kind:#x}"
            )));
        }
    }
    Ok(&table[WIN_CERTIFICATE_HEADER..length])
}

/// The Authenticode digest: the file in order, without the CheckSum field, the certificate
/// table's directory entry, and the certificate table itself.
fn image_digest(bytes: &[u8], layout: &Layout, alg: DigestAlgorithm) -> Result<Vec<u8>, Failure> {
    let checksum_end = layout.checksum_field.saturating_add(4);
    let entry_end = layout.certificate_entry.saturating_add(8);
    let table_end = layout.table_offset.saturating_add(layout.table_size);
    let in_order = layout.checksum_field <= bytes.len()
        && checksum_end <= layout.certificate_entry
        && entry_end <= layout.table_offset
        && table_end <= bytes.len();
    if !in_order {
        return Err(Failure::malformed(
            "the certificate table overlaps the PE headers it should follow",
        ));
    }
    Ok(alg.digest([
        &bytes[..layout.checksum_field],
        &bytes[checksum_end..layout.certificate_entry],
        &bytes[entry_end..layout.table_offset],
        &bytes[table_end..],
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(table_offset: usize, table_size: usize) -> Layout {
        Layout {
            checksum_field: 8,
            certificate_entry: 16,
            table_offset,
            table_size,
        }
    }

    fn problem(bytes: &[u8], layout: &Layout) -> Option<SignatureProblem> {
        verify(bytes, layout).reason
    }

    #[test]
    fn tables_past_the_end_or_too_short_are_malformed() {
        let file = vec![0u8; 64];
        for l in [layout(60, 8), layout(40, usize::MAX), layout(32, 4)] {
            assert_eq!(
                problem(&file, &l),
                Some(SignatureProblem::Malformed),
                "{l:?}"
            );
        }
    }

    #[test]
    fn certificate_lengths_are_bounded_by_the_table() {
        let mut file = vec![0u8; 64];
        // dwLength 200 in a 32-byte table, type PKCS signed data.
        file[32..36].copy_from_slice(&200u32.to_le_bytes());
        file[38..40].copy_from_slice(&2u16.to_le_bytes());
        assert_eq!(
            problem(&file, &layout(32, 32)),
            Some(SignatureProblem::Malformed)
        );
        // dwLength 4: shorter than its own header.
        file[32..36].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(
            problem(&file, &layout(32, 32)),
            Some(SignatureProblem::Malformed)
        );
        // A plausible length over garbage.
        file[32..36].copy_from_slice(&32u32.to_le_bytes());
        file[40..64].fill(0x30);
        assert_eq!(
            problem(&file, &layout(32, 32)),
            Some(SignatureProblem::Malformed)
        );
    }

    #[test]
    fn other_certificate_types_are_unsupported() {
        let mut file = vec![0u8; 64];
        file[32..36].copy_from_slice(&32u32.to_le_bytes());
        file[38..40].copy_from_slice(&1u16.to_le_bytes());
        assert_eq!(
            problem(&file, &layout(32, 32)),
            Some(SignatureProblem::UnsupportedAlgorithm)
        );
    }

    #[test]
    fn the_digest_skips_exactly_the_three_excluded_parts() -> Result<(), String> {
        let file: Vec<u8> = (0..=255u8).collect();
        let l = layout(200, 40);
        let got = image_digest(&file, &l, DigestAlgorithm::Sha256).map_err(|f| f.detail)?;
        let mut kept = Vec::new();
        kept.extend_from_slice(&file[..8]);
        kept.extend_from_slice(&file[12..16]);
        kept.extend_from_slice(&file[24..200]);
        kept.extend_from_slice(&file[240..]);
        assert_eq!(got, DigestAlgorithm::Sha256.digest([kept.as_slice()]));
        // Overlapping parts are refused, not sliced.
        let overlapping = layout(20, 8);
        assert!(image_digest(&file, &overlapping, DigestAlgorithm::Sha1).is_err());
        Ok(())
    }
}
