//! Go templates to crosscheck templates.
//!
//! A field with a crosscheck placeholder becomes it (`{{ .Version }}` → `{version}`,
//! `{{ title .Os }}` → `{os|title}`). Anything else that depends only on the target
//! (`{{ if eq .Arch "amd64" }}x86_64{{ else }}{{ .Arch }}{{ end }}`, `{{ with .Arm }}v{{ .
//! }}{{ end }}`) is evaluated for every target the template is used for, and replaced by
//! the one placeholder with filters that gives the same text for each of them
//! (`{arch|amd64=x86_64}`), so the result is exact by construction for the planned
//! targets. What depends on anything else (`.IsSnapshot`, `.Env`, functions such as
//! `incpatch`) is refused with the reason, for the caller to report.

use std::collections::BTreeMap;

use crate::Target;

use super::gotemplate::{self, Arg, Fields, Node, Value};
use super::targets::GrTarget;

/// A target as both tools see it.
#[derive(Clone, Debug)]
pub(crate) struct Built {
    pub gr: GrTarget,
    pub target: Target,
}

/// What a template may refer to where it is used.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scope<'a> {
    /// The targets it is rendered for; empty where it may not depend on the target.
    pub targets: &'a [Built],
    /// `.ProjectName`.
    pub project_name: Option<&'a str>,
    /// What `{name}` renders in the output (the project name with `[[binary]]` tables, the
    /// binary's name without).
    pub name_value: Option<&'a str>,
    /// `.Binary`, and whether `{binary}` exists in the output.
    pub binary: Option<&'a str>,
    pub binary_placeholder: bool,
    /// Whether `.Path` (the artifact, in a post hook) is `{path}`.
    pub path: bool,
    /// Whether the targets' `.Os`, `.Arch` and `.Arm` were renamed (v1's archive
    /// `replacements`): they are then evaluated, never taken for `{os}` and `{arch}`.
    pub replacements: bool,
}

/// A translated template and what differs from GoReleaser's meaning.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Translation {
    pub text: String,
    pub notes: Vec<String>,
}

/// Translates `source`; `Err` says what has no equivalent.
pub(crate) fn translate(source: &str, scope: &Scope<'_>) -> Result<Translation, String> {
    let nodes = gotemplate::parse(source).map_err(|e| format!("`{source}`: {e}"))?;
    let mut out = Translation::default();
    let mut pending: Vec<Node> = Vec::new();
    for node in nodes {
        if let Node::Text(text) = &node {
            flush(&mut pending, scope, &mut out)?;
            out.text.push_str(&escape(text));
            continue;
        }
        match direct(&node, scope)? {
            Some(direct) => {
                flush(&mut pending, scope, &mut out)?;
                out.text.push_str(&direct.0);
                out.notes.extend(direct.1);
            }
            None => pending.push(node),
        }
    }
    flush(&mut pending, scope, &mut out)?;
    Ok(out)
}

/// Literal text with crosscheck's braces doubled.
pub(crate) fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// A field with a placeholder of its own, with case functions as filters.
fn direct(node: &Node, scope: &Scope<'_>) -> Result<Option<(String, Vec<String>)>, String> {
    let Node::Action { pipeline, source } = node else {
        return Ok(None);
    };
    let Some((path, filters)) = simple_field(pipeline) else {
        return Ok(None);
    };
    let filtered = |placeholder: &str| {
        let mut text = format!("{{{placeholder}");
        for filter in &filters {
            text.push('|');
            text.push_str(filter);
        }
        text.push('}');
        text
    };
    let name = path.join(".");
    let has_targets = !scope.targets.is_empty();
    let (text, notes) = match name.as_str() {
        "Version" => (filtered("version"), Vec::new()),
        "Commit" | "FullCommit" => (filtered("commit"), Vec::new()),
        "ShortCommit" => (
            filtered("short_commit"),
            vec!["{short_commit} is 12 characters; GoReleaser's .ShortCommit is git's abbreviation (7 or more)".to_owned()],
        ),
        "Date" | "CommitDate" => (
            filtered("date"),
            if name == "Date" {
                vec!["{date} is the commit time (or SOURCE_DATE_EPOCH), so builds are reproducible; GoReleaser's .Date is the time of the run".to_owned()]
            } else {
                Vec::new()
            },
        ),
        "Tag" if filters.is_empty() => (
            "v{version}".to_owned(),
            vec![format!("`{source}` became v{{version}}: crosscheck has no tag placeholder, and this assumes tags are v-prefixed")],
        ),
        "ProjectName" | "Binary" if filters.is_empty() => match constant_name(&name, scope) {
            Some(text) => (text, Vec::new()),
            None => return Ok(None),
        },
        "Os" if has_targets && !scope.replacements => (filtered("os"), Vec::new()),
        "Arch" if has_targets && !scope.replacements => (filtered("arch"), Vec::new()),
        "Ext" if has_targets && filters.is_empty() => ("{ext}".to_owned(), Vec::new()),
        "Path" if scope.path && filters.is_empty() => ("{path}".to_owned(), Vec::new()),
        "Name" if scope.path && filters.is_empty() => match constant_name("Binary", scope) {
            Some(binary) => (format!("{binary}{{ext}}"), Vec::new()),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    Ok(Some((text, notes)))
}

/// `.ProjectName` and `.Binary`: a placeholder when one renders the same, else the name.
fn constant_name(field: &str, scope: &Scope<'_>) -> Option<String> {
    let value = match field {
        "ProjectName" => scope.project_name?,
        _ => {
            if scope.binary_placeholder {
                return Some("{binary}".to_owned());
            }
            scope.binary?
        }
    };
    if scope.name_value == Some(value) {
        Some("{name}".to_owned())
    } else {
        Some(escape(value))
    }
}

/// `.F`, `.F | f`, `f .F` with case functions only: the field and the filters.
fn simple_field(pipeline: &[Vec<Arg>]) -> Option<(Vec<String>, Vec<&'static str>)> {
    let filter = |name: &str| match name {
        "title" => Some("title"),
        "toupper" => Some("upper"),
        "tolower" => Some("lower"),
        _ => None,
    };
    let mut commands = pipeline.iter();
    let first = commands.next()?;
    let (path, mut filters) = match first.as_slice() {
        [Arg::Field(path)] if !path.is_empty() => (path.clone(), Vec::new()),
        [Arg::Func(f), Arg::Field(path)] if !path.is_empty() => (path.clone(), vec![filter(f)?]),
        _ => return None,
    };
    for command in commands {
        match command.as_slice() {
            [Arg::Func(f)] => filters.push(filter(f)?),
            _ => return None,
        }
    }
    Some((path, filters))
}

/// Replaces a run of nodes that depend on the target by synthesised placeholders: the run
/// is cut into the pieces whose placeholders need the fewest map entries in all
/// (`{arch|amd64=x86_64}{variant}` rather than one `{slug|...}` entry per target).
fn flush(pending: &mut Vec<Node>, scope: &Scope<'_>, out: &mut Translation) -> Result<(), String> {
    if pending.is_empty() {
        return Ok(());
    }
    let nodes = std::mem::take(pending);
    let mut values = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let value = evaluate_per_target(std::slice::from_ref(node), scope)
            .map_err(|reason| format!("`{}`: {reason}", node.source()))?;
        values.push(value);
    }
    // best[j]: the cheapest translation of nodes[..j], as (entries, placeholders, text).
    let mut best: Vec<Option<(usize, usize, String)>> = vec![None; nodes.len() + 1];
    best[0] = Some((0, 0, String::new()));
    for end in 1..=nodes.len() {
        for start in 0..end {
            let Some((entries, placeholders, text)) = best[start].clone() else {
                continue;
            };
            let joined: Vec<String> = (0..values[start].len())
                .map(|target| {
                    values[start..end]
                        .iter()
                        .map(|v| v[target].as_str())
                        .collect()
                })
                .collect();
            let Some(piece) = synthesise(scope.targets, &joined) else {
                continue;
            };
            let candidate = (
                entries + piece.entries,
                placeholders + usize::from(piece.placeholder),
                text + &piece.text,
            );
            let better = best[end]
                .as_ref()
                .is_none_or(|current| (candidate.0, candidate.1) < (current.0, current.1));
            if better {
                best[end] = Some(candidate);
            }
        }
    }
    let Some((_, _, text)) = best[nodes.len()].take() else {
        let source: String = nodes.iter().map(Node::source).collect();
        return Err(format!(
            "`{source}` depends on the target in a way no crosscheck placeholder with filters can express"
        ));
    };
    out.text.push_str(&text);
    Ok(())
}

/// What the nodes give for each target (one value when there are no targets).
fn evaluate_per_target(nodes: &[Node], scope: &Scope<'_>) -> Result<Vec<String>, String> {
    if scope.targets.is_empty() {
        let fields = TargetFields {
            target: None,
            scope,
        };
        return gotemplate::evaluate(nodes, &fields)
            .map(|value| vec![value])
            .map_err(|e| e.0);
    }
    scope
        .targets
        .iter()
        .map(|built| {
            let fields = TargetFields {
                target: Some(&built.gr),
                scope,
            };
            gotemplate::evaluate(nodes, &fields).map_err(|e| e.0)
        })
        .collect()
}

/// What `source` gives for `target` (or with no target): for values such as
/// `CGO_ENABLED={{ if eq .Os "darwin" }}1{{ end }}` that decide more than text.
pub(crate) fn evaluate_for(
    source: &str,
    target: Option<&GrTarget>,
    scope: &Scope<'_>,
) -> Result<String, String> {
    let nodes = gotemplate::parse(source).map_err(|e| e.0)?;
    gotemplate::evaluate(&nodes, &TargetFields { target, scope }).map_err(|e| e.0)
}

/// The fields whose value is fixed once the target is known.
struct TargetFields<'a> {
    target: Option<&'a GrTarget>,
    scope: &'a Scope<'a>,
}

impl Fields for TargetFields<'_> {
    fn field(&self, path: &[String]) -> Option<Value> {
        let [name] = path else { return None };
        let text = match (name.as_str(), self.target) {
            ("ProjectName", _) => self.scope.project_name?.to_owned(),
            ("Binary", _) if !self.scope.binary_placeholder => self.scope.binary?.to_owned(),
            ("Os", Some(t)) => t.goos.clone(),
            ("Arch", Some(t)) => t.goarch.clone(),
            ("Target", Some(t)) => t.name.clone(),
            ("Amd64", Some(t)) => t.extras[0].clone(),
            ("I386", Some(t)) => t.extras[1].clone(),
            ("Arm", Some(t)) => t.extras[2].clone(),
            ("Arm64", Some(t)) => t.extras[3].clone(),
            ("Mips", Some(t)) => t.extras[4].clone(),
            ("Ppc64", Some(t)) => t.extras[5].clone(),
            ("Riscv64", Some(t)) => t.extras[6].clone(),
            _ => return None,
        };
        Some(Value::Str(text))
    }
}

/// The placeholders a synthesised value may be a function of, simplest first.
const CANDIDATES: [&str; 5] = ["os", "arch", "variant", "slug", "id"];
/// Case filters tried before a value map.
const CASES: [&str; 4] = ["", "title", "upper", "lower"];

/// A synthesised piece of template.
struct Piece {
    text: String,
    /// How many value map entries it has.
    entries: usize,
    /// Whether it is a placeholder (else a literal).
    placeholder: bool,
}

/// The cheapest `{placeholder|case|map}` that renders `values[i]` for `targets[i]`, or a
/// literal when every target gives the same text.
fn synthesise(targets: &[Built], values: &[String]) -> Option<Piece> {
    if values.windows(2).all(|pair| pair[0] == pair[1]) {
        return Some(Piece {
            text: escape(values.first().map_or("", String::as_str)),
            entries: 0,
            placeholder: false,
        });
    }
    let mut best: Option<(usize, String)> = None;
    for candidate in CANDIDATES {
        for case in CASES {
            let Some(map) = value_map(targets, values, candidate, case) else {
                continue;
            };
            if best.as_ref().is_some_and(|(cost, _)| *cost <= map.len()) {
                continue;
            }
            let mut text = format!("{{{candidate}");
            if !case.is_empty() {
                text.push('|');
                text.push_str(case);
            }
            if !map.is_empty() {
                let entries: Vec<String> = map
                    .iter()
                    .map(|(from, to)| format!("{from}={to}"))
                    .collect();
                text.push('|');
                text.push_str(&entries.join(","));
            }
            text.push('}');
            best = Some((map.len(), text));
        }
    }
    best.map(|(entries, text)| Piece {
        text,
        entries,
        placeholder: true,
    })
}

/// The value map that turns `case(placeholder)` into the wanted values, if one can: equal
/// inputs must want equal outputs, an empty input cannot be mapped (crosscheck's maps need
/// a `from`), and map text cannot hold `,`, `=`, `|` or braces.
fn value_map(
    targets: &[Built],
    values: &[String],
    placeholder: &str,
    case: &str,
) -> Option<Vec<(String, String)>> {
    let mut map: Vec<(String, String)> = Vec::new();
    let mut seen: BTreeMap<String, &String> = BTreeMap::new();
    for (built, wanted) in targets.iter().zip(values) {
        let raw = placeholder_value(&built.target, placeholder);
        let input = apply_case(&raw, case);
        if let Some(previous) = seen.insert(input.clone(), wanted)
            && previous != wanted
        {
            return None;
        }
        if &input == wanted {
            continue;
        }
        let unsafe_char = |text: &str| text.contains([',', '=', '|', '{', '}']);
        if input.is_empty() || unsafe_char(&input) || unsafe_char(wanted) {
            return None;
        }
        if !map.iter().any(|(from, _)| *from == input) {
            map.push((input, wanted.clone()));
        }
    }
    Some(map)
}

fn placeholder_value(target: &Target, placeholder: &str) -> String {
    match placeholder {
        "os" => target.goos.clone(),
        "arch" => target.goarch.clone(),
        "variant" => target
            .variant
            .as_ref()
            .map(crate::Variant::id_segment)
            .unwrap_or_default(),
        "slug" => target.slug(),
        _ => target.id(),
    }
}

/// What crosscheck's case filter `case` makes of `value`, computed by crosscheck's own
/// template code so that the synthesised filter renders exactly this.
fn apply_case(value: &str, case: &str) -> String {
    if case.is_empty() {
        return value.to_owned();
    }
    match crate::Template::parse(&format!("{{os|{case}}}")) {
        Ok(template) => template.render(&|_| std::borrow::Cow::Borrowed(value)),
        Err(_) => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goreleaser::targets::{parse_name, to_crosscheck};

    fn built(names: &[&str]) -> Vec<Built> {
        names
            .iter()
            .map(|name| {
                let gr = parse_name(name);
                let target = to_crosscheck(&gr, false).unwrap();
                Built { gr, target }
            })
            .collect()
    }

    fn scope(targets: &[Built]) -> Scope<'_> {
        Scope {
            targets,
            project_name: Some("tool"),
            name_value: Some("tool"),
            binary: Some("tool"),
            binary_placeholder: false,
            path: false,
            replacements: false,
        }
    }

    fn text(source: &str, targets: &[Built]) -> String {
        translate(source, &scope(targets)).unwrap().text
    }

    #[test]
    fn fields_with_placeholders_translate_directly() {
        let targets = built(&["linux_amd64", "darwin_arm64"]);
        assert_eq!(
            text(
                "{{ .ProjectName }}_{{ .Version }}_{{ title .Os }}_{{ .Arch | toupper }}",
                &targets
            ),
            "{name}_{version}_{os|title}_{arch|upper}"
        );
        let tag = translate("{{ .Tag }}", &scope(&targets)).unwrap();
        assert_eq!(tag.text, "v{version}");
        assert_eq!(tag.notes.len(), 1);
        assert_eq!(text("a{b}", &targets), "a{{b}}");
    }

    #[test]
    fn conditionals_on_the_arch_become_value_maps() {
        let targets = built(&["linux_amd64", "linux_386", "linux_arm64", "darwin_arm64"]);
        let source = "{{ if eq .Arch \"amd64\" }}x86_64{{ else if eq .Arch \"386\" }}i386{{ else }}{{ .Arch }}{{ end }}";
        assert_eq!(text(source, &targets), "{arch|amd64=x86_64,386=i386}");
        // Without an else, other arches give nothing: mapped to empty.
        let source = "{{ if eq .Arch \"amd64\" }}x86_64{{ end }}";
        assert_eq!(text(source, &targets), "{arch|amd64=x86_64,386=,arm64=}");
    }

    #[test]
    fn goreleasers_default_archive_suffix_is_the_variant() {
        let suffix = "{{ .Os }}_{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}{{ with .Mips }}_{{ . }}{{ end }}{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}";
        let targets = built(&[
            "linux_amd64_v1",
            "linux_amd64_v3",
            "linux_arm_6",
            "linux_arm64",
        ]);
        assert_eq!(text(suffix, &targets), "{os}_{arch}{variant}");
        // Without variants at all, the conditionals give nothing anywhere.
        let plain = built(&["linux_amd64", "windows_arm64"]);
        assert_eq!(text(suffix, &plain), "{os}_{arch}");
    }

    #[test]
    fn what_depends_on_more_than_the_target_is_refused() {
        let targets = built(&["linux_amd64"]);
        assert!(translate("{{ if .IsSnapshot }}-dev{{ end }}", &scope(&targets)).is_err());
        assert!(translate("{{ .Env.HOME }}", &scope(&targets)).is_err());
        assert!(translate("{{ incpatch .Version }}", &scope(&targets)).is_err());
        assert!(translate("{{ .Os }}", &scope(&[])).is_err());
    }

    #[test]
    fn the_project_name_is_written_out_when_name_means_the_binary() {
        let targets = built(&["linux_amd64"]);
        let mut scope = scope(&targets);
        scope.project_name = Some("suite");
        assert_eq!(
            translate("{{ .ProjectName }}-{{ .Binary }}", &scope)
                .unwrap()
                .text,
            "suite-{name}"
        );
    }

    /// The pieces real names are made of, target-dependent ones included.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let value = || {
            proptest::sample::select(vec![
                "amd64", "arm64", "386", "linux", "darwin", "x86_64", "X", "",
            ])
        };
        prop_oneof![
            Just("{{ .Os }}".to_owned()),
            Just("{{ .Arch }}".to_owned()),
            Just("{{ title .Os }}".to_owned()),
            Just("_".to_owned()),
            Just("{{ with .Arm }}v{{ . }}{{ end }}".to_owned()),
            Just("{{ .Amd64 }}".to_owned()),
            Just("{{ .Mips }}".to_owned()),
            Just("{{ .Target }}".to_owned()),
            Just("{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}".to_owned()),
            (value(), value(), value(), value()).prop_map(|(a, b, c, d)| format!(
                "{{{{ if eq .Arch \"{a}\" }}}}{b}{{{{ else if eq .Os \"{c}\" }}}}{d}{{{{ else }}}}{{{{ .Arch }}}}{{{{ end }}}}"
            )),
        ]
    }

    proptest::proptest! {
        /// A translated template renders, for every target, what GoReleaser's renders.
        #[test]
        fn translations_render_what_goreleaser_renders(
            names in proptest::sample::subsequence(vec![
                "linux_amd64_v1", "linux_amd64_v3", "linux_386_sse2", "linux_arm_6", "linux_arm_7",
                "linux_arm64_v8.0", "darwin_arm64_v8.0", "windows_amd64_v1", "linux_mips_softfloat",
                "js_wasm",
            ], 1..6),
            pieces in proptest::collection::vec(piece(), 1..6),
        ) {
            let targets = built(&names);
            let source: String = pieces.concat();
            let translation = translate(&source, &scope(&targets));
            proptest::prop_assert!(translation.is_ok(), "{source}: {translation:?}");
            let text = translation.map(|t| t.text).unwrap_or_default();
            let template = crate::Template::parse(&text);
            proptest::prop_assert!(template.is_ok(), "{source} -> {text}: {template:?}");
            let Ok(template) = template else { return Ok(()) };
            for built in &targets {
                let wanted = evaluate_for(&source, Some(&built.gr), &scope(&targets));
                let target = &built.target;
                let got = template.render(&|placeholder| {
                    use crate::Placeholder as P;
                    std::borrow::Cow::Owned(match placeholder {
                        P::Os => target.goos.clone(),
                        P::Arch => target.goarch.clone(),
                        P::Variant => target.variant.as_ref().map(crate::Variant::id_segment).unwrap_or_default(),
                        P::Slug => target.slug(),
                        P::Id => target.id(),
                        _ => "tool".to_owned(),
                    })
                });
                proptest::prop_assert_eq!(Ok(got), wanted, "{} for {}", text, built.gr.name);
            }
        }
    }
}
