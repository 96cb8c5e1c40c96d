//! A fast reader for the plain YAML that pnpm writes, feeding the same `Deserialize`
//! types as serde_saphyr.
//!
//! Why it exists: the SBOM target of issue 6 is a 2.8 MB `pnpm-lock.yaml` in under
//! 100 ms, and about 70% of that time went into the general YAML parser. pnpm writes its
//! lock in one fixed style (block mappings and sequences indented with spaces, plain and
//! quoted one-line scalars, one-line flow mappings and sequences), which this reader
//! turns into serde calls with no event objects and no copies.
//!
//! serde_saphyr stays the reference: [`from_multiple`] answers `None` for anything
//! outside that subset — anchors, aliases, tags, block scalars, scalars over several
//! lines, complex keys, tabs, carriage returns, escapes in double quotes, directives and
//! `...` markers, duplicate keys, null keys, deep nesting, more nodes than the parser's
//! budget allows — and for any error the target type raises; the caller then reads the
//! text with serde_saphyr, which also reports errors with their line. Whenever this
//! reader answers, the values are the ones serde_saphyr gives: plain scalars resolve as
//! its untyped reads do (null, YAML 1.1 booleans, integers; anything that may be a
//! number and is not a plain decimal is resolved by serde_saphyr itself).

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Deepest nesting (blocks and flow collections together) read here.
const MAX_NESTING: usize = 32;
/// Most nodes (mappings, sequences, scalars including keys) in one call; below
/// serde_saphyr's default budget of 250,000 nodes, so a text within it is within that.
const MAX_NODES: usize = 200_000;
/// Most `---` markers; serde_saphyr allows 1,024 documents.
const MAX_MARKERS: usize = 500;
/// Longest key, in bytes from its start to its `:`; serde_saphyr's scanner gives up
/// on a key longer than 1,024 characters.
const MAX_KEY: usize = 1020;

/// Every non-empty document of `text` read as `T`, or `None` when the text is outside
/// the subset this reader knows or `T` rejects it (then read it with serde_saphyr).
pub(crate) fn from_multiple<'a, T: Deserialize<'a>>(text: &'a str) -> Option<Vec<T>> {
    if !plain_characters(text) {
        return None;
    }
    let mut r = Reader::new(text);
    let mut docs = Vec::new();
    while r.start_document().ok()? {
        docs.push(T::deserialize(&mut r).ok()?);
        match r.next().ok()? {
            Ev::DocEnd => {}
            _ => return None,
        }
    }
    Some(docs)
}

/// No tab, carriage return, BOM or character YAML does not allow in a stream; no line
/// breaks other than `\n`.
fn plain_characters(text: &str) -> bool {
    if text.bytes().any(|b| (b < 0x20 && b != b'\n') || b == 0x7f) {
        return false;
    }
    text.is_ascii()
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

/// Outside the subset, or an error from the target type.
#[derive(Debug)]
pub(crate) struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not in the plain YAML subset")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

type R<T> = Result<T, Stop>;

#[derive(Debug, Clone, PartialEq)]
enum Ev<'a> {
    MapStart,
    MapEnd,
    SeqStart,
    SeqEnd,
    /// A scalar: its text, and whether it was plain (else quoted).
    Scalar(Cow<'a, str>, bool),
    DocEnd,
}

#[derive(Clone, Copy)]
struct Block {
    seq: bool,
    indent: usize,
}

struct Reader<'a> {
    text: &'a str,
    /// Start of the next unread line.
    pos: usize,
    /// Events of the lines read so far not yet taken.
    queue: VecDeque<Ev<'a>>,
    /// Open block collections.
    stack: Vec<Block>,
    /// Indentation of the mapping whose last key has no value on its line yet.
    pending: Option<usize>,
    /// The current document has its root.
    rooted: bool,
    in_doc: bool,
    nodes: usize,
    markers: usize,
}

/// The line at `pos` (without its `\n`) and where the next one starts.
fn line_at(text: &str, pos: usize) -> (&str, usize) {
    let rest = &text[pos..];
    match rest.find('\n') {
        Some(i) => (&rest[..i], pos + i + 1),
        None => (rest, text.len()),
    }
}

fn is_seq_item(body: &str) -> bool {
    body == "-" || body.starts_with("- ")
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            queue: VecDeque::with_capacity(16),
            stack: Vec::with_capacity(8),
            pending: None,
            rooted: false,
            in_doc: false,
            nodes: 0,
            markers: 0,
        }
    }

    /// Skips blank lines, comments and `---` markers; `true` if a document follows.
    fn start_document(&mut self) -> R<bool> {
        while self.pos < self.text.len() {
            let (line, next) = line_at(self.text, self.pos);
            let body = line.trim_start_matches(' ');
            if body.is_empty() || body.starts_with('#') {
                self.pos = next;
            } else if line.trim_end_matches(' ') == "---" {
                self.marker()?;
                self.pos = next;
            } else {
                self.in_doc = true;
                self.rooted = false;
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn marker(&mut self) -> R<()> {
        self.markers += 1;
        if self.markers > MAX_MARKERS {
            return Err(Stop);
        }
        Ok(())
    }

    fn push(&mut self, ev: Ev<'a>) -> R<()> {
        if matches!(ev, Ev::MapStart | Ev::SeqStart | Ev::Scalar(..)) {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(Stop);
            }
        }
        self.queue.push_back(ev);
        Ok(())
    }

    fn open(&mut self, seq: bool, indent: usize) -> R<()> {
        if self.stack.len() >= MAX_NESTING {
            return Err(Stop);
        }
        self.stack.push(Block { seq, indent });
        self.push(if seq { Ev::SeqStart } else { Ev::MapStart })
    }

    fn close(&mut self) -> R<()> {
        let b = self.stack.pop().ok_or(Stop)?;
        self.push(if b.seq { Ev::SeqEnd } else { Ev::MapEnd })
    }

    /// Ends the document: a pending value is null, every block closes.
    fn end_document(&mut self) -> R<()> {
        if self.pending.take().is_some() {
            self.push(Ev::Scalar(Cow::Borrowed(""), true))?;
        }
        while !self.stack.is_empty() {
            self.close()?;
        }
        self.in_doc = false;
        self.push(Ev::DocEnd)
    }

    /// Reads lines until at least one event is queued.
    fn fill(&mut self) -> R<()> {
        while self.queue.is_empty() {
            if !self.in_doc {
                return Err(Stop);
            }
            if self.pos >= self.text.len() {
                self.end_document()?;
                break;
            }
            let (line, next) = line_at(self.text, self.pos);
            self.pos = next;
            self.line(line)?;
        }
        Ok(())
    }

    fn peek(&mut self) -> R<&Ev<'a>> {
        self.fill()?;
        self.queue.front().ok_or(Stop)
    }

    fn next(&mut self) -> R<Ev<'a>> {
        self.fill()?;
        self.queue.pop_front().ok_or(Stop)
    }

    /// One line of a document.
    fn line(&mut self, line: &'a str) -> R<()> {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            return Ok(());
        }
        let indent = line.len() - body.len();
        if indent == 0 && (body.starts_with("---") || body.starts_with("...")) {
            if line.trim_end_matches(' ') != "---" {
                return Err(Stop);
            }
            self.marker()?;
            return self.end_document();
        }
        let item = is_seq_item(body);
        if let Some(p) = self.pending.take() {
            if indent > p || (indent == p && item) {
                self.open(item, indent)?;
            } else {
                self.push(Ev::Scalar(Cow::Borrowed(""), true))?;
            }
        }
        if !self.rooted {
            if item {
                return Err(Stop);
            }
            self.rooted = true;
            self.open(false, indent)?;
        }
        while let Some(top) = self.stack.last() {
            if top.indent > indent || (top.indent == indent && top.seq && !item) {
                self.close()?;
            } else {
                break;
            }
        }
        let top = *self.stack.last().ok_or(Stop)?;
        if top.indent != indent {
            return Err(Stop);
        }
        if top.seq {
            let rest = body.strip_prefix("- ").ok_or(Stop)?.trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                return Err(Stop);
            }
            if !map_entry(rest) {
                return self.inline_value(rest);
            }
            // `- key: value`: a mapping whose keys are in this column.
            let column = indent + (body.len() - rest.len());
            self.open(false, column)?;
            return self.entry(rest, column);
        }
        self.entry(body, indent)
    }

    /// `key: value` or `key:` of a block mapping whose keys are at `indent`.
    fn entry(&mut self, body: &'a str, indent: usize) -> R<()> {
        let (key, rest) = block_key(body)?;
        self.push(Ev::Scalar(key.0, key.1))?;
        let rest = rest.trim_start_matches(' ');
        match rest.trim_end_matches(' ') {
            "" => {
                self.pending = Some(indent);
                Ok(())
            }
            "|" => self.literal(indent, false),
            "|-" => self.literal(indent, true),
            _ => self.inline_value(rest),
        }
    }

    /// A literal block scalar (`|`, or `|-` without its final line break) whose header
    /// ends the line of a key at `indent`: the lines indented further, the indentation
    /// of the first one removed from each.
    fn literal(&mut self, indent: usize, strip: bool) -> R<()> {
        let mut value = String::new();
        let mut column = None;
        let mut empty = 0;
        while self.pos < self.text.len() {
            let (line, next) = line_at(self.text, self.pos);
            if line.is_empty() {
                empty += 1;
                self.pos = next;
                continue;
            }
            let body = line.trim_start_matches(' ');
            let at = line.len() - body.len();
            if body.is_empty() {
                // Lines of spaces only: their meaning depends on the indentation.
                return Err(Stop);
            }
            let n = *column.get_or_insert(at);
            if at < n || n <= indent {
                break;
            }
            if next == self.text.len() && !self.text.ends_with('\n') {
                // No final line break to keep.
                return Err(Stop);
            }
            for _ in 0..empty {
                value.push('\n');
            }
            empty = 0;
            value.push_str(&line[n..]);
            value.push('\n');
            self.pos = next;
        }
        if value.is_empty() {
            return Err(Stop);
        }
        if strip {
            value.pop();
        }
        self.push(Ev::Scalar(Cow::Owned(value), false))
    }

    /// A value on the rest of a line: a quoted or plain scalar or a flow collection,
    /// then nothing but spaces.
    fn inline_value(&mut self, s: &'a str) -> R<()> {
        let b = s.as_bytes();
        let end = match b[0] {
            b'{' | b'[' => self.flow(s, 0, self.stack.len())?,
            b'\'' | b'"' => {
                let (v, end) = quoted(s)?;
                self.push(Ev::Scalar(v, false))?;
                end
            }
            _ => {
                let v = block_plain(s)?;
                self.push(Ev::Scalar(Cow::Borrowed(v), true))?;
                s.len()
            }
        };
        if s[end..].bytes().all(|c| c == b' ') {
            Ok(())
        } else {
            Err(Stop)
        }
    }

    /// A flow node starting at `s[i]` (after any spaces); returns where it ends.
    fn flow(&mut self, s: &'a str, i: usize, depth: usize) -> R<usize> {
        let b = s.as_bytes();
        match b.get(i) {
            Some(b'{') | Some(b'[') => {
                if depth >= MAX_NESTING {
                    return Err(Stop);
                }
                let map = b[i] == b'{';
                let close = if map { b'}' } else { b']' };
                self.push(if map { Ev::MapStart } else { Ev::SeqStart })?;
                let mut j = skip_spaces(b, i + 1);
                if b.get(j) == Some(&close) {
                    self.push(if map { Ev::MapEnd } else { Ev::SeqEnd })?;
                    return Ok(j + 1);
                }
                loop {
                    if map {
                        let (k, plain, after) = flow_scalar(s, j)?;
                        if b.get(after) != Some(&b':') || b.get(after + 1) != Some(&b' ') {
                            return Err(Stop);
                        }
                        key_ok(&k, plain, after - j)?;
                        self.push(Ev::Scalar(k, plain))?;
                        j = skip_spaces(b, after + 1);
                    }
                    j = self.flow(s, j, depth + 1)?;
                    j = skip_spaces(b, j);
                    match b.get(j) {
                        Some(b',') => {
                            j = skip_spaces(b, j + 1);
                            if matches!(b.get(j), Some(b'}' | b']' | b',') | None) {
                                return Err(Stop);
                            }
                        }
                        Some(&c) if c == close => {
                            self.push(if map { Ev::MapEnd } else { Ev::SeqEnd })?;
                            return Ok(j + 1);
                        }
                        _ => return Err(Stop),
                    }
                }
            }
            Some(_) => {
                let (v, plain, end) = flow_scalar(s, i)?;
                // `[a: b]` is a one-pair mapping; not read here.
                if b.get(end) == Some(&b':') {
                    return Err(Stop);
                }
                self.push(Ev::Scalar(v, plain))?;
                Ok(end)
            }
            None => Err(Stop),
        }
    }
}

/// Whether the rest of a sequence item is a mapping entry (`key: ...`, `'key': ...`).
fn map_entry(rest: &str) -> bool {
    match rest.as_bytes()[0] {
        b'\'' | b'"' => quoted(rest).is_ok_and(|(_, end)| rest.as_bytes().get(end) == Some(&b':')),
        b'{' | b'[' => false,
        _ => rest.contains(": ") || rest.trim_end_matches(' ').ends_with(':'),
    }
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// A plain scalar may not start with an indicator (`-`, `?`, `:` may, before a
/// character that is neither a space nor, in flow, a flow indicator).
fn plain_start_ok(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        None => false,
        Some(b'-' | b'?' | b':') => {
            matches!(b.get(1), Some(c) if !matches!(c, b' ' | b',' | b'[' | b']' | b'{' | b'}'))
        }
        Some(c) => !matches!(
            c,
            b',' | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b' '
        ),
    }
}

/// A plain scalar filling the rest of a block line (trailing spaces trimmed).
fn block_plain(s: &str) -> R<&str> {
    if !plain_start_ok(s) {
        return Err(Stop);
    }
    let v = s.trim_end_matches(' ');
    if v.contains(": ") || v.ends_with(':') || v.contains(" #") {
        return Err(Stop);
    }
    Ok(v)
}

/// A quoted scalar at the start of `s`, on this line: its value and where it ends.
fn quoted(s: &str) -> R<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    let q = b[0];
    let mut i = 1;
    let mut owned: Option<String> = None;
    let mut from = 1;
    loop {
        let c = *b.get(i).ok_or(Stop)?;
        if c == b'\\' && q == b'"' {
            return Err(Stop);
        }
        if c == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                let o = owned.get_or_insert_with(String::new);
                o.push_str(&s[from..=i]);
                i += 2;
                from = i;
                continue;
            }
            let v = match owned {
                Some(mut o) => {
                    o.push_str(&s[from..i]);
                    Cow::Owned(o)
                }
                None => Cow::Borrowed(&s[1..i]),
            };
            return Ok((v, i + 1));
        }
        i += 1;
    }
}

/// A key at the start of a block mapping line, whether it was plain, and the rest of the
/// line after its `:`.
#[allow(clippy::type_complexity)]
fn block_key(body: &str) -> R<((Cow<'_, str>, bool), &str)> {
    let b = body.as_bytes();
    let (key, plain, after) = if matches!(b[0], b'\'' | b'"') {
        let (k, end) = quoted(body)?;
        (k, false, end)
    } else {
        if !plain_start_ok(body) {
            return Err(Stop);
        }
        let mut i = 0;
        loop {
            match b.get(i) {
                Some(b':') if matches!(b.get(i + 1), None | Some(b' ')) => break,
                Some(b'#') if b[i - 1] == b' ' => return Err(Stop),
                Some(_) => i += 1,
                None => return Err(Stop),
            }
        }
        (Cow::Borrowed(&body[..i]), true, i)
    };
    if b.get(after) != Some(&b':') || !matches!(b.get(after + 1), None | Some(b' ')) {
        return Err(Stop);
    }
    key_ok(&key, plain, after)?;
    Ok(((key, plain), &body[after + 1..]))
}

/// A key reads as the same text for every reader: no trailing space, not too long, and
/// plain keys that resolve as text (not null, boolean or a number).
fn key_ok(k: &str, plain: bool, span: usize) -> R<()> {
    // `<<` is a merge key in serde_saphyr.
    if span > MAX_KEY
        || (plain && (k.ends_with(' ') || k == "<<" || !matches!(resolve(k), Plain::Str)))
    {
        return Err(Stop);
    }
    Ok(())
}

/// A scalar inside a flow collection: its value, whether plain, and where it ends.
fn flow_scalar(s: &str, i: usize) -> R<(Cow<'_, str>, bool, usize)> {
    let b = s.as_bytes();
    match b.get(i) {
        Some(b'\'' | b'"') => {
            let (v, end) = quoted(&s[i..])?;
            Ok((v, false, i + end))
        }
        Some(_) => {
            if !plain_start_ok(&s[i..]) {
                return Err(Stop);
            }
            let mut j = i;
            while let Some(&c) = b.get(j) {
                match c {
                    b',' | b'[' | b']' | b'{' | b'}' => break,
                    b':' if matches!(
                        b.get(j + 1),
                        None | Some(b' ' | b',' | b'[' | b']' | b'{' | b'}')
                    ) =>
                    {
                        break;
                    }
                    b'#' if b[j - 1] == b' ' => return Err(Stop),
                    _ => j += 1,
                }
            }
            let v = s[i..j].trim_end_matches(' ');
            if v.is_empty() {
                return Err(Stop);
            }
            Ok((Cow::Borrowed(v), true, i + v.len()))
        }
        None => Err(Stop),
    }
}

/// How a plain scalar resolves in an untyped read.
#[derive(Debug, PartialEq)]
enum Plain {
    Null,
    Bool(bool),
    U64(u64),
    Str,
    /// May be a number: resolved by serde_saphyr.
    Ask,
}

fn resolve(s: &str) -> Plain {
    if matches!(s, "" | "~" | "null" | "Null" | "NULL") {
        return Plain::Null;
    }
    let b = s.as_bytes();
    if b.len() <= 5 {
        for (w, v) in [
            ("true", true),
            ("yes", true),
            ("y", true),
            ("on", true),
            ("false", false),
            ("no", false),
            ("n", false),
            ("off", false),
        ] {
            if s.eq_ignore_ascii_case(w) {
                return Plain::Bool(v);
            }
        }
    }
    if !matches!(b[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
        // Not a number: serde_saphyr's number readers need a sign, digit or `.` first.
        return Plain::Str;
    }
    let dots = b.iter().filter(|&&c| c == b'.').count();
    if dots >= 2
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'+' | b'-'))
    {
        return Plain::Str;
    }
    if !b.iter().any(u8::is_ascii_digit) {
        // Without a digit only the non-finite spellings are numbers.
        let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
        return if matches!(
            unsigned,
            ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
        ) {
            Plain::Ask
        } else {
            Plain::Str
        };
    }
    if b.len() <= 19 && b.iter().all(u8::is_ascii_digit) && (b.len() == 1 || b[0] != b'0') {
        return s.parse().map(Plain::U64).unwrap_or(Plain::Ask);
    }
    Plain::Ask
}

/// What serde_saphyr's untyped read of one plain scalar calls.
enum Asked {
    Unit,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
}

impl<'de> Deserialize<'de> for Asked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Asked;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_unit<E>(self) -> Result<Asked, E> {
                Ok(Asked::Unit)
            }
            fn visit_none<E>(self) -> Result<Asked, E> {
                Ok(Asked::Unit)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Asked, E> {
                Ok(Asked::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Asked, E> {
                Ok(Asked::U64(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Asked, E> {
                Ok(Asked::I64(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Asked, E> {
                Ok(Asked::F64(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Asked, E> {
                Ok(Asked::Str(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'a> Reader<'a> {
    fn scalar<V: Visitor<'a>>(&mut self, text: Cow<'a, str>, plain: bool, v: V) -> R<V::Value> {
        let text = match text {
            Cow::Owned(s) => return v.visit_string(s),
            Cow::Borrowed(t) if !plain => return v.visit_borrowed_str(t),
            Cow::Borrowed(t) => t,
        };
        match resolve(text) {
            Plain::Null => v.visit_unit(),
            Plain::Bool(b) => v.visit_bool(b),
            Plain::U64(n) => v.visit_u64(n),
            Plain::Str => v.visit_borrowed_str(text),
            Plain::Ask => match serde_saphyr::from_str::<Asked>(text).map_err(|_| Stop)? {
                Asked::Unit => v.visit_unit(),
                Asked::Bool(b) => v.visit_bool(b),
                Asked::U64(n) => v.visit_u64(n),
                Asked::I64(n) => v.visit_i64(n),
                Asked::F64(n) => v.visit_f64(n),
                Asked::Str(s) if s == text => v.visit_borrowed_str(text),
                Asked::Str(s) => v.visit_string(s),
            },
        }
    }
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.next()? {
            Ev::Scalar(text, plain) => self.scalar(text, plain, v),
            Ev::MapStart => {
                let mut m = Entries {
                    r: self,
                    keys: Keys::new(),
                    done: false,
                };
                let value = v.visit_map(&mut m)?;
                while m.next_key::<de::IgnoredAny>()?.is_some() {
                    m.next_value::<de::IgnoredAny>()?;
                }
                Ok(value)
            }
            Ev::SeqStart => {
                let mut s = Items {
                    r: self,
                    done: false,
                };
                let value = v.visit_seq(&mut s)?;
                while s.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(value)
            }
            _ => Err(Stop),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.next()? {
            Ev::Scalar(Cow::Owned(s), _) => v.visit_string(s),
            Ev::Scalar(Cow::Borrowed(t), plain) => {
                if plain && resolve(t) == Plain::Null {
                    return Err(Stop);
                }
                v.visit_borrowed_str(t)
            }
            _ => Err(Stop),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.peek()? {
            Ev::Scalar(Cow::Borrowed(t), true) if resolve(t) == Plain::Null => {
                self.next()?;
                v.visit_none()
            }
            _ => v.visit_some(self),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum ignored_any
    }
}

/// Keys seen in one mapping, to refuse duplicates: while they come in increasing order
/// (as pnpm writes the large mappings) comparing with the last one is enough.
struct Keys<'a> {
    seen: Vec<Cow<'a, str>>,
    set: Option<HashSet<Cow<'a, str>>>,
    sorted: bool,
}

impl<'a> Keys<'a> {
    fn new() -> Self {
        Keys {
            seen: Vec::new(),
            set: None,
            sorted: true,
        }
    }

    fn insert(&mut self, k: Cow<'a, str>) -> R<()> {
        if self.sorted {
            match self.seen.last() {
                Some(last) if k.as_ref() <= last.as_ref() => self.sorted = false,
                _ => {
                    self.seen.push(k);
                    return Ok(());
                }
            }
        }
        if self.set.is_none() && self.seen.len() < 16 {
            if self.seen.contains(&k) {
                return Err(Stop);
            }
            self.seen.push(k);
            return Ok(());
        }
        let set = self
            .set
            .get_or_insert_with(|| std::mem::take(&mut self.seen).into_iter().collect());
        if set.insert(k) { Ok(()) } else { Err(Stop) }
    }
}

struct Entries<'r, 'a> {
    r: &'r mut Reader<'a>,
    keys: Keys<'a>,
    done: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Stop;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        if self.done {
            return Ok(None);
        }
        match self.r.peek()? {
            Ev::MapEnd => {
                self.r.next()?;
                self.done = true;
                Ok(None)
            }
            Ev::Scalar(k, _) => {
                let k = k.clone();
                self.keys.insert(k)?;
                seed.deserialize(&mut *self.r).map(Some)
            }
            _ => Err(Stop),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        seed.deserialize(&mut *self.r)
    }
}

struct Items<'r, 'a> {
    r: &'r mut Reader<'a>,
    done: bool,
}

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = Stop;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        if self.done {
            return Ok(None);
        }
        if matches!(self.r.peek()?, Ev::SeqEnd) {
            self.r.next()?;
            self.done = true;
            return Ok(None);
        }
        seed.deserialize(&mut *self.r).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::from_multiple;
    use serde_json::Value;

    /// Whether the fast reader takes `text`; when it does, its value is serde_saphyr's.
    fn fast(text: &str) -> bool {
        let Some(v) = from_multiple::<Value>(text) else {
            return false;
        };
        let reference = serde_saphyr::from_multiple::<Value>(text).map_err(|e| e.to_string());
        assert_eq!(reference, Ok(v), "{text:?}");
        true
    }

    #[test]
    fn reads_pnpm_style_like_serde_saphyr() {
        let lock = "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n\n\
            importers:\n\n  .:\n    dependencies:\n      '@a/b':\n        specifier: ^1.0.0\n        \
            version: 1.0.0(c@2.0.0)\n\npackages:\n\n  '@a/b@1.0.0':\n    resolution: \
            {integrity: sha512-AA==, tarball: https://x.test/a.tgz}\n    engines: {node: '>=18'}\n    \
            cpu: [x64, arm64]\n    os: []\n    hasBin: true\n    deprecated: |-\n      gone:\n\n      \
            # not a comment\n    variants:\n      - resolution:\n          a: 1\n        b: it''s\n      \
            - [x]\n  c@2.0.0: {}\n";
        assert!(fast(lock));
        // Several documents, comments, empty ones; a compact sequence; `|` keeps one break.
        assert!(fast(
            "# c\n---\na: 1\n---\n---\n# only a comment\n---\nb:\n- x\n- 'y'\nc: |\n  l1\n   l2\n\n"
        ));
        assert!(fast(""));
        assert!(fast("---\n"));
        // Plain scalars resolve as serde_saphyr's untyped reads do.
        for v in [
            "5.4", "5", "0", "012", "-3", "+4", "0x1F", "0o17", "1_000", "1e3", "1.2.3", "yes",
            "No", "ON", "y", "~", "null", "NULL", "true", "False", "-.5", ".5", "1.", "inf", "nan",
            "1-2", "v1", "-", "a b", "x:y",
        ] {
            assert!(fast(&format!("k: {v}\nl: [{v}]\n")) || v == "-", "{v}");
        }
    }

    #[test]
    fn falls_back_outside_the_subset() {
        for text in [
            "a: &x 1\nb: *x\n",       // anchor, alias
            "a: !!str 1\n",           // tag
            "a: >\n  folded\n",       // folded block scalar
            "a: |+\n  kept\n\n",      // keep chomping
            "a: |2\n   indented\n",   // indentation indicator
            "a: |\n  no final break", // block scalar without its line break
            "a: |\n  x\n   \n  y\n",  // line of spaces in a block scalar
            "a: multi\n  line\n",     // plain scalar over two lines
            "a: 'multi\n  line'\n",   // quoted scalar over two lines
            "a: \"esc\\n\"\n",        // escape in double quotes
            "? complex\n: key\n",     // complex key
            "a:\n\tb: 1\n",           // tab
            "a: 1\r\n",               // carriage return
            "a: 1\n...\n",            // document end marker
            "%YAML 1.2\n---\na: 1\n", // directive
            "--- a: 1\n",             // content on the marker line
            "a: 1\na: 2\n",           // duplicate key
            "a: {b: 1, b: 2}\n",      // duplicate key in a flow mapping
            "a:\n  x: 1\n  'x': 2\n", // duplicate spelled two ways
            "~: 1\n",                 // null key
            "1: a\n",                 // numeric key
            "<<: {a: 1}\n",           // merge key
            "- a\n- b\n",             // sequence at the root
            "a: [b: c]\n",            // one-pair mapping in a flow sequence
            "a: {b}\n",               // flow mapping entry without a value
            "a: [b,]\n",              // trailing comma
            "a: [b\n",                // flow collection over two lines
            "a: b # comment\n",       // comment after a value
            "a: b: c\n",              // mapping value in a plain scalar
            "a: .inf\n",              // non-finite: serde_saphyr refuses it
            "a:\n    b: 1\n  c: 2\n", // indentation matching no level
            "a: 1\n b: 2\n",          // more indented sibling
            "a: @x\n",                // reserved indicator
            "a: \u{85}x\n",           // NEL
        ] {
            assert!(!fast(text), "{text:?}");
        }
        // Keys out of order, more than the linear check holds, one repeated.
        let mut many: String = (0..40).rev().map(|i| format!("k{i}: 1\n")).collect();
        assert!(fast(&many));
        many.push_str("k7: 2\n");
        assert!(!fast(&many));
        // Nesting and size are bounded.
        let deep: String = (0..40).map(|i| format!("{}k:\n", "  ".repeat(i))).collect();
        assert!(!fast(&deep));
        let deep_flow = format!("a: {}{}\n", "[".repeat(40), "]".repeat(40));
        assert!(!fast(&deep_flow));
        let nodes: String = (0..70_000).map(|i| format!("k{i:06}: [1, 2]\n")).collect();
        assert!(from_multiple::<Value>(&nodes).is_none());
        let key = format!("'{}': 1\n", "k".repeat(1100));
        assert!(!fast(&key));
    }
}
