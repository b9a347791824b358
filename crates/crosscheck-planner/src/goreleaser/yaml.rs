//! A YAML document as a tree whose every node knows its line and column.
//!
//! yaml-rust2's own `Yaml` tree forgets positions, and every finding of the converter names
//! a line, so the tree is built here from the parser's marked events. Aliases are resolved
//! (a copy of the anchored node, placed at the alias), and `<<` merge keys are applied as
//! go-yaml, which GoReleaser reads its file with, applies them: keys written in the mapping
//! win over merged ones.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where a node starts: byte offset, 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// One node of the document.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    pub at: Mark,
}

/// What a node holds. Scalars keep their text: GoReleaser reads `goarm: 6` into a string,
/// so whether a scalar is a number is the reader's business, not the tree's.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// `~`, `null`, or nothing at all after a key.
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A document that is not YAML, with where the parser gave up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub message: String,
    pub at: Mark,
}

impl Node {
    /// The scalar's text, `None` for anything else.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(text) => Some(text),
            _ => None,
        }
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// What kind of node this is, in words, for messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "nothing",
            Kind::Scalar(_) => "a single value",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

/// Parses the first document of `text`; an empty file is a `Null` node.
pub(crate) fn parse(text: &str) -> Result<Node, YamlError> {
    let mut builder = TreeBuilder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|error| YamlError {
            message: error.info().to_owned(),
            at: mark_of(*error.marker(), text),
        })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    let root = builder.root.unwrap_or(Node {
        kind: Kind::Null,
        at: Mark {
            index: 0,
            line: 1,
            column: 1,
        },
    });
    Ok(fix_offsets(root, text))
}

/// yaml-rust2 counts characters, not bytes; the diagnostics count bytes.
fn mark_of(marker: Marker, text: &str) -> Mark {
    Mark {
        index: byte_offset(text, marker.index()),
        line: marker.line(),
        column: marker.col() + 1,
    }
}

fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(offset, _)| offset)
}

/// Marks were recorded in characters while building; turn every one into bytes.
fn fix_offsets(mut node: Node, text: &str) -> Node {
    fn walk(node: &mut Node, offsets: &[usize], text_len: usize) {
        node.at.index = offsets.get(node.at.index).copied().unwrap_or(text_len);
        match &mut node.kind {
            Kind::Seq(items) => items.iter_mut().for_each(|n| walk(n, offsets, text_len)),
            Kind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                walk(k, offsets, text_len);
                walk(v, offsets, text_len);
            }),
            Kind::Null | Kind::Scalar(_) => {}
        }
    }
    if text.is_ascii() {
        return node;
    }
    let offsets: Vec<usize> = text.char_indices().map(|(offset, _)| offset).collect();
    walk(&mut node, &offsets, text.len());
    node
}

/// A collection being read: its items so far, where it started and its anchor.
enum Frame {
    Seq {
        items: Vec<Node>,
        at: Mark,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        at: Mark,
        anchor: usize,
    },
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    error: Option<YamlError>,
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        // Character offsets for now: `fix_offsets` turns them into bytes at the end.
        let at = Mark {
            index: marker.index(),
            line: marker.line(),
            column: marker.col() + 1,
        };
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let null = style == TScalarStyle::Plain
                    && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                let kind = if null { Kind::Null } else { Kind::Scalar(text) };
                self.complete(Node { kind, at }, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                items: Vec::new(),
                at,
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                entries: Vec::new(),
                key: None,
                at,
                anchor,
            }),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(anchor) => match self.anchors.get(&anchor) {
                Some(node) => {
                    let node = Node {
                        kind: node.kind.clone(),
                        at,
                    };
                    self.complete(node, 0);
                }
                None => {
                    self.error.get_or_insert(YamlError {
                        message: "alias to an unknown anchor".to_owned(),
                        at,
                    });
                }
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

impl TreeBuilder {
    fn close(&mut self) {
        // yaml-rust2 marks a block collection where it noticed it (after the first key of
        // a mapping); its first item is where it starts as a reader sees it.
        let earliest = |at: Mark, first: Option<Mark>| match first {
            Some(first) if first.index < at.index => first,
            _ => at,
        };
        let node = match self.stack.pop() {
            Some(Frame::Seq { items, at, anchor }) => (
                Node {
                    at: earliest(at, items.first().map(|item| item.at)),
                    kind: Kind::Seq(items),
                },
                anchor,
            ),
            Some(Frame::Map {
                entries,
                at,
                anchor,
                ..
            }) => (
                Node {
                    at: earliest(at, entries.first().map(|(key, _)| key.at)),
                    kind: Kind::Map(apply_merge_keys(entries)),
                },
                anchor,
            ),
            None => return,
        };
        self.complete(node.0, node.1);
    }

    /// A node is finished: remember its anchor and put it where it belongs.
    fn complete(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => {
                self.root.get_or_insert(node);
            }
        }
    }
}

/// Applies `<<: *anchor` and `<<: [*a, *b]`: the merged mappings' keys are added unless
/// the mapping has them itself (earlier merged mappings win over later ones).
fn apply_merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return entries;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(k, _)| k.as_str() == Some("<<"));
    for (_, value) in merges {
        let sources = match value.kind {
            Kind::Seq(items) => items,
            _ => vec![value],
        };
        for source in sources {
            if let Kind::Map(merged) = source.kind {
                for (key, value) in merged {
                    let present = own
                        .iter()
                        .any(|(k, _)| k.as_str().is_some() && k.as_str() == key.as_str());
                    if !present {
                        own.push((key, value));
                    }
                }
            }
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar_at(node: &Node, key: &str) -> (String, usize, usize) {
        let value = node.get(key).unwrap();
        (
            value.as_str().unwrap_or("<not a scalar>").to_owned(),
            value.at.line,
            value.at.column,
        )
    }

    #[test]
    fn nodes_know_their_line_and_column() {
        let doc = parse("version: 2\nbuilds:\n  - id: x\n    goos: [linux, \"darwin\"]\n").unwrap();
        assert_eq!(scalar_at(&doc, "version"), ("2".to_owned(), 1, 10));
        let Kind::Seq(builds) = &doc.get("builds").unwrap().kind else {
            panic!("builds is a list")
        };
        assert_eq!(scalar_at(&builds[0], "id"), ("x".to_owned(), 3, 9));
        let Kind::Seq(goos) = &builds[0].get("goos").unwrap().kind else {
            panic!("goos is a list")
        };
        assert_eq!((goos[1].at.line, goos[1].at.column), (4, 19));
    }

    #[test]
    fn offsets_are_bytes_even_after_multibyte_characters() {
        let text = "# héllo wörld\nproject_name: tool\n";
        let doc = parse(text).unwrap();
        let name = doc.get("project_name").unwrap();
        assert_eq!(&text[name.at.index..name.at.index + 4], "tool");
    }

    #[test]
    fn empty_values_are_null_and_quoted_ones_are_not() {
        let doc = parse("a:\nb: ~\nc: \"\"\nd: null\n").unwrap();
        assert!(matches!(doc.get("a").unwrap().kind, Kind::Null));
        assert!(matches!(doc.get("b").unwrap().kind, Kind::Null));
        assert_eq!(doc.get("c").unwrap().as_str(), Some(""));
        assert!(matches!(doc.get("d").unwrap().kind, Kind::Null));
        assert!(matches!(parse("").unwrap().kind, Kind::Null));
    }

    #[test]
    fn aliases_copy_the_anchor_and_merge_keys_fill_in_missing_keys() {
        let text = "defaults: &d\n  goos: [linux]\n  binary: base\nbuilds:\n  - <<: *d\n    binary: own\n  - *d\n";
        let doc = parse(text).unwrap();
        let Kind::Seq(builds) = &doc.get("builds").unwrap().kind else {
            panic!("builds is a list")
        };
        assert_eq!(builds[0].get("binary").unwrap().as_str(), Some("own"));
        assert!(builds[0].get("goos").is_some());
        assert_eq!(builds[1].get("binary").unwrap().as_str(), Some("base"));
        // The alias sits where it was written.
        assert_eq!(builds[1].at.line, 7);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("builds:\n  - id: [unclosed\n").unwrap_err();
        assert!(error.at.line >= 2, "{error:?}");
        let error = parse("a: *nowhere\n").unwrap_err();
        assert!(error.message.contains("anchor"), "{error:?}");
    }
}
