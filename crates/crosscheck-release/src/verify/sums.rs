//! Reads a `SHA256SUMS` file as `sha256sum -c` does, refusing any path that would make the
//! verifier read outside the release directory.

use crosscheck_schema::dist::stays_inside;

/// One line of `SHA256SUMS`: a file and the digest it must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFile {
    /// The path relative to the directory, unescaped.
    pub path: String,
    /// The SHA-256, lowercase hex.
    pub sha256: String,
    /// The 1-based line it is on.
    pub line: usize,
}

/// A line of `SHA256SUMS` that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}{}", hint.map(|h| format!(" (hint: {h})")).unwrap_or_default())]
pub struct SumsError {
    /// The checksum file's name, as the message shows it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<&'static str>,
}

const DIGEST_LEN: usize = 64;

/// Parses `text`, the contents of the checksum file `file`, line by line: the usable lines,
/// and an error for each line that is not (a bad line does not hide the good ones).
///
/// The format is GNU coreutils': optional leading blanks, `\` when the name is escaped, 64 hex
/// digits, one blank, then ` ` (text) or `*` (binary) and the name up to the end of the line.
/// Blank lines are skipped, a `\r` before the newline is dropped. A name that is absolute,
/// holds a `..` part or a NUL is refused: a hostile checksum file must not point the verifier
/// at `/etc/shadow`. A path listed twice is refused as well: which digest would count?
pub fn parse_sha256sums(file: &str, text: &str) -> (Vec<ListedFile>, Vec<SumsError>) {
    let mut listed: Vec<ListedFile> = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let error = |column: usize, message: String, hint: Option<&'static str>| SumsError {
            file: file.to_owned(),
            line: number,
            column,
            message,
            hint,
        };
        match parse_line(line) {
            Err((column, message, hint)) => errors.push(error(column, message, hint)),
            Ok((sha256, path)) => {
                if let Some(first) = listed.iter().find(|l| l.path == path) {
                    errors.push(error(
                        1,
                        format!("{path:?} is listed twice (first on line {})", first.line),
                        Some("each file must be listed once"),
                    ));
                    continue;
                }
                listed.push(ListedFile {
                    path,
                    sha256,
                    line: number,
                });
            }
        }
    }
    (listed, errors)
}

type LineError = (usize, String, Option<&'static str>);

/// One non-blank line: the digest (lowercase) and the unescaped, checked path.
fn parse_line(line: &str) -> Result<(String, String), LineError> {
    let chars: Vec<char> = line.chars().collect();
    let mut at = chars
        .iter()
        .take_while(|c| **c == ' ' || **c == '\t')
        .count();
    let escaped = chars.get(at) == Some(&'\\');
    if escaped {
        at += 1;
    }
    let digest: String = chars
        .iter()
        .skip(at)
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    if digest.len() != DIGEST_LEN {
        let found = chars
            .iter()
            .skip(at)
            .take(DIGEST_LEN + 1)
            .collect::<String>();
        return Err((
            at + 1,
            format!("expected a SHA-256 of 64 hex digits, found {found:?}"),
            Some("each line is `<sha256>  <file>`, as `sha256sum` writes it"),
        ));
    }
    at += DIGEST_LEN;
    match chars.get(at) {
        Some(' ' | '\t') => at += 1,
        _ => {
            return Err((
                at + 1,
                "expected a blank between the digest and the file name".to_owned(),
                Some("each line is `<sha256>  <file>`, as `sha256sum` writes it"),
            ));
        }
    }
    // The mode mark: ' ' text, '*' binary; both hash the same bytes on Unix.
    if matches!(chars.get(at), Some(' ' | '*')) {
        at += 1;
    }
    let name: String = chars[at.min(chars.len())..].iter().collect();
    let path = if escaped { unescape(&name) } else { Ok(name) }
        .map_err(|message| (at + 1, message, None))?;
    check_path(&path).map_err(|message| {
        (
            at + 1,
            message,
            Some("a checksum file lists files inside its own directory"),
        )
    })?;
    Ok((digest.to_ascii_lowercase(), path))
}

/// GNU's escaping, undone: `\\` is a backslash, `\n` a newline, `\r` a carriage return.
fn unescape(name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            other => {
                return Err(format!(
                    "unknown escape \\{} in the file name",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the file name is missing".to_owned());
    }
    if path.contains('\0') {
        return Err(format!("{path:?} holds a NUL byte"));
    }
    if !stays_inside(path) {
        return Err(format!(
            "{path:?} points outside the directory (absolute, or a `..` part): refused"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscheck_schema::Artifact;
    use crosscheck_schema::dist::sha256sums;

    const A: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    fn parse(text: &str) -> (Vec<(String, String)>, Vec<String>) {
        let (listed, errors) = parse_sha256sums("SHA256SUMS", text);
        (
            listed.into_iter().map(|l| (l.sha256, l.path)).collect(),
            errors.into_iter().map(|e| e.to_string()).collect(),
        )
    }

    fn one(path: &str) -> Vec<(String, String)> {
        vec![(A.to_owned(), path.to_owned())]
    }

    #[test]
    fn text_and_binary_marks() {
        assert_eq!(parse(&format!("{A}  app\n")), (one("app"), vec![]));
        assert_eq!(parse(&format!("{A} *app.exe\n")), (one("app.exe"), vec![]));
        // One blank and no mark: the name starts right after it.
        assert_eq!(parse(&format!("{A} app")), (one("app"), vec![]));
    }

    #[test]
    fn odd_whitespace() {
        let upper = A.to_ascii_uppercase();
        let text = format!("\n  {upper}\t app\r\n\r\n   \n{A}   spaced name \n");
        let (listed, errors) = parse(&text);
        assert_eq!(errors, Vec::<String>::new());
        // Blanks after the mark belong to the name, as for sha256sum -c.
        assert_eq!(
            listed,
            vec![
                (A.to_owned(), "app".to_owned()),
                (A.to_owned(), " spaced name ".to_owned())
            ]
        );
    }

    #[test]
    fn escaped_names_round_trip_with_the_writer() {
        let artifact = |relative: &str| Artifact {
            path: relative.into(),
            relative: relative.to_owned(),
            size: 0,
            sha256: A.to_owned(),
        };
        let written = sha256sums(&[
            artifact("back\\slash"),
            artifact("new\nline"),
            artifact("b"),
        ]);
        let (listed, errors) = parse(&written);
        assert_eq!(errors, Vec::<String>::new());
        let paths: Vec<&str> = listed.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(paths, ["b", "back\\slash", "new\nline"]);
    }

    #[test]
    fn paths_outside_the_directory_are_refused() {
        for (path, column) in [("/etc/shadow", 67), ("../x", 67), ("a/../../b", 67)] {
            let (listed, errors) = parse(&format!("{A}  {path}\n{A}  ok\n"));
            assert_eq!(listed, one("ok"), "{path}");
            assert_eq!(errors.len(), 1, "{path}");
            assert!(
                errors[0].starts_with(&format!("SHA256SUMS:1:{column}: "))
                    && errors[0].contains("points outside the directory"),
                "{path}: {}",
                errors[0]
            );
        }
        let (_, errors) = parse(&format!("\\{A}  a\\\\..\\\\b\n"));
        assert_eq!(errors.len(), 1, "an escaped `..` is still `..`");
    }

    #[test]
    fn malformed_lines_say_where() {
        let (listed, errors) = parse(&format!(
            "{A}  ok\nnot a checksum\n{}  short\n{A}x\n",
            &A[..10]
        ));
        assert_eq!(listed, one("ok"));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].starts_with("SHA256SUMS:2:1: expected a SHA-256"),
            "{}",
            errors[0]
        );
        assert!(errors[0].contains("(hint: each line is"), "{}", errors[0]);
        assert!(errors[1].starts_with("SHA256SUMS:3:1: "), "{}", errors[1]);
        assert!(
            errors[2].starts_with("SHA256SUMS:4:65: expected a blank"),
            "{}",
            errors[2]
        );
        let (_, errors) = parse(&format!("{A}  \n"));
        assert!(errors[0].contains("the file name is missing"), "{errors:?}");
        let (_, errors) = parse(&format!("\\{A}  bad\\q\n"));
        assert!(errors[0].contains("unknown escape \\q"), "{errors:?}");
    }

    #[test]
    fn a_path_listed_twice_is_refused() {
        let (listed, errors) = parse(&format!("{A}  app\n{A} *app\n"));
        assert_eq!(listed, one("app"));
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].contains("listed twice (first on line 1)"),
            "{errors:?}"
        );
    }
}
