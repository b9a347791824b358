//! From a checked config and a catalog to the list of distinct targets.
//!
//! Order of operations (documented in `docs/matrix.md`): the product of the axes, minus
//! `exclude`, plus `include` (or the explicit `targets` list instead); then equivalent
//! targets collapse into the first of them. Pairs that the product makes but Go lacks
//! (darwin/386 from os × arch) are skipped and listed; the same pair named explicitly in
//! `include` or `targets` is an error.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::catalog::{Catalog, Port};
use crate::config::{Axes, Config, Located, MatrixConfig, Tuple};
use crate::diagnostic::Diagnostic;
use crate::{Collapsed, Libc, Skipped, Target, Variant, VariantVar, closest, did_you_mean};

/// A target with the place in the file that asked for it.
#[derive(Clone, Debug)]
pub struct Expanded {
    /// The target.
    pub target: Target,
    /// Where it came from (an axis value, an include entry or a `targets` item).
    pub origin: Range<usize>,
}

/// The outcome of expansion.
#[derive(Clone, Debug, Default)]
pub struct Expansion {
    /// Distinct targets in matrix order.
    pub targets: Vec<Expanded>,
    /// Equivalent targets that were merged.
    pub collapsed: Vec<Collapsed>,
    /// Combinations that Go lacks.
    pub skipped: Vec<Skipped>,
    /// Non-fatal findings.
    pub warnings: Vec<Diagnostic>,
}

/// A combination before equivalence is applied, with the words to describe it.
struct Candidate {
    target: Target,
    requested: String,
    /// Set when the combination named a libc that does not apply (cgo off).
    dropped_libc: Option<Libc>,
    origin: Range<usize>,
}

/// Expands `config`'s matrix against `catalog`. Errors point into the config file.
pub fn expand(config: &Config, catalog: &Catalog) -> Result<Expansion, Vec<Diagnostic>> {
    let mut expander = Expander {
        catalog,
        os_names: catalog.os_names(),
        arch_names: catalog.arch_names(),
        allow_broken: config.build.allow_broken,
        errors: Vec::new(),
        expansion: Expansion::default(),
    };
    let candidates = match &config.matrix {
        MatrixConfig::Axes(axes) => expander.axes(axes),
        MatrixConfig::Targets(targets) => targets
            .iter()
            .filter(|&located| {
                expander.check_explicit(&located.value, &located.span, &located.span)
            })
            .map(|located| Candidate {
                requested: located.value.id(),
                target: located.value.clone(),
                dropped_libc: None,
                origin: located.span.clone(),
            })
            .collect(),
    };
    if !expander.errors.is_empty() {
        return Err(expander.errors);
    }
    let mut expansion = expander.expansion;
    dedupe(candidates, &catalog.default_goarm, &mut expansion);
    if expansion.targets.is_empty() {
        let span = match &config.matrix {
            MatrixConfig::Axes(axes) => axes.span.clone(),
            MatrixConfig::Targets(_) => 0..0,
        };
        let skipped = expansion
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.requested, s.reason))
            .collect::<Vec<_>>();
        let hint = if skipped.is_empty() {
            "every combination was excluded".to_owned()
        } else {
            format!("left out: {}", skipped.join("; "))
        };
        return Err(vec![Diagnostic::error(
            format!("the matrix expands to no targets (hint: {hint})"),
            Some(span),
        )]);
    }
    Ok(expansion)
}

struct Expander<'a> {
    catalog: &'a Catalog,
    /// Known GOOS and GOARCH names, built once: every explicit target is checked against them.
    os_names: BTreeSet<&'a str>,
    arch_names: BTreeSet<&'a str>,
    allow_broken: bool,
    errors: Vec<Diagnostic>,
    expansion: Expansion,
}

impl<'a> Expander<'a> {
    fn error(&mut self, message: String, span: Range<usize>) {
        self.errors.push(Diagnostic::error(message, Some(span)));
    }

    fn check_os(&mut self, os: &Located<String>) -> bool {
        if self.os_names.contains(os.value.as_str()) {
            return true;
        }
        let suggestion = closest(&os.value, self.os_names.iter().copied());
        let message = format!(
            "unknown GOOS {:?} ({} knows {}){}",
            os.value,
            self.catalog.go_version,
            self.os_names.iter().copied().collect::<Vec<_>>().join(", "),
            did_you_mean(suggestion)
        );
        self.error(message, os.span.clone());
        false
    }

    fn check_arch(&mut self, arch: &Located<String>) -> bool {
        if self.arch_names.contains(arch.value.as_str()) {
            return true;
        }
        let names = &self.arch_names;
        let known = names.iter().copied().collect::<Vec<_>>().join(", ");
        let suggestion = match arch.value.as_str() {
            "x86_64" | "x64" | "x86-64" => Some("amd64"),
            "aarch64" => Some("arm64"),
            "i386" | "i686" | "x86" => Some("386"),
            other => closest(other, names.iter().copied()),
        };
        self.error(
            format!(
                "unknown GOARCH {:?} ({} knows {}){}",
                arch.value,
                self.catalog.go_version,
                known,
                did_you_mean(suggestion)
            ),
            arch.span.clone(),
        );
        false
    }

    /// Checks a target that the file names explicitly; problems are errors at `span`.
    fn check_explicit(
        &mut self,
        target: &Target,
        span: &Range<usize>,
        cgo_span: &Range<usize>,
    ) -> bool {
        let located = |value: &str| Located {
            value: value.to_owned(),
            span: span.clone(),
        };
        if !self.check_os(&located(&target.goos)) | !self.check_arch(&located(&target.goarch)) {
            return false;
        }
        let Some(port) = self.catalog.port(&target.goos, &target.goarch) else {
            let arches = self.catalog.arches_of(&target.goos);
            self.error(
                format!(
                    "{} is not a port of {} (hint: {} supports {})",
                    target.port(),
                    self.catalog.go_version,
                    target.goos,
                    arches.join(", ")
                ),
                span.clone(),
            );
            return false;
        };
        if port.broken && !self.allow_broken {
            self.error(
                format!(
                    "{} is marked broken in {} (hint: set `allow_broken = true` in [build] to build it anyway)",
                    target.port(),
                    self.catalog.go_version
                ),
                span.clone(),
            );
            return false;
        }
        if target.cgo && !port.cgo_supported {
            self.error(
                format!(
                    "cgo is not supported on {} in {} (hint: drop `+cgo` / set cgo = false for this target)",
                    target.port(),
                    self.catalog.go_version
                ),
                cgo_span.clone(),
            );
            return false;
        }
        true
    }

    fn axes(&mut self, axes: &Axes) -> Vec<Candidate> {
        if !self.check_axis_names(axes) {
            return Vec::new();
        }
        self.reject_unused_variants(axes);
        let mut candidates = Vec::new();
        let mut exclude_hits = vec![0usize; axes.exclude.len()];
        for os in &axes.os {
            for arch in &axes.arch {
                self.product(axes, os, arch, &mut exclude_hits, &mut candidates);
            }
        }
        self.reject_unused_libcs(axes);
        for (tuple, hits) in axes.exclude.iter().zip(exclude_hits) {
            if hits == 0 {
                self.expansion.warnings.push(Diagnostic::warning(
                    "this `exclude` entry matches no target of the axes, so it removes nothing",
                    Some(tuple.span.clone()),
                ));
            }
        }
        for tuple in &axes.include {
            if let Some(candidate) = self.include(tuple) {
                candidates.push(candidate);
            }
        }
        candidates
    }

    /// Whether every os and arch of the axes is known. The names in `include` and
    /// `exclude` are checked too, so that one run reports every unknown name.
    fn check_axis_names(&mut self, axes: &Axes) -> bool {
        let os_ok: Vec<bool> = axes.os.iter().map(|os| self.check_os(os)).collect();
        let arch_ok: Vec<bool> = axes.arch.iter().map(|arch| self.check_arch(arch)).collect();
        for tuple in axes.exclude.iter().chain(&axes.include) {
            if let Some(os) = &tuple.os {
                self.check_os(os);
            }
            if let Some(arch) = &tuple.arch {
                self.check_arch(arch);
            }
        }
        !os_ok.contains(&false) && !arch_ok.contains(&false)
    }

    /// A variant axis whose arch is not in `arch` changes no target: an error, as a libc
    /// that applies to no target is ([`Self::reject_unused_libcs`]), because a value that
    /// silently does nothing hides a mistake in the matrix.
    fn reject_unused_variants(&mut self, axes: &Axes) {
        for (var, values) in &axes.variants {
            let applies = axes
                .arch
                .iter()
                .any(|arch| VariantVar::for_arch(&arch.value) == Some(*var));
            if !applies {
                let span = values
                    .first()
                    .map_or_else(|| axes.span.clone(), |v| v.span.clone());
                self.error(
                    format!(
                        "`{}` applies to {}, which is not in `arch`, so it changes no target (hint: add {} to `arch`, or drop `{}`)",
                        var.config_key(),
                        var.arches().join(" and "),
                        var.arches()
                            .iter()
                            .map(|arch| format!("{arch:?}"))
                            .collect::<Vec<_>>()
                            .join(" or "),
                        var.config_key()
                    ),
                    span,
                );
            }
        }
    }

    /// A `libc` value applies only to linux builds with cgo; one that no target of the
    /// product is (`os = ["windows"]`, or `cgo = [false]`) would be dropped without a word.
    /// Only values the matrix wrote are checked: the default glibc is nobody's mistake.
    fn reject_unused_libcs(&mut self, axes: &Axes) {
        let linux_cgo = axes.os.iter().any(|os| os.value == "linux") && axes.cgo.contains(&true);
        if linux_cgo {
            return;
        }
        for libc in axes.libc.iter().filter(|libc| libc.span != axes.span) {
            let missing = match (
                axes.os.iter().any(|os| os.value == "linux"),
                axes.cgo.contains(&true),
            ) {
                (false, _) => "the matrix has no linux in `os`",
                (true, _) => "the matrix builds without cgo (`cgo` has no `true`)",
            };
            self.error(
                format!(
                    "this libc applies to no target: libc applies only to linux builds with cgo, and {missing} (hint: add \"linux\" to `os` and `true` to `cgo`, or drop `libc`)"
                ),
                libc.span.clone(),
            );
        }
    }

    /// The port of an os/arch pair of the product. A pair Go lacks, or marks broken, is
    /// skipped and listed: the product makes such pairs without anyone asking for them.
    fn buildable_port(&mut self, os: &Located<String>, arch: &Located<String>) -> Option<&'a Port> {
        let Some(port) = self.catalog.port(&os.value, &arch.value) else {
            self.expansion.skipped.push(Skipped {
                requested: format!("{}/{}", os.value, arch.value),
                reason: format!("not a port of {}", self.catalog.go_version),
            });
            return None;
        };
        if port.broken && !self.allow_broken {
            self.expansion.skipped.push(Skipped {
                requested: format!("{}/{}", os.value, arch.value),
                reason: "marked broken (set allow_broken = true to build it)".to_owned(),
            });
            return None;
        }
        Some(port)
    }

    /// The candidates of one os/arch pair of the product: one per variant, cgo setting and
    /// (on linux) libc, minus what `exclude` removes (counted in `exclude_hits`). cgo on a
    /// port without it is skipped and listed.
    fn product(
        &mut self,
        axes: &Axes,
        os: &Located<String>,
        arch: &Located<String>,
        exclude_hits: &mut [usize],
        candidates: &mut Vec<Candidate>,
    ) {
        let Some(port) = self.buildable_port(os, arch) else {
            return;
        };
        for variant in &variants_of(axes, &arch.value) {
            for &cgo in &axes.cgo {
                if cgo && !port.cgo_supported {
                    self.expansion.skipped.push(Skipped {
                        requested: format!("{}/{}+cgo", os.value, arch.value),
                        reason: format!(
                            "cgo is not supported on this port in {}",
                            self.catalog.go_version
                        ),
                    });
                    continue;
                }
                let libcs: Vec<Option<&Libc>> = if os.value == "linux" {
                    axes.libc.iter().map(|l| Some(&l.value)).collect()
                } else {
                    vec![None]
                };
                for libc in libcs {
                    let target = Target {
                        goos: os.value.clone(),
                        goarch: arch.value.clone(),
                        variant: variant.clone(),
                        cgo,
                        libc: if cgo { libc.cloned() } else { None },
                        go: None,
                        binary: None,
                    };
                    if let Some(index) = axes
                        .exclude
                        .iter()
                        .position(|tuple| tuple_matches(tuple, &target, libc))
                    {
                        exclude_hits[index] += 1;
                        continue;
                    }
                    candidates.push(candidate(axes, target, libc, os));
                }
            }
        }
    }

    fn include(&mut self, tuple: &Tuple) -> Option<Candidate> {
        let (os, arch) = (tuple.os.as_ref()?, tuple.arch.as_ref()?);
        let cgo = tuple.cgo.unwrap_or(false);
        if let Some(libc) = &tuple.libc
            && !cgo
        {
            self.error(
                    format!(
                        "libc {:?} applies only with cgo (hint: add `cgo = true` to this entry, or drop `libc`)",
                        libc.value.to_string()
                    ),
                    libc.span.clone(),
                );
            return None;
        }
        let target = Target {
            goos: os.value.clone(),
            goarch: arch.value.clone(),
            variant: tuple.variant.as_ref().map(|(var, value)| Variant {
                var: *var,
                value: value.value.clone(),
            }),
            cgo,
            libc: match (&tuple.libc, cgo && os.value == "linux") {
                (Some(libc), _) => Some(libc.value.clone()),
                (None, true) => Some(Libc::Gnu(None)),
                (None, false) => None,
            },
            go: None,
            binary: None,
        };
        self.check_explicit(&target, &tuple.span, &tuple.span)
            .then(|| Candidate {
                requested: target.id(),
                target,
                dropped_libc: None,
                origin: tuple.span.clone(),
            })
    }
}

/// The values of the variant axis that applies to `arch`, or just Go's default.
fn variants_of(axes: &Axes, arch: &str) -> Vec<Option<Variant>> {
    match axes
        .variants
        .iter()
        .find(|(var, _)| VariantVar::for_arch(arch) == Some(*var))
    {
        Some((var, values)) => values
            .iter()
            .map(|value| {
                Some(Variant {
                    var: *var,
                    value: value.value.clone(),
                })
            })
            .collect(),
        None => vec![None],
    }
}

/// A target of the product as a candidate. A libc of the axis that does not apply (cgo off)
/// is dropped, and named in what was asked for when the axis had a choice.
fn candidate(axes: &Axes, target: Target, libc: Option<&Libc>, os: &Located<String>) -> Candidate {
    let dropped_libc = if target.cgo { None } else { libc.cloned() };
    let requested = match &dropped_libc {
        Some(libc) if axes.libc.len() > 1 => format!("{} (libc {libc})", target.id()),
        _ => target.id(),
    };
    Candidate {
        target,
        requested,
        dropped_libc,
        origin: os.span.clone(),
    }
}

fn tuple_matches(tuple: &Tuple, target: &Target, libc_axis_value: Option<&Libc>) -> bool {
    let field = |want: Option<&Located<String>>, have: &str| want.is_none_or(|w| w.value == have);
    field(tuple.os.as_ref(), &target.goos)
        && field(tuple.arch.as_ref(), &target.goarch)
        && tuple.cgo.is_none_or(|cgo| cgo == target.cgo)
        && tuple
            .libc
            .as_ref()
            .is_none_or(|libc| Some(&libc.value) == libc_axis_value)
        && tuple.variant.as_ref().is_none_or(|(var, value)| {
            target
                .variant
                .as_ref()
                .is_some_and(|v| v.var == *var && v.value == value.value)
        })
}

/// GOOS, GOARCH, effective variant value, cgo, libc.
type EquivalenceKey = (String, String, String, bool, Option<Libc>);

/// The effective build of a target: two targets with the same key produce the same binary.
fn equivalence_key(target: &Target, default_goarm: &str) -> EquivalenceKey {
    let variant = match (&target.variant, VariantVar::for_arch(&target.goarch)) {
        (Some(variant), _) => variant.value.clone(),
        (None, Some(var)) => var.default_value(default_goarm),
        (None, None) => String::new(),
    };
    (
        target.goos.clone(),
        target.goarch.clone(),
        variant,
        target.cgo,
        target.libc.clone(),
    )
}

fn dedupe(candidates: Vec<Candidate>, default_goarm: &str, expansion: &mut Expansion) {
    let mut kept_index: HashMap<EquivalenceKey, usize> = HashMap::with_capacity(candidates.len());
    for candidate in candidates {
        let key = equivalence_key(&candidate.target, default_goarm);
        match kept_index.get(&key) {
            Some(&index) => {
                let kept: &Target = &expansion.targets[index].target;
                let reason = if candidate.dropped_libc.is_some() && !candidate.target.cgo {
                    "libc applies only to cgo builds; without cgo both are the same static Go binary"
                        .to_owned()
                } else if candidate.target.variant != kept.variant {
                    format!(
                        "{} is Go's default, so both are the same build",
                        VariantVar::for_arch(&kept.goarch)
                            .map(|var| format!("{}={}", var.env_name(), key.2))
                            .unwrap_or_default()
                    )
                } else {
                    "listed more than once".to_owned()
                };
                expansion.collapsed.push(Collapsed {
                    requested: candidate.requested,
                    into: kept.id(),
                    reason,
                });
            }
            None => {
                kept_index.insert(key, expansion.targets.len());
                expansion.targets.push(Expanded {
                    target: candidate.target,
                    origin: candidate.origin,
                });
            }
        }
    }
}

/// Whether `a` and `b` build the same binary (used by tests and by `merge`).
pub fn equivalent(a: &Target, b: &Target, default_goarm: &str) -> bool {
    equivalence_key(a, default_goarm) == equivalence_key(b, default_goarm)
}
