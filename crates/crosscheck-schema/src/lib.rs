//! The records crosscheck's stages exchange, and nothing else: the one home of every type that
//! crosses a crate boundary, as `cargo-dist-schema` is for cargo-dist.
//!
//! Data flows through these types in one direction (`docs/architecture.md` draws it):
//!
//! 1. [`Plan`] ([`mod@plan`]): the planner turns matrix.toml into [`PlannedTarget`]s, each with
//!    its [`Target`] id ([`mod@target`], [`mod@variant`], [`mod@go`]), exact argv and
//!    environment, [`Policy`] ([`mod@policy`]) and packaging ([`PlannedArchive`],
//!    [`PlannedUniversal`], Linux packages: [`PlannedLinuxPackage`]).
//! 2. The executor runs the plan and records each target in a [`Manifest`] ([`mod@manifest`]):
//!    [`Status`], the [`Artifact`], the [`Failure`], the [`Inspection`] ([`mod@inspection`]:
//!    the inspector's [`Report`] ([`mod@report`]) and the [`Violation`]s of its
//!    [`Expectation`] and policy, each named by a [`Rule`]), the [`Reproduction`] of
//!    `--verify-reproducible`. `crosscheck schema manifest` prints the JSON schema these
//!    types derive ([`manifest_schema`]), so it cannot drift from the file.
//! 3. The release stage adds archives, SBOMs and universal binaries ([`PackageOutcome`]) and
//!    merges shards; [`mod@dist`] owns the dist directory's layout, its lock, atomic writes
//!    and `SHA256SUMS`, so every writer follows the same rules.
//! 4. `crosscheck verify` checks a downloaded release against its `SHA256SUMS` and records
//!    what it found in a [`VerifyReport`] ([`mod@verify_report`]).
//! 5. `crosscheck test` runs each target's test binaries on its [`Runner`] ([`mod@runner`])
//!    and records them in a [`TestReport`] ([`mod@testrun`]).
//!
//! The crate is synchronous, prints nothing and depends on no other crosscheck crate.
//! [`mod@env_vars`] declares every environment variable crosscheck reads.
#![warn(missing_docs)]

pub mod dist;
pub mod env_vars;
pub mod go;
pub mod inspection;
pub mod linux_package;
pub mod linux_package_plan;
pub mod manifest;
pub mod plan;
pub mod policy;
pub mod release;
pub mod report;
pub mod runner;
pub mod sign;
pub mod smoke;
mod suggest;
pub mod target;
pub mod testrun;
pub mod variant;
pub mod verify_report;

pub use dist::{Artifact, DistError, DistLock, LockPolicy};
pub use go::{GoVersion, GoVersionError, PlannedGo, ReleaseNumber};
pub use inspection::{InspectedFile, InspectedReport, Inspection, Rule, Verdict, Violation};
pub use linux_package::{
    ExpectedLinuxPackage, LinuxPackageFacts, LinuxPackageFormat, ManifestLinuxPackage,
    PackagedFile, PackagedFileKind,
};
pub use linux_package_plan::{
    PackageFileKind, PackageMetadata, PackageRelations, PackageScripts, PlannedLinuxPackage,
    PlannedPackageFile,
};
pub use manifest::{
    CcKind, Difference, Failure, FailureKind, MANIFEST_SCHEMA_VERSION, Manifest, ManifestFile,
    ManifestProject, ManifestTarget, ManifestVariant, MergedShard, Reproduction, ResolvedCc,
    Status, duration_ms, manifest_schema,
};
pub use plan::{
    ArchiveFile, ArchiveFormat, ArchivedBinary, CatalogSource, Collapsed, GoInfo, HookCommand,
    HookKind, PLAN_SCHEMA_VERSION, Plan, PlannedArchive, PlannedBinary, PlannedHooks,
    PlannedTarget, PlannedUniversal, ProjectInfo, Requirement, STAGING_DIR, SelectionInfo, Shard,
    ShardError, Skipped, VariantSetting, VcsInfo, format_epoch,
};
pub use policy::{Expectation, Policy, PolicyError, StaticPolicy, WindowsSubsystem};
pub use release::{PackageEvent, PackageFailure, PackageOutcome, PackagedKind};
// The report's parts keep their module path: `report::GoInfo` and `report::Libc` are not
// the plan's `GoInfo` and the target's `Libc`.
pub use report::Report;
pub use runner::{PATH_PLACEHOLDER, Runnability, Runner, RunnerKind};
pub use sign::{
    ChecksumSignature, ChecksumSignatureKind, CodeIdentity, CodeSigned, CodeSigning, GpgKey,
    MinisignKey, PlannedCodeSign, PlannedSigning, SignTool,
};
pub use smoke::{
    DEFAULT_SMOKE_ARGS, DEFAULT_SMOKE_TIMEOUT, PlannedSmoke, SmokeResult, SmokeRunner, SmokeStatus,
    parse_duration,
};
pub use suggest::{closest, did_you_mean};
pub use target::{GlibcVersion, Libc, Target, TargetIdError, is_binary_name, to_binary_name};
pub use testrun::{PackageTests, TargetTestStatus, TargetTests, TestCase, TestReport, TestStatus};
pub use variant::{Variant, VariantError, VariantVar};
pub use verify_report::VerifyReport;
