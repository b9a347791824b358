//! What the displays show of an inspection: how the artifact links, its Go version, and one
//! `key: value` line per fact of the inspector's report (docs/inspect.md describes each).

use crosscheck_schema::Inspection;
use crosscheck_schema::report::Report;

/// The facts of one inspection the displays show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InspectionFacts {
    /// How the artifact links, as `crate::verify::linkage` put it (`static`,
    /// `kernel32.dll`, ...).
    pub(crate) linkage: Option<String>,
    /// The Go version recorded in the artifact.
    pub(crate) go_version: Option<String>,
    /// `key: value`, one line per fact the report holds, for a target's details.
    pub(crate) details: Vec<String>,
}

/// The facts of an inspection; an unreadable artifact has none.
pub(crate) fn inspection_facts(inspection: &Inspection) -> InspectionFacts {
    let Some(inspected) = inspection.inspected() else {
        return InspectionFacts::default();
    };
    let report = &inspected.report;
    InspectionFacts {
        linkage: inspected.linkage.clone(),
        go_version: report.go.as_ref().and_then(|go| go.version.clone()),
        details: details(report)
            .into_iter()
            .filter_map(|(key, value)| Some(format!("{key}: {}", value?)))
            .collect(),
    }
}

/// The facts a target's details list, in this order, named by their report keys; `None`
/// for a fact the report does not have.
fn details(report: &Report) -> Vec<(&'static str, Option<String>)> {
    let go = report.go.as_ref();
    vec![
        ("format", Some(report.format.to_string())),
        ("goos", report.goos.clone()),
        ("goarch", report.goarch.clone()),
        ("bits", report.bits.map(|bits| bits.to_string())),
        ("static", Some(report.is_static.to_string())),
        ("libc", Some(report.libc.as_str().to_owned())),
        ("glibc_min", report.glibc_min.clone()),
        ("interpreter", report.interpreter.clone()),
        ("libraries", Some(list(&report.libraries))),
        ("pie", Some(report.pie.to_string())),
        ("nx", report.nx.map(|nx| nx.to_string())),
        ("relro", report.relro.map(|relro| relro.as_str().to_owned())),
        ("stripped", Some(report.stripped.to_string())),
        ("debug_info", Some(report.debug_info.to_string())),
        ("macos_min", report.macos_min.clone()),
        ("go.version", go.and_then(|go| go.version.clone())),
        ("go.path", go.and_then(|go| go.path.clone())),
        ("go.build_id", go.and_then(|go| go.build_id.clone())),
    ]
}

/// A list as one line: `none` when empty.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use crosscheck_schema::report::{Format, GoInfo, GoInfoSource, GoSettings};

    use super::*;

    fn report() -> Report {
        let mut report = Report::empty("hello", Format::Elf, 1);
        report.goarch = Some("amd64".to_owned());
        report.is_static = true;
        report.go = Some(GoInfo {
            version: Some("go1.26.8".to_owned()),
            path: Some("example.com/hello".to_owned()),
            main: None,
            deps: Vec::new(),
            settings: GoSettings::default(),
            build_id: None,
            source: GoInfoSource::Buildinfo,
        });
        report
    }

    #[test]
    fn facts_are_read_from_the_report_in_documented_order() {
        let inspection = Inspection::of_artifact(report(), "static".to_owned(), Vec::new());
        assert_eq!(
            inspection_facts(&inspection),
            InspectionFacts {
                linkage: Some("static".to_owned()),
                go_version: Some("go1.26.8".to_owned()),
                details: [
                    "format: elf",
                    "goarch: amd64",
                    "static: true",
                    "libc: none",
                    "libraries: none",
                    "pie: false",
                    "stripped: false",
                    "debug_info: false",
                    "go.version: go1.26.8",
                    "go.path: example.com/hello",
                ]
                .map(str::to_owned)
                .to_vec(),
            }
        );
    }

    #[test]
    fn an_unreadable_artifact_has_no_facts() {
        let inspection = Inspection::unreadable("truncated".to_owned());
        assert_eq!(inspection.problems, ["[unreadable] truncated"]);
        assert_eq!(inspection_facts(&inspection), InspectionFacts::default());
    }
}
