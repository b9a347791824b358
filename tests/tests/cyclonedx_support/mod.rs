//! The CycloneDX 1.5 JSON schema validator shared by the SBOM tests.

use crosscheck_tests::repo_root;
use serde_json::Value;

/// The schema files `scripts/fetch-cyclonedx-schema` puts under target/cyclonedx-schema.
const BOM_SCHEMA: &str = "bom-1.5.SNAPSHOT.schema.json";
const REFERENCED: [&str; 2] = ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"];

/// A validator for the CycloneDX 1.5 schema, with the schemas it references registered
/// locally so nothing is fetched while validating.
pub fn validator() -> jsonschema::Validator {
    let dir = repo_root().join("target/cyclonedx-schema");
    let load = |name: &str| -> Value {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: the CycloneDX schema is missing (run scripts/fetch-cyclonedx-schema, which scripts/test runs)",
                path.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let schema = load(BOM_SCHEMA);
    let mut registry = jsonschema::Registry::new();
    for name in REFERENCED {
        // The bom schema refers to them relative to its own $id.
        registry = registry
            .add(format!("http://cyclonedx.org/schema/{name}"), load(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let registry = registry.prepare().unwrap_or_else(|e| panic!("{e}"));
    jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the CycloneDX schema does not compile: {e}"))
}

pub fn schema_errors(validator: &jsonschema::Validator, bom: &Value) -> Vec<String> {
    validator
        .iter_errors(bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
