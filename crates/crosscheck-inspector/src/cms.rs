//! CMS (PKCS#7) SignedData verification, shared by the code-signature formats that wrap one:
//! Authenticode (the signed content is the `SpcIndirectDataContent` inside the message) and
//! Apple's CMS blob (a detached signature over the CodeDirectory).
//!
//! The API is small: [`SignedMessage::from_content_info`] decodes a `ContentInfo` holding a
//! `SignedData` (trailing padding allowed, as in a PE certificate table), the caller takes
//! what it needs from [`SignedMessage::encapsulated_content`], and
//! [`SignedMessage::verify`] checks its one `SignerInfo` against the bytes of the signed
//! content: the `messageDigest` signed attribute must equal their digest, and the signature
//! over the signed attributes (or over the content, when there are none) must verify with the
//! signer certificate's public key (RSA PKCS#1 v1.5, ECDSA P-256 or P-384). It returns a
//! [`CmsVerdict`]: the signer's facts, the digest algorithm, whether a timestamp is attached,
//! and the [`Failure`] when it does not verify. Trust in the certificate (a chain to a root,
//! revocation) is not judged, and timestamps are reported, not verified.
//!
//! Everything is decoded with RustCrypto's `cms`, `x509-cert` and `der`; nothing here panics
//! on hostile bytes.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use crosscheck_schema::report::{SignatureProblem, Signer};
use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

/// `id-signedData` (PKCS#7).
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-messageDigest`, the signed attribute holding the digest of the signed content.
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `id-countersignature`: a legacy (PKCS#9) timestamp countersignature.
const COUNTER_SIGNATURE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.6");
/// `SPC_RFC3161_OBJID`: Microsoft's attribute holding an RFC 3161 timestamp token.
const RFC3161_TIMESTAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.3.3.1");
/// `id-aa-timeStampToken` (RFC 3161 token in CMS unsigned attributes, as Apple uses it).
const TIMESTAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// A digest algorithm a code signature may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm an `AlgorithmIdentifier` OID names; `None` for any other (MD5 included:
    /// it proves nothing today).
    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
        const BY_OID: [(ObjectIdentifier, DigestAlgorithm); 4] = [
            (
                ObjectIdentifier::new_unwrap("1.3.14.3.2.26"),
                DigestAlgorithm::Sha1,
            ),
            (
                ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
                DigestAlgorithm::Sha256,
            ),
            (
                ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2"),
                DigestAlgorithm::Sha384,
            ),
            (
                ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3"),
                DigestAlgorithm::Sha512,
            ),
        ];
        BY_OID.iter().find(|(o, _)| o == oid).map(|&(_, alg)| alg)
    }

    /// The name the report uses: `sha1`, `sha256`, `sha384`, `sha512`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// The digest of `parts` concatenated.
    pub(crate) fn digest<'a>(self, parts: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
        fn run<'p, D: Digest>(parts: impl IntoIterator<Item = &'p [u8]>) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            DigestAlgorithm::Sha1 => run::<Sha1>(parts),
            DigestAlgorithm::Sha256 => run::<Sha256>(parts),
            DigestAlgorithm::Sha384 => run::<Sha384>(parts),
            DigestAlgorithm::Sha512 => run::<Sha512>(parts),
        }
    }
}

/// Why a signature does not verify, with one sentence saying what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) problem: SignatureProblem,
    pub(crate) detail: String,
}

impl Failure {
    pub(crate) fn new(problem: SignatureProblem, detail: impl Into<String>) -> Failure {
        Failure {
            problem,
            detail: detail.into(),
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Failure {
        Failure::new(SignatureProblem::Malformed, detail)
    }
}

/// What [`SignedMessage::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CmsVerdict {
    /// The certificate that signed, when the message carries it.
    pub(crate) signer: Option<Signer>,
    /// The `SignerInfo`'s digest algorithm, when it is one we know.
    pub(crate) digest_algorithm: Option<DigestAlgorithm>,
    /// A timestamp countersignature or token is among the unsigned attributes.
    pub(crate) timestamped: bool,
    /// Why it does not verify; `None` when it does.
    pub(crate) failure: Option<Failure>,
}

/// A decoded CMS `SignedData`.
pub(crate) struct SignedMessage {
    signed_data: SignedData,
}

impl SignedMessage {
    /// Decodes a DER `ContentInfo` whose content is a `SignedData`. Bytes after the
    /// `ContentInfo` (alignment padding) are ignored.
    pub(crate) fn from_content_info(der: &[u8]) -> Result<SignedMessage, Failure> {
        let (info, _padding) = ContentInfo::from_der_partial(der).map_err(|e| {
            Failure::malformed(format!("the PKCS#7 ContentInfo does not decode: {e}"))
        })?;
        if info.content_type != SIGNED_DATA {
            return Err(Failure::malformed(format!(
                "the PKCS#7 content is {}, not SignedData",
                info.content_type
            )));
        }
        let signed_data = info.content.decode_as::<SignedData>().map_err(|e| {
            Failure::malformed(format!("the PKCS#7 SignedData does not decode: {e}"))
        })?;
        Ok(SignedMessage { signed_data })
    }

    /// The type and the content encapsulated in the message (Authenticode keeps its
    /// `SpcIndirectDataContent` there); `None` for a detached signature.
    pub(crate) fn encapsulated_content(&self) -> (ObjectIdentifier, Option<&Any>) {
        let info = &self.signed_data.encap_content_info;
        (info.econtent_type, info.econtent.as_ref())
    }

    /// Verifies the `SignerInfo` against `content`, the bytes that were signed (for an
    /// encapsulated content: its DER value without the outer tag and length). Authenticode
    /// and Apple signatures have exactly one signer; any other count is malformed (the
    /// decoder sorts the SET, so "the first of several" would mean nothing).
    pub(crate) fn verify(&self, content: &[u8]) -> CmsVerdict {
        let signers = self.signed_data.signer_infos.0.as_slice();
        let [info] = signers else {
            return CmsVerdict {
                signer: None,
                digest_algorithm: None,
                timestamped: false,
                failure: Some(Failure::malformed(format!(
                    "the SignedData has {} SignerInfos; exactly one is expected",
                    signers.len()
                ))),
            };
        };
        let certificate = self.signer_certificate(&info.sid);
        let digest_algorithm = DigestAlgorithm::from_oid(&info.digest_alg.oid);
        let failure = match (certificate, digest_algorithm) {
            (None, _) => Some(Failure::malformed(
                "the SignedData does not carry the signer's certificate",
            )),
            (Some(_), None) => Some(Failure::new(
                SignatureProblem::UnsupportedAlgorithm,
                format!(
                    "the signer's digest algorithm {} is not supported",
                    info.digest_alg.oid
                ),
            )),
            (Some(cert), Some(alg)) => check_signer(info, cert, alg, content).err(),
        };
        CmsVerdict {
            signer: certificate.map(describe),
            digest_algorithm,
            timestamped: is_timestamped(info),
            failure,
        }
    }

    /// The certificate the `SignerInfo` names, by issuer and serial or by subject key id.
    fn signer_certificate(&self, sid: &SignerIdentifier) -> Option<&Certificate> {
        let certificates = self.signed_data.certificates.as_ref()?;
        certificates.0.iter().find_map(|choice| {
            let CertificateChoices::Certificate(cert) = choice else {
                return None;
            };
            let tbs = cert.tbs_certificate();
            let matches = match sid {
                SignerIdentifier::IssuerAndSerialNumber(isn) => {
                    tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if &own == ski)
                }
            };
            matches.then_some(cert)
        })
    }
}

/// The `messageDigest` attribute against the content, then the signature over the signed
/// attributes (re-encoded as the DER `SET OF` that was signed) or, without them, the content.
fn check_signer(
    info: &SignerInfo,
    cert: &Certificate,
    alg: DigestAlgorithm,
    content: &[u8],
) -> Result<(), Failure> {
    let signed_bytes = match &info.signed_attrs {
        None => content.to_vec(),
        Some(attrs) => {
            let digest = attrs
                .iter()
                .find(|a| a.oid == MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .ok_or_else(|| Failure::malformed("the signed attributes have no messageDigest"))?
                .decode_as::<OctetString>()
                .map_err(|e| {
                    Failure::malformed(format!("the messageDigest does not decode: {e}"))
                })?;
            if digest.as_bytes() != alg.digest([content]).as_slice() {
                return Err(Failure::new(
                    SignatureProblem::BadSignature,
                    "the signed messageDigest does not match the signed content",
                ));
            }
            attrs.to_der().map_err(|e| {
                Failure::malformed(format!("the signed attributes do not encode: {e}"))
            })?
        }
    };
    let spki = &cert.tbs_certificate().subject_public_key_info();
    verify_signature(
        spki,
        &info.signature_algorithm.oid,
        alg,
        &signed_bytes,
        info.signature.as_bytes(),
    )
}

/// ECDSA over a prehashed message with the curve crate `$curve` (the same code for P-256 and
/// P-384, whose types share no trait that would make a plain generic function short).
macro_rules! verify_ecdsa {
    ($curve:ident, $spki:expr, $hashed:expr, $signature:expr) => {{
        use $curve::ecdsa::signature::hazmat::PrehashVerifier;
        $curve::ecdsa::VerifyingKey::from_sec1_bytes($spki.subject_public_key.raw_bytes()).and_then(
            |key| {
                let sig = $curve::ecdsa::Signature::from_der($signature)?;
                key.verify_prehash($hashed, &sig)
            },
        )
    }};
}

/// Checks `signature` over `message` with the certificate's public key.
fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    signature_algorithm: &ObjectIdentifier,
    alg: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Failure> {
    if *signature_algorithm == RSASSA_PSS {
        return Err(Failure::new(
            SignatureProblem::UnsupportedAlgorithm,
            "RSASSA-PSS signatures are not supported",
        ));
    }
    let hashed = alg.digest([message]);
    let bad = || {
        Failure::new(
            SignatureProblem::BadSignature,
            "the signature does not verify with the signer certificate's public key",
        )
    };
    match KeyAlgorithm::of(spki) {
        KeyAlgorithm::Rsa => verify_rsa(spki, alg, &hashed, signature, bad),
        KeyAlgorithm::EcdsaP256 => verify_ecdsa!(p256, spki, &hashed, signature).map_err(|_| bad()),
        KeyAlgorithm::EcdsaP384 => verify_ecdsa!(p384, spki, &hashed, signature).map_err(|_| bad()),
        KeyAlgorithm::Other(name) => Err(Failure::new(
            SignatureProblem::UnsupportedAlgorithm,
            format!("the signer's key algorithm {name} is not supported"),
        )),
    }
}

/// RSA PKCS#1 v1.5 over a prehashed message.
fn verify_rsa(
    spki: &SubjectPublicKeyInfoOwned,
    alg: DigestAlgorithm,
    hashed: &[u8],
    signature: &[u8],
    bad: impl Fn() -> Failure,
) -> Result<(), Failure> {
    use rsa::Pkcs1v15Sign;
    use rsa::pkcs8::DecodePublicKey;
    let der = spki
        .to_der()
        .map_err(|e| Failure::malformed(format!("the signer's public key does not encode: {e}")))?;
    let key = rsa::PublicKey::from_public_key_der(&der)
        .map_err(|e| Failure::malformed(format!("the signer's RSA key does not decode: {e}")))?;
    let scheme = match alg {
        DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
        DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    };
    key.verify(scheme, hashed, signature).map_err(|_| bad())
}

/// The signer's public key algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyAlgorithm {
    Rsa,
    EcdsaP256,
    EcdsaP384,
    /// Anything else, named for the report: an ECDSA curve OID or a key algorithm OID.
    Other(String),
}

impl KeyAlgorithm {
    fn of(spki: &SubjectPublicKeyInfoOwned) -> KeyAlgorithm {
        let oid = spki.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            return KeyAlgorithm::Rsa;
        }
        if oid != EC_PUBLIC_KEY {
            return KeyAlgorithm::Other(oid.to_string());
        }
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        match curve {
            Some(c) if c == SECP256R1 => KeyAlgorithm::EcdsaP256,
            Some(c) if c == SECP384R1 => KeyAlgorithm::EcdsaP384,
            Some(c) => KeyAlgorithm::Other(format!("ecdsa-{c}")),
            None => KeyAlgorithm::Other("ecdsa".to_owned()),
        }
    }

    /// `rsa`, `ecdsa-p256`, `ecdsa-p384`, or the OID of any other key algorithm.
    fn name(&self) -> &str {
        match self {
            KeyAlgorithm::Rsa => "rsa",
            KeyAlgorithm::EcdsaP256 => "ecdsa-p256",
            KeyAlgorithm::EcdsaP384 => "ecdsa-p384",
            KeyAlgorithm::Other(name) => name,
        }
    }
}

/// The signer's facts for the report.
fn describe(cert: &Certificate) -> Signer {
    let tbs = cert.tbs_certificate();
    let validity = tbs.validity();
    Signer {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial: serial_hex(tbs.serial_number().as_bytes()),
        not_before: validity.not_before.to_date_time().to_string(),
        not_after: validity.not_after.to_date_time().to_string(),
        key_algorithm: KeyAlgorithm::of(tbs.subject_public_key_info())
            .name()
            .to_owned(),
    }
}

/// The serial as lower-case hex without the sign byte DER adds to a positive integer.
fn serial_hex(bytes: &[u8]) -> String {
    let significant = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    significant.iter().map(|b| format!("{b:02x}")).collect()
}

/// A timestamp (RFC 3161 token, Microsoft's or CMS's attribute, or a legacy
/// countersignature) is among the unsigned attributes.
fn is_timestamped(info: &SignerInfo) -> bool {
    info.unsigned_attrs.as_ref().is_some_and(|attrs| {
        attrs
            .iter()
            .any(|a| [RFC3161_TIMESTAMP, COUNTER_SIGNATURE, TIMESTAMP_TOKEN].contains(&a.oid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_lose_only_the_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0x9f, 0x01]), "9f01");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0x12, 0x00]), "1200");
    }

    #[test]
    fn digest_algorithms_by_oid() {
        let sha256 = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
        assert_eq!(
            DigestAlgorithm::from_oid(&sha256),
            Some(DigestAlgorithm::Sha256)
        );
        let md5 = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");
        assert_eq!(DigestAlgorithm::from_oid(&md5), None);
        // The digest of parts is the digest of their concatenation.
        assert_eq!(
            DigestAlgorithm::Sha1.digest([b"ab".as_slice(), b"c"]),
            DigestAlgorithm::Sha1.digest([b"abc".as_slice()])
        );
        assert_eq!(DigestAlgorithm::Sha384.digest([b"".as_slice()]).len(), 48);
    }

    #[test]
    fn garbage_is_malformed() {
        for bytes in [
            &b""[..],
            b"\x30\x03\x06\x01",
            b"\x30\x80\x00\x00",
            &[0xff; 64],
        ] {
            let err = SignedMessage::from_content_info(bytes).err();
            assert_eq!(
                err.map(|f| f.problem),
                Some(SignatureProblem::Malformed),
                "{bytes:?}"
            );
        }
    }
}
