//! What the displays show of an inspection. The executor hands over the inspector's report
//! as JSON (its shape is documented in docs/inspect.md); [`inspection_facts`] is the only
//! place that reads it by key, so a typed report changes this file alone.

use crosscheck_schema::Inspection;

/// The report keys a target's details list, in this order (docs/inspect.md describes each).
const DETAIL_KEYS: &[&str] = &[
    "format",
    "goos",
    "goarch",
    "bits",
    "static",
    "libc",
    "glibc_min",
    "interpreter",
    "libraries",
    "pie",
    "nx",
    "relro",
    "stripped",
    "debug_info",
    "macos_min",
];

/// The keys of the report's `go` object the details list after those, as `go.KEY`.
const GO_DETAIL_KEYS: &[&str] = &["version", "path", "build_id"];

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

/// Reads the facts out of the inspector's report; absent keys and nulls are left out.
pub(crate) fn inspection_facts(inspection: &Inspection) -> InspectionFacts {
    let report = &inspection.report;
    let go = &report["go"];
    let details = DETAIL_KEYS
        .iter()
        .filter_map(|key| Some(format!("{key}: {}", fact(&report[*key])?)))
        .chain(
            GO_DETAIL_KEYS
                .iter()
                .filter_map(|key| Some(format!("go.{key}: {}", fact(&go[*key])?))),
        )
        .collect();
    InspectionFacts {
        linkage: report["linkage"].as_str().map(str::to_owned),
        go_version: go["version"].as_str().map(str::to_owned),
        details,
    }
}

/// A report value as one line; `None` for null.
fn fact(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) if items.is_empty() => Some("none".to_owned()),
        serde_json::Value::Array(items) => {
            Some(items.iter().filter_map(fact).collect::<Vec<_>>().join(", "))
        }
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crosscheck_schema::Verdict;

    use super::*;

    #[test]
    fn facts_are_read_from_the_report_in_documented_order() {
        let inspection = Inspection {
            report: serde_json::json!({
                "goarch": "amd64",
                "format": "elf",
                "static": true,
                "libraries": [],
                "interpreter": null,
                "linkage": "static",
                "go": { "version": "go1.26.8", "path": "example.com/hello" },
            }),
            verdict: Verdict::Pass,
            problems: Vec::new(),
        };
        assert_eq!(
            inspection_facts(&inspection),
            InspectionFacts {
                linkage: Some("static".to_owned()),
                go_version: Some("go1.26.8".to_owned()),
                details: [
                    "format: elf",
                    "goarch: amd64",
                    "static: true",
                    "libraries: none",
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
        let inspection = Inspection {
            report: serde_json::json!({ "error": "truncated" }),
            verdict: Verdict::Fail,
            problems: vec!["[unreadable] truncated".to_owned()],
        };
        assert_eq!(inspection_facts(&inspection), InspectionFacts::default());
    }
}
