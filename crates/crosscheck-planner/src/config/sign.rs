//! `[sign]`: checked into the plan's [`PlannedSigning`]. Every key is named by the
//! environment variables that hold it, so the checks here are about names and shapes: a
//! name that cannot be a variable (or looks like a secret pasted in), an unknown macOS mode,
//! a time-stamping URL that is not HTTP. Whether the variables are set is the CLI's question
//! at run time (`plan` warns, `build` stops before any compile).

use crosscheck_schema::{
    CodeIdentity, CodeSigning, GpgKey, MinisignKey, PlannedCodeSign, PlannedSigning, SignTool,
};
use toml::Spanned;

use super::raw::{RawMacosSign, RawPkcs12, RawSign};
use super::{Checker, is_env_name};
use crate::{closest, did_you_mean};

/// The words `macos = "..."` takes.
const MACOS_MODES: [&str; 1] = ["adhoc"];

impl Checker {
    /// `[sign]`: at least one of its keys, each well formed.
    pub(super) fn sign(&mut self, raw: Spanned<RawSign>) -> Option<PlannedSigning> {
        let span = raw.span();
        let raw = raw.into_inner();
        let empty = raw.minisign.is_none()
            && raw.gpg.is_none()
            && raw.windows.is_none()
            && raw.macos.is_none();
        let signing = PlannedSigning {
            minisign: raw.minisign.and_then(|minisign| {
                let minisign = minisign.into_inner();
                let key_env = self.sign_env_name(minisign.key_env);
                let password_env = match minisign.password_env {
                    Some(name) => Some(self.sign_env_name(name)?),
                    None => None,
                };
                Some(MinisignKey {
                    key_env: key_env?,
                    password_env,
                })
            }),
            gpg: raw.gpg.and_then(|gpg| {
                let key = gpg.into_inner().key;
                if key.get_ref().trim().is_empty() {
                    self.error(
                        "the gpg `key` is empty (hint: a key id, fingerprint or e-mail address, as `gpg --local-user` takes)",
                        key.span(),
                    );
                    return None;
                }
                Some(GpgKey {
                    local_user: key.into_inner(),
                })
            }),
            windows: raw
                .windows
                .and_then(|windows| self.pkcs12(windows.into_inner())),
            macos: raw.macos.and_then(|macos| self.macos(macos)),
        };
        if empty {
            self.error(
                "`[sign]` signs nothing (hint: add `minisign`, `gpg`, `windows` or `macos`, or drop the table)",
                span,
            );
        }
        Some(signing)
    }

    /// `macos = "adhoc"` or a PKCS#12 table.
    fn macos(&mut self, raw: Spanned<RawMacosSign>) -> Option<CodeSigning> {
        let span = raw.span();
        match raw.into_inner() {
            RawMacosSign::Word(word) if word == "adhoc" => Some(CodeSigning {
                identity: CodeIdentity::Adhoc,
                timestamp_url: None,
            }),
            RawMacosSign::Word(word) => {
                self.error(
                    format!(
                        "unknown macOS signing mode {word:?}{}",
                        match closest(&word, MACOS_MODES) {
                            Some(mode) => did_you_mean(Some(mode)),
                            None => " (hint: \"adhoc\", or a table `{ pkcs12_env = \"...\", password_env = \"...\" }` for a certificate)".to_owned(),
                        }
                    ),
                    span,
                );
                None
            }
            RawMacosSign::Pkcs12(pkcs12) => self.pkcs12(pkcs12),
        }
    }

    /// A certificate: its variables, and the time-stamping server if any.
    fn pkcs12(&mut self, raw: RawPkcs12) -> Option<CodeSigning> {
        let pkcs12_env = self.sign_env_name(raw.pkcs12_env);
        let password_env = self.sign_env_name(raw.password_env);
        let timestamp_url = match raw.timestamp_url {
            Some(url) => Some(self.timestamp_url(url)?),
            None => None,
        };
        Some(CodeSigning {
            identity: CodeIdentity::Pkcs12 {
                pkcs12_env: pkcs12_env?,
                password_env: password_env?,
            },
            timestamp_url,
        })
    }

    /// A key's variable name; a value that cannot be one is probably the secret itself.
    fn sign_env_name(&mut self, name: Spanned<String>) -> Option<String> {
        if is_env_name(name.get_ref()) {
            return Some(name.into_inner());
        }
        // Never echo the value: it may be the very secret the file must not hold.
        self.error(
            "not an environment variable name (hint: `[sign]` names the variables that hold the key file's path and its password, e.g. \"MINISIGN_KEY_FILE\"; never write a secret into matrix.toml)",
            name.span(),
        );
        None
    }

    fn timestamp_url(&mut self, url: Spanned<String>) -> Option<String> {
        let text = url.get_ref();
        if text.starts_with("http://") || text.starts_with("https://") {
            return Some(url.into_inner());
        }
        self.error(
            format!("timestamp_url {text:?} is not an http:// or https:// URL (hint: an RFC 3161 time-stamping server)"),
            url.span(),
        );
        None
    }
}

/// How a target's artifact is signed under `signing`: windows executables with
/// osslsigncode, darwin Mach-O files with rcodesign, nothing else (ELF, wasm and the rest
/// have no embedded signature a loader checks).
pub(crate) fn code_sign(signing: &PlannedSigning, goos: &str) -> Option<PlannedCodeSign> {
    match goos {
        "windows" => signing.windows.as_ref().map(|windows| PlannedCodeSign {
            tool: SignTool::Osslsigncode,
            identity: windows.identity.clone(),
            timestamp_url: windows.timestamp_url.clone(),
        }),
        "darwin" => signing.macos.as_ref().map(|macos| PlannedCodeSign {
            tool: SignTool::Rcodesign,
            identity: macos.identity.clone(),
            timestamp_url: macos.timestamp_url.clone(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crosscheck_schema::{CodeIdentity, SignTool};

    use super::code_sign;
    use crate::config::{Config, ConfigErrors};
    use crate::diagnostic::SourceFile;

    const HEAD: &str = "version = 1\n[matrix]\ntargets = [\"linux/arm64\"]\n[sign]\n";

    fn parse(sign: &str) -> Result<Config, ConfigErrors> {
        Config::parse(SourceFile::new("matrix.toml", format!("{HEAD}{sign}")))
    }

    #[test]
    fn every_key_reaches_the_plan_by_variable_name() {
        let config = parse(
            "minisign = { key_env = \"MS_KEY\", password_env = \"MS_PASS\" }\n\
             gpg = { key = \"release@example.com\" }\n\
             windows = { pkcs12_env = \"PFX\", password_env = \"PFX_PASS\", timestamp_url = \"http://ts.example\" }\n\
             macos = \"adhoc\"\n",
        )
        .unwrap();
        let signing = config.sign.unwrap();
        assert!(signing.signs_checksums());
        let minisign = signing.minisign.clone().unwrap();
        assert_eq!(
            (minisign.key_env.as_str(), minisign.password_env.as_deref()),
            ("MS_KEY", Some("MS_PASS"))
        );
        assert_eq!(
            signing.gpg.clone().unwrap().local_user,
            "release@example.com"
        );
        let windows = code_sign(&signing, "windows").unwrap();
        assert_eq!(windows.tool, SignTool::Osslsigncode);
        assert_eq!(windows.timestamp_url.as_deref(), Some("http://ts.example"));
        let darwin = code_sign(&signing, "darwin").unwrap();
        assert_eq!(
            (darwin.tool, darwin.identity),
            (SignTool::Rcodesign, CodeIdentity::Adhoc)
        );
        assert_eq!(code_sign(&signing, "linux"), None);
    }

    #[test]
    fn a_macos_certificate_is_a_table() {
        let config =
            parse("macos = { pkcs12_env = \"P12\", password_env = \"P12_PASS\" }\n").unwrap();
        assert!(matches!(
            config.sign.unwrap().macos.map(|macos| macos.identity),
            Some(CodeIdentity::Pkcs12 { pkcs12_env, .. }) if pkcs12_env == "P12"
        ));
    }

    #[test]
    fn bad_values_point_at_themselves_and_never_echo_a_secret() {
        let err = parse(
            "minisign = { key_env = \"correct horse battery\" }\nmacos = \"adhok\"\n\
             windows = { pkcs12_env = \"P\", password_env = \"Q\", timestamp_url = \"ts.example\" }\n",
        )
        .unwrap_err();
        let text = err
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>();
        assert_eq!(text.len(), 3, "{err}");
        assert!(
            text[0].starts_with("not an environment variable name"),
            "{}",
            text[0]
        );
        assert!(!text[0].contains("horse"));
        assert!(
            text.iter().any(|m| m.contains("did you mean \"adhoc\"")),
            "{err}"
        );
        assert!(
            text.iter()
                .any(|m| m.contains("not an http:// or https:// URL")),
            "{err}"
        );
        assert_eq!(err.first_location(), Some((5, 24)));
    }

    #[test]
    fn unknown_keys_and_an_empty_table_are_errors() {
        let err = parse("minisign = { key_env = \"K\", pasword_env = \"P\" }\n").unwrap_err();
        assert!(
            err.to_string().contains("did you mean `password_env`"),
            "{err}"
        );
        let err = parse("").unwrap_err();
        assert!(err.to_string().contains("`[sign]` signs nothing"), "{err}");
    }
}
