//! The environment each build gets: constructed, never inherited wholesale.
//!
//! Layers, weakest first: the parent's variables named in
//! [`crosscheck_planner::env_vars::BUILD_ENV_ALLOWLIST`]; the names
//! the matrix lists in `pass_env`; the plan's environment (GOOS, GOARCH, the variant,
//! CGO_ENABLED, `[build] env`, a configured CC); then what the executor resolves (CC and
//! CXX when the plan has none, per-target zig caches, SOURCE_DATE_EPOCH).

use std::collections::BTreeMap;

use crosscheck_planner::env_vars::{BUILD_ENV_ALLOWLIST, SECRET_NAME_PARTS};

/// What replaces a secret value in the manifest.
pub const REDACTED: &str = "[redacted]";

/// The variables every command of a run inherits: the allowlist plus `pass_env`.
pub fn inherited_env(parent: &[(String, String)], pass_env: &[String]) -> BTreeMap<String, String> {
    parent
        .iter()
        .filter(|(name, _)| {
            BUILD_ENV_ALLOWLIST.contains(&name.as_str()) || pass_env.iter().any(|p| p == name)
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// `inherited` overlaid with `layers`, later layers winning.
pub fn overlay<'a>(
    inherited: &BTreeMap<String, String>,
    layers: impl IntoIterator<Item = &'a BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut env = inherited.clone();
    for layer in layers {
        env.extend(layer.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    env
}

/// Whether a variable's name marks its value as secret.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_NAME_PARTS.iter().any(|part| upper.contains(part))
}

/// The environment as the manifest records it: values of secret-looking names replaced,
/// and passwords inside URLs (`https://user:pass@proxy`) removed.
pub fn redact(env: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    env.iter()
        .map(|(name, value)| {
            let shown = if is_secret_name(name) {
                REDACTED.to_owned()
            } else {
                redact_url_credentials(value)
            };
            (name.clone(), shown)
        })
        .collect()
}

fn redact_url_credentials(value: &str) -> String {
    // Values like GOPROXY hold comma- or pipe-separated URLs.
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(scheme) = rest.find("://") {
        let authority_start = scheme + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let authority_end = after.find(['/', ',', '|', ' ']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_the_allowlist_and_pass_env_are_inherited() {
        let parent = vars(&[
            ("PATH", "/bin"),
            ("GOFLAGS", "-race"),
            ("CGO_ENABLED", "1"),
            ("CC", "gcc"),
            ("GOPROXY", "https://proxy"),
            ("MY_VAR", "x"),
            ("OTHER", "y"),
        ]);
        let env = inherited_env(&parent, &["MY_VAR".to_owned()]);
        let names: Vec<&str> = env.keys().map(String::as_str).collect();
        assert_eq!(names, ["GOPROXY", "MY_VAR", "PATH"]);
    }

    #[test]
    fn later_layers_win() {
        let base = BTreeMap::from([
            ("A".to_owned(), "1".to_owned()),
            ("B".to_owned(), "1".to_owned()),
        ]);
        let plan = BTreeMap::from([("B".to_owned(), "2".to_owned())]);
        let env = overlay(&base, [&plan]);
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "2");
    }

    #[test]
    fn secrets_are_redacted() {
        let env = BTreeMap::from([
            ("GITHUB_TOKEN".to_owned(), "ghp_x".to_owned()),
            ("aws_secret_access_key".to_owned(), "s".to_owned()),
            ("DB_PASSWORD".to_owned(), "p".to_owned()),
            (
                "HTTPS_PROXY".to_owned(),
                "http://me:hunter2@proxy:3128".to_owned(),
            ),
            (
                "GOPROXY".to_owned(),
                "https://u:p@a.example/x,https://b.example|direct".to_owned(),
            ),
            ("GOOS".to_owned(), "linux".to_owned()),
        ]);
        let shown = redact(&env);
        assert_eq!(shown["GITHUB_TOKEN"], REDACTED);
        assert_eq!(shown["aws_secret_access_key"], REDACTED);
        assert_eq!(shown["DB_PASSWORD"], REDACTED);
        assert_eq!(shown["HTTPS_PROXY"], "http://[redacted]@proxy:3128");
        assert_eq!(
            shown["GOPROXY"],
            "https://[redacted]@a.example/x,https://b.example|direct"
        );
        assert_eq!(shown["GOOS"], "linux");
    }
}
