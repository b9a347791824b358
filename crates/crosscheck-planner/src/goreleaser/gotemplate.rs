//! The part of Go's `text/template` that GoReleaser configs use in names and flags: text,
//! `{{ .Field }}` with pipelines and function calls, `if`/`else if`/`else`, `with`, the
//! `{{-`/`-}}` trim markers and comments. [`parse`] turns a template into [`Node`]s and
//! [`evaluate`] runs them over known field values, so that the converter can compute what a
//! template gives for each target and find the crosscheck template that gives the same.
//! `range`, variables and `define` are refused with a message: the converter reports such
//! templates instead of guessing.

use std::fmt;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// Text outside actions, trim markers applied.
    Text(String),
    /// `{{ pipeline }}`, with its source for messages.
    Action { pipeline: Pipeline, source: String },
    /// `{{ if a }}..{{ else if b }}..{{ else }}..{{ end }}`.
    If {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
        source: String,
    },
    /// `{{ with a }}..{{ else }}..{{ end }}`: the body sees the value as `.`.
    With {
        pipeline: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
        source: String,
    },
}

/// Commands joined by `|`: each command's result is the last argument of the next.
pub(crate) type Pipeline = Vec<Command>;
/// A function name and its arguments, or one operand.
pub(crate) type Command = Vec<Arg>;

/// An operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    /// `.A.B`; an empty path is `.` itself.
    Field(Vec<String>),
    Str(String),
    Bool(bool),
    Number(String),
    /// A function name.
    Func(String),
    /// `( pipeline )`.
    Sub(Pipeline),
}

/// A value during evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    Bool(bool),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Str(text) => !text.is_empty(),
            Value::Bool(value) => *value,
        }
    }

    fn into_text(self) -> String {
        match self {
            Value::Str(text) => text,
            Value::Bool(value) => value.to_string(),
        }
    }
}

impl Node {
    /// The node as written, for messages.
    pub fn source(&self) -> &str {
        match self {
            Node::Text(text) => text,
            Node::Action { source, .. } | Node::If { source, .. } | Node::With { source, .. } => {
                source
            }
        }
    }
}

/// Why a template cannot be read or evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn error<T>(message: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError(message.into()))
}

/// Parses a template.
pub(crate) fn parse(source: &str) -> Result<Vec<Node>, TemplateError> {
    let tokens = split_actions(source)?;
    let mut depth = 0usize;
    for piece in &tokens {
        let Piece::Action { inside, .. } = piece else {
            continue;
        };
        match split_keyword(inside).0 {
            "if" | "with" | "range" => depth += 1,
            "end" => depth = depth.saturating_sub(1),
            _ => {}
        }
        too_deep(depth)?;
    }
    let mut position = 0;
    let (nodes, end) = parse_list(&tokens, &mut position)?;
    match end {
        None => Ok(nodes),
        Some(keyword) => error(format!(
            "`{{{{ {keyword} }}}}` without a matching `if` or `with`"
        )),
    }
}

/// Text or an action's inside, in order.
#[derive(Debug)]
enum Piece {
    Text(String),
    Action { inside: String, source: String },
}

/// How deep conditionals and parentheses may nest: parsing and evaluation recurse, and a
/// file must not exhaust the stack (real templates nest two or three deep).
const MAX_DEPTH: usize = 64;

fn too_deep(depth: usize) -> Result<(), TemplateError> {
    if depth > MAX_DEPTH {
        return error(format!("nested more than {MAX_DEPTH} deep"));
    }
    Ok(())
}

/// Splits the source at `{{ }}`, applying trim markers to the neighbouring text.
fn split_actions(source: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = source;
    let mut trim_next_text = false;
    while let Some(open) = rest.find("{{") {
        let mut text = &rest[..open];
        if trim_next_text {
            text = text.trim_start();
        }
        let after_open = &rest[open + 2..];
        let trim_left = after_open.starts_with("- ") || after_open.starts_with("-\t");
        let Some(close) = after_open.find("}}") else {
            return error("unclosed action: `{{` without `}}`");
        };
        let mut inside = &after_open[..close];
        let trim_right = inside.ends_with(" -") || inside.ends_with("\t-");
        if trim_left {
            text = text.trim_end();
            inside = &inside[1..];
        }
        if trim_right {
            inside = &inside[..inside.len() - 1];
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text.to_owned()));
        }
        let inside = inside.trim();
        if !(inside.starts_with("/*") && inside.ends_with("*/")) {
            pieces.push(Piece::Action {
                inside: inside.to_owned(),
                source: format!("{{{{{}}}}}", &after_open[..close]),
            });
        }
        trim_next_text = trim_right;
        rest = &after_open[close + 2..];
    }
    let text = if trim_next_text {
        rest.trim_start()
    } else {
        rest
    };
    if !text.is_empty() {
        pieces.push(Piece::Text(text.to_owned()));
    }
    Ok(pieces)
}

/// Parses nodes until `end` or `else` (returned) or the end of input (`None`).
fn parse_list(
    pieces: &[Piece],
    position: &mut usize,
) -> Result<(Vec<Node>, Option<String>), TemplateError> {
    let mut nodes = Vec::new();
    while let Some(piece) = pieces.get(*position) {
        *position += 1;
        let (inside, source) = match piece {
            Piece::Text(text) => {
                nodes.push(Node::Text(text.clone()));
                continue;
            }
            Piece::Action { inside, source } => (inside.as_str(), source.clone()),
        };
        let (keyword, rest) = split_keyword(inside);
        match keyword {
            "end" | "else" => return Ok((nodes, Some(inside.to_owned()))),
            "if" => nodes.push(parse_if(rest, source, pieces, position)?),
            "with" => nodes.push(parse_with(rest, source, pieces, position)?),
            "range" | "define" | "template" | "block" | "break" | "continue" => {
                return error(format!("`{keyword}` is not supported"));
            }
            _ => nodes.push(Node::Action {
                pipeline: parse_pipeline(inside)?,
                source,
            }),
        }
    }
    Ok((nodes, None))
}

fn split_keyword(inside: &str) -> (&str, &str) {
    let end = inside
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .unwrap_or(inside.len());
    (&inside[..end], inside[end..].trim())
}

fn parse_if(
    condition: &str,
    source: String,
    pieces: &[Piece],
    position: &mut usize,
) -> Result<Node, TemplateError> {
    let mut branches = Vec::new();
    let mut condition = parse_pipeline(condition)?;
    let mut source = source;
    loop {
        let (body, end) = parse_list(pieces, position)?;
        branches.push((condition, body));
        let Some(end) = end else {
            return error("`if` without `{{ end }}`");
        };
        if end == "end" {
            return Ok(Node::If {
                branches,
                otherwise: Vec::new(),
                source: close_source(source),
            });
        }
        let rest = end.strip_prefix("else").unwrap_or_default().trim();
        if let Some(next) = rest.strip_prefix("if ") {
            condition = parse_pipeline(next)?;
            source.push_str(" .. else if");
            continue;
        }
        if !rest.is_empty() {
            return error(format!("`else {rest}` is not supported"));
        }
        let (otherwise, end) = parse_list(pieces, position)?;
        if end.as_deref() != Some("end") {
            return error("`else` without `{{ end }}`");
        }
        return Ok(Node::If {
            branches,
            otherwise,
            source: close_source(source),
        });
    }
}

fn parse_with(
    value: &str,
    source: String,
    pieces: &[Piece],
    position: &mut usize,
) -> Result<Node, TemplateError> {
    let pipeline = parse_pipeline(value)?;
    let (body, end) = parse_list(pieces, position)?;
    let otherwise = match end.as_deref() {
        Some("end") => Vec::new(),
        Some("else") => {
            let (otherwise, end) = parse_list(pieces, position)?;
            if end.as_deref() != Some("end") {
                return error("`else` without `{{ end }}`");
            }
            otherwise
        }
        _ => return error("`with` without `{{ end }}`"),
    };
    Ok(Node::With {
        pipeline,
        body,
        otherwise,
        source: close_source(source),
    })
}

/// How a control structure is named in messages: its opening action and `{{ end }}`.
fn close_source(source: String) -> String {
    format!("{source} .. {{{{ end }}}}")
}

/// Parses `a | f b (g .C)`.
fn parse_pipeline(text: &str) -> Result<Pipeline, TemplateError> {
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        too_deep(depth)?;
    }
    let tokens = tokenize(text)?;
    let mut position = 0;
    let pipeline = pipeline_of(&tokens, &mut position)?;
    if position != tokens.len() {
        return error(format!("unexpected `{}`", tokens[position].text()));
    }
    Ok(pipeline)
}

#[derive(Clone, Debug)]
enum Token {
    Arg(Arg),
    Pipe,
    Open,
    Close,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Arg(arg) => format!("{arg:?}"),
            Token::Pipe => "|".to_owned(),
            Token::Open => "(".to_owned(),
            Token::Close => ")".to_owned(),
        }
    }
}

fn pipeline_of(tokens: &[Token], position: &mut usize) -> Result<Pipeline, TemplateError> {
    let mut pipeline = Vec::new();
    let mut command = Vec::new();
    while let Some(token) = tokens.get(*position) {
        match token {
            Token::Close => break,
            Token::Pipe => {
                *position += 1;
                if command.is_empty() {
                    return error("empty command before `|`");
                }
                pipeline.push(std::mem::take(&mut command));
            }
            Token::Open => {
                *position += 1;
                let inner = pipeline_of(tokens, position)?;
                if !matches!(tokens.get(*position), Some(Token::Close)) {
                    return error("unclosed `(`");
                }
                *position += 1;
                command.push(Arg::Sub(inner));
            }
            Token::Arg(arg) => {
                *position += 1;
                command.push(arg.clone());
            }
        }
    }
    if command.is_empty() {
        return error("empty action");
    }
    pipeline.push(command);
    Ok(pipeline)
}

fn tokenize(text: &str) -> Result<Vec<Token>, TemplateError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '|' => {
                chars.next();
                tokens.push(Token::Pipe);
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '"' | '`' => tokens.push(Token::Arg(Arg::Str(quoted(text, &mut chars)?))),
            '$' => return error("template variables (`$`) are not supported"),
            _ => {
                let end = text[start..]
                    .find(|c: char| c.is_whitespace() || "|()\"`".contains(c))
                    .map_or(text.len(), |i| start + i);
                let word = &text[start..end];
                while chars.peek().is_some_and(|&(i, _)| i < end) {
                    chars.next();
                }
                tokens.push(Token::Arg(word_arg(word)?));
            }
        }
    }
    Ok(tokens)
}

fn word_arg(word: &str) -> Result<Arg, TemplateError> {
    if word == "." {
        return Ok(Arg::Field(Vec::new()));
    }
    if let Some(path) = word.strip_prefix('.') {
        let parts: Vec<String> = path.split('.').map(str::to_owned).collect();
        if parts.iter().any(String::is_empty) {
            return error(format!("bad field `{word}`"));
        }
        return Ok(Arg::Field(parts));
    }
    match word {
        "true" => return Ok(Arg::Bool(true)),
        "false" => return Ok(Arg::Bool(false)),
        _ => {}
    }
    if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return Ok(Arg::Number(word.to_owned()));
    }
    if word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(Arg::Func(word.to_owned()));
    }
    error(format!("cannot read `{word}`"))
}

/// A `"..."` (with Go's common escapes) or `` `...` `` string.
fn quoted(
    text: &str,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<String, TemplateError> {
    let Some((_, quote)) = chars.next() else {
        return error("expected a string");
    };
    let mut value = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            c if c == quote => return Ok(value),
            '\\' if quote == '"' => match chars.next().map(|(_, c)| c) {
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(other) => value.push(other),
                None => break,
            },
            c => value.push(c),
        }
    }
    error(format!("unterminated string in `{text}`"))
}

/// Looks fields up: `None` for a field whose value is not known (the template then cannot
/// be evaluated).
pub(crate) trait Fields {
    /// The value of `.A.B` (`path` = `["A", "B"]`).
    fn field(&self, path: &[String]) -> Option<Value>;
}

/// Runs `nodes` with `fields` as `.`.
pub(crate) fn evaluate(nodes: &[Node], fields: &dyn Fields) -> Result<String, TemplateError> {
    let mut out = String::new();
    run(nodes, fields, None, &mut out)?;
    Ok(out)
}

fn run(
    nodes: &[Node],
    fields: &dyn Fields,
    dot: Option<&Value>,
    out: &mut String,
) -> Result<(), TemplateError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Action { pipeline, .. } => {
                out.push_str(&eval_pipeline(pipeline, fields, dot)?.into_text());
            }
            Node::If {
                branches,
                otherwise,
                ..
            } => {
                let mut taken = None;
                for (condition, body) in branches {
                    if eval_pipeline(condition, fields, dot)?.truthy() {
                        taken = Some(body);
                        break;
                    }
                }
                run(taken.unwrap_or(otherwise), fields, dot, out)?;
            }
            Node::With {
                pipeline,
                body,
                otherwise,
                ..
            } => {
                let value = eval_pipeline(pipeline, fields, dot)?;
                if value.truthy() {
                    run(body, fields, Some(&value), out)?;
                } else {
                    run(otherwise, fields, dot, out)?;
                }
            }
        }
    }
    Ok(())
}

fn eval_pipeline(
    pipeline: &Pipeline,
    fields: &dyn Fields,
    dot: Option<&Value>,
) -> Result<Value, TemplateError> {
    let mut previous: Option<Value> = None;
    for command in pipeline {
        previous = Some(eval_command(command, previous, fields, dot)?);
    }
    previous.map_or_else(|| error("empty pipeline"), Ok)
}

fn eval_command(
    command: &Command,
    piped: Option<Value>,
    fields: &dyn Fields,
    dot: Option<&Value>,
) -> Result<Value, TemplateError> {
    let Some((first, rest)) = command.split_first() else {
        return error("empty command");
    };
    let Arg::Func(name) = first else {
        if !rest.is_empty() || piped.is_some() {
            return error("only functions take arguments");
        }
        return eval_arg(first, fields, dot);
    };
    let mut args = rest
        .iter()
        .map(|arg| eval_arg(arg, fields, dot))
        .collect::<Result<Vec<_>, _>>()?;
    args.extend(piped);
    call(name, args)
}

fn eval_arg(arg: &Arg, fields: &dyn Fields, dot: Option<&Value>) -> Result<Value, TemplateError> {
    match arg {
        Arg::Field(path) if path.is_empty() => match dot {
            Some(value) => Ok(value.clone()),
            None => error("`.` outside `with` is not supported"),
        },
        Arg::Field(path) => match fields.field(path) {
            Some(value) => Ok(value),
            None => error(format!("`.{}` has no equivalent", path.join("."))),
        },
        Arg::Str(text) | Arg::Number(text) => Ok(Value::Str(text.clone())),
        Arg::Bool(value) => Ok(Value::Bool(*value)),
        Arg::Func(name) => call(name, Vec::new()),
        Arg::Sub(pipeline) => eval_pipeline(pipeline, fields, dot),
    }
}

/// The functions GoReleaser templates use that have a meaning independent of the machine.
fn call(name: &str, args: Vec<Value>) -> Result<Value, TemplateError> {
    let text = |index: usize| -> Result<String, TemplateError> {
        args.get(index)
            .cloned()
            .map(Value::into_text)
            .map_or_else(|| error(format!("`{name}` needs more arguments")), Ok)
    };
    let value = match name {
        "eq" => {
            let first = text(0)?;
            Value::Bool(
                args.iter()
                    .skip(1)
                    .any(|other| other.clone().into_text() == first),
            )
        }
        "ne" => Value::Bool(text(0)? != text(1)?),
        "not" => Value::Bool(!args.first().is_some_and(Value::truthy)),
        "and" => args
            .iter()
            .find(|value| !value.truthy())
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Bool(true)),
        "or" => args
            .iter()
            .find(|value| value.truthy())
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Bool(false)),
        "title" => Value::Str(title_case(&text(0)?)),
        "tolower" => Value::Str(text(0)?.to_lowercase()),
        "toupper" => Value::Str(text(0)?.to_uppercase()),
        "trim" => Value::Str(text(0)?.trim().to_owned()),
        "trimprefix" => Value::Str(
            text(0)?
                .strip_prefix(&text(1)?)
                .map_or(text(0)?, str::to_owned),
        ),
        "trimsuffix" => Value::Str(
            text(0)?
                .strip_suffix(&text(1)?)
                .map_or(text(0)?, str::to_owned),
        ),
        "replace" => Value::Str(text(0)?.replace(&text(1)?, &text(2)?)),
        "contains" => Value::Bool(text(0)?.contains(&text(1)?)),
        other => return error(format!("function `{other}` has no equivalent")),
    };
    Ok(value)
}

/// golang.org/x/text's English title case as GoReleaser's `title` applies it to the short
/// words of names: the first letter of each word upper, the rest lower.
fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for c in text.chars() {
        if at_word_start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        at_word_start = c.is_whitespace();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Map(Vec<(&'static str, &'static str)>);

    impl Fields for Map {
        fn field(&self, path: &[String]) -> Option<Value> {
            let name = path.join(".");
            self.0
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| Value::Str((*value).to_owned()))
        }
    }

    fn render(template: &str, fields: &[(&'static str, &'static str)]) -> String {
        evaluate(&parse(template).unwrap(), &Map(fields.to_vec())).unwrap()
    }

    #[test]
    fn fields_functions_and_pipes() {
        let fields = [("Os", "darwin"), ("Arch", "amd64"), ("Version", "1.2.3")];
        assert_eq!(render("{{ .Os }}_{{.Arch}}", &fields), "darwin_amd64");
        assert_eq!(render("{{ title .Os }}", &fields), "Darwin");
        assert_eq!(render("{{ .Os | toupper }}", &fields), "DARWIN");
        assert_eq!(render("{{ trimprefix .Version \"1.\" }}", &fields), "2.3");
        assert_eq!(
            render("{{ replace .Os \"dar\" \"mac\" }}", &fields),
            "macwin"
        );
    }

    #[test]
    fn conditionals_with_and_trim_markers() {
        let template = "{{ if eq .Arch \"amd64\" }}x86_64{{ else if eq .Arch \"386\" }}i386{{ else }}{{ .Arch }}{{ end }}";
        assert_eq!(render(template, &[("Arch", "amd64")]), "x86_64");
        assert_eq!(render(template, &[("Arch", "386")]), "i386");
        assert_eq!(render(template, &[("Arch", "arm64")]), "arm64");
        let with = "{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}";
        assert_eq!(render(with, &[("Arch", "arm"), ("Arm", "6")]), "armv6");
        assert_eq!(render(with, &[("Arch", "amd64"), ("Arm", "")]), "amd64");
        let trimmed = "{{- .Os }}_\n  {{- .Arch -}}\n  _x";
        assert_eq!(
            render(trimmed, &[("Os", "linux"), ("Arch", "arm")]),
            "linux_arm_x"
        );
        assert_eq!(
            render(
                "{{ if not (eq .Amd64 \"v1\") }}{{ .Amd64 }}{{ end }}",
                &[("Amd64", "v3")]
            ),
            "v3"
        );
        assert_eq!(render("a{{/* note */}}b", &[]), "ab");
    }

    #[test]
    fn unknown_fields_and_functions_are_errors() {
        let nodes = parse("{{ .IsSnapshot }}").unwrap();
        assert!(evaluate(&nodes, &Map(vec![])).is_err());
        let nodes = parse("{{ incpatch .Version }}").unwrap();
        let err = evaluate(&nodes, &Map(vec![("Version", "1")])).unwrap_err();
        assert!(err.0.contains("incpatch"), "{err}");
    }

    #[test]
    fn malformed_templates_are_errors() {
        for bad in [
            "{{ .Os",
            "{{ if .Os }}x",
            "{{ end }}",
            "{{ range .X }}{{ end }}",
            "{{ $x := 1 }}",
            "{{ (.Os }}",
            &"{{ if .Os }}".repeat(100),
            &format!("{{{{ {}.Os{} }}}}", "(".repeat(100), ")".repeat(100)),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
