//! A small positioned YAML tree built over `granit-parser`'s event stream.
//!
//! Every node keeps where it starts and ends (1-based line and column, byte offsets), so
//! a finding names the exact node. The reader is bounded: nesting is limited in the
//! parser itself, and aliases are expanded against a node budget, so an alias bomb is an
//! error, never a hang; nothing here panics on any input.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle};

/// Deepest nesting of block or flow collections accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one file may expand to (aliases counted at their expanded size).
pub const MAX_NODES: usize = 250_000;

/// A place in the source: 1-based line and column (in characters), byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub col: usize,
    /// Byte offset in the source.
    pub offset: usize,
}

/// A half-open source range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// One past the last character.
    pub end: Pos,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar (its text after escapes; `plain` when unquoted and not a block scalar).
    Str {
        /// The text.
        text: String,
        /// Written without quotes (so `null`, `true`, numbers are not strings).
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order (merge keys `<<` applied).
    Map(Vec<(Node, Node)>),
}

/// A positioned node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it holds.
    pub value: Value,
    /// Where it is written (an alias keeps its anchor's place).
    pub span: Span,
    /// Its tag as written after `!` (e.g. `reference` for GitLab's `!reference`).
    pub tag: Option<String>,
}

/// A file that is not YAML (or exceeds a bound), with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} column {col}: {message}")]
pub struct YamlError {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl Node {
    /// The scalar text, if a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }
    /// Whether this is a plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Str { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
    /// The entries of a mapping (empty otherwise).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }
    /// The items of a sequence (empty otherwise).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }
    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
    /// The value under `key` in a mapping (the last one if repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
    /// The key node of `key` in a mapping.
    pub fn key(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }
    /// The scalar under `key`.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }
    /// Every scalar in this subtree, depth first, with its node.
    pub fn scalars<'a>(&'a self, out: &mut Vec<&'a Node>) {
        match &self.value {
            Value::Str { .. } => out.push(self),
            Value::Seq(s) => s.iter().for_each(|n| n.scalars(out)),
            Value::Map(m) => m.iter().for_each(|(k, v)| {
                k.scalars(out);
                v.scalars(out);
            }),
        }
    }
    fn size(&self) -> usize {
        match &self.value {
            Value::Str { .. } => 1,
            Value::Seq(s) => 1 + s.iter().map(Node::size).sum::<usize>(),
            Value::Map(m) => 1 + m.iter().map(|(k, v)| k.size() + v.size()).sum::<usize>(),
        }
    }
}

/// The source text with a line index, to turn byte offsets into places and back.
#[derive(Debug, Clone)]
pub struct Source {
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Indexes `text`.
    pub fn new(text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Source { text, line_starts }
    }
    /// The place of a byte offset (clamped to the text, moved back to a char boundary).
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Pos { line, col, offset }
    }
    /// The text of line `line` (1-based), without its end of line.
    pub fn line(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        self.text
            .get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
    /// The source text of a span.
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start.offset..span.end.offset)
            .unwrap_or("")
    }
    /// Where `needle` is written inside `within` (the first occurrence), if it is.
    pub fn find(&self, within: Span, needle: &str) -> Option<Span> {
        self.find_from(within, needle, within.start.offset)
    }
    /// Where `needle` is first written inside `within` at or after byte `from`.
    pub fn find_from(&self, within: Span, needle: &str, from: usize) -> Option<Span> {
        if needle.is_empty() {
            return None;
        }
        let from = from.max(within.start.offset);
        let i = self
            .text
            .get(from..within.end.offset.max(from))?
            .find(needle)?;
        let start = from + i;
        Some(Span {
            start: self.pos(start),
            end: self.pos(start + needle.len()),
        })
    }
}

enum Frame {
    Seq(Pos, Vec<Node>, usize, Option<String>),
    Map(Pos, Vec<(Node, Node)>, Option<Node>, usize, Option<String>),
}

fn tag_of(tag: Option<&std::borrow::Cow<'_, granit_parser::Tag>>) -> Option<String> {
    tag.map(|t| t.suffix().to_string())
}

/// Parses the first document of `src` into a tree (`None` for an empty file).
pub fn parse(src: &Source) -> Result<Option<Node>, YamlError> {
    let mut options = granit_parser::Options::default();
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    let parser = Parser::new_from_str_with_options(&src.text, options);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Node> = None;
    let pos_of = |m: granit_parser::Marker| match m.byte_offset() {
        Some(b) => src.pos(b),
        None => Pos {
            line: m.line(),
            col: m.col() + 1,
            offset: 0,
        },
    };
    for item in parser {
        let (event, span) = item.map_err(|e| YamlError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: e.info(),
        })?;
        let start = pos_of(span.start);
        let end = pos_of(span.end);
        let err = |message: String| YamlError {
            line: start.line,
            col: start.col,
            message,
        };
        let (done, anchor): (Node, usize) = match event {
            Event::StreamStart | Event::DocumentStart(..) => continue,
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Alias(id) => {
                let Some((n, size)) = anchors.get(&id) else {
                    return Err(err("alias to an unknown anchor".into()));
                };
                nodes += size;
                if nodes > MAX_NODES {
                    return Err(err(format!(
                        "aliases expand past {MAX_NODES} nodes (alias bomb?)"
                    )));
                }
                (n.clone(), 0)
            }
            Event::Scalar(text, style, anchor, tag) => {
                nodes += 1;
                (
                    Node {
                        value: Value::Str {
                            text: text.into_owned(),
                            plain: style == ScalarStyle::Plain && tag.is_none(),
                        },
                        span: Span { start, end },
                        tag: tag_of(tag.as_ref()),
                    },
                    anchor,
                )
            }
            Event::SequenceStart(_, anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(format!("nested deeper than {MAX_DEPTH}")));
                }
                stack.push(Frame::Seq(start, Vec::new(), anchor, tag_of(tag.as_ref())));
                continue;
            }
            Event::MappingStart(_, anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(err(format!("nested deeper than {MAX_DEPTH}")));
                }
                stack.push(Frame::Map(
                    start,
                    Vec::new(),
                    None,
                    anchor,
                    tag_of(tag.as_ref()),
                ));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(s, items, anchor, tag)) => {
                    nodes += 1;
                    (
                        Node {
                            value: Value::Seq(items),
                            span: Span { start: s, end },
                            tag,
                        },
                        anchor,
                    )
                }
                _ => return Err(err("unbalanced sequence end".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(s, entries, _, anchor, tag)) => {
                    nodes += 1;
                    (
                        Node {
                            value: Value::Map(merge_keys(entries)),
                            span: Span { start: s, end },
                            tag,
                        },
                        anchor,
                    )
                }
                _ => return Err(err("unbalanced mapping end".into())),
            },
            _ => continue,
        };
        if nodes > MAX_NODES {
            return Err(err(format!("more than {MAX_NODES} nodes")));
        }
        if anchor != 0 {
            let size = done.size();
            anchors.insert(anchor, (done.clone(), size));
        }
        match stack.last_mut() {
            None => {
                root = Some(done);
                break;
            }
            Some(Frame::Seq(_, items, ..)) => items.push(done),
            Some(Frame::Map(_, entries, pending, ..)) => match pending.take() {
                None => *pending = Some(done),
                Some(k) => entries.push((k, done)),
            },
        }
    }
    Ok(root)
}

/// Applies YAML merge keys (`<<: *base` or `<<: [*a, *b]`): merged entries come after
/// the explicit ones and never override them.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |k: &Node| matches!(&k.value, Value::Str { text, plain: true } if text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let mut own: Vec<(Node, Node)> = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (k, v) in entries {
        if !is_merge(&k) {
            own.push((k, v));
            continue;
        }
        let sources: Vec<Node> = match v.value {
            Value::Map(_) => vec![v],
            Value::Seq(items) => items,
            Value::Str { .. } => Vec::new(),
        };
        for src in sources {
            if let Value::Map(m) = src.value {
                merged.extend(m);
            }
        }
    }
    for (k, v) in merged {
        let key = k.as_str().map(str::to_owned);
        if key.is_some() && own.iter().any(|(o, _)| o.as_str() == key.as_deref()) {
            continue;
        }
        own.push((k, v));
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(s: &str) -> Result<Option<Node>, YamlError> {
        parse(&Source::new(s.to_string()))
    }

    #[test]
    fn positions_are_exact() {
        let t = tree("on: push\njobs:\n  a:\n    steps:\n      - uses: x/y@v1\n")
            .unwrap()
            .unwrap();
        let step = &t
            .get("jobs")
            .unwrap()
            .get("a")
            .unwrap()
            .get("steps")
            .unwrap()
            .items()[0];
        let uses = step.get("uses").unwrap();
        assert_eq!(uses.as_str(), Some("x/y@v1"));
        assert_eq!((uses.span.start.line, uses.span.start.col), (5, 15));
        assert_eq!((uses.span.end.line, uses.span.end.col), (5, 21));
    }

    #[test]
    fn find_locates_inside_block_scalar() {
        let src = Source::new("run: |\n  echo hi\n  echo ${{ github.head_ref }}\n".into());
        let t = parse(&src).unwrap().unwrap();
        let run = t.get("run").unwrap();
        let at = src.find(run.span, "${{ github.head_ref }}").unwrap();
        assert_eq!((at.start.line, at.start.col), (3, 8));
        assert_eq!(src.line(3), "  echo ${{ github.head_ref }}");
    }

    #[test]
    fn merge_keys_and_aliases() {
        let t = tree("base: &b {image: a, x: 1}\njob:\n  <<: *b\n  x: 2\n")
            .unwrap()
            .unwrap();
        let job = t.get("job").unwrap();
        assert_eq!(job.get_str("image"), Some("a"));
        assert_eq!(job.get_str("x"), Some("2"));
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = tree(&s).unwrap_err();
        assert!(e.message.contains("alias"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(10_000);
        assert!(tree(&s).is_err());
        let mut b = String::new();
        for i in 0..200 {
            b.push_str(&" ".repeat(i));
            b.push_str("a:\n");
        }
        assert!(tree(&b).is_err());
    }

    #[test]
    fn errors_name_the_place() {
        let e = tree("a: [\nb: c").unwrap_err();
        assert!(e.line >= 1 && e.col >= 1);
        assert!(tree("").unwrap().is_none());
    }
}
