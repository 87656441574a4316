//! A hand-written XML tokenizer: start tags with their attributes, end tags, and nothing
//! else. Comments, processing instructions, CDATA sections and text are checked and
//! skipped, since CIB and `crm_mon` XML carry no meaningful text.
//!
//! Most of a CIB is attributes the model never reads (operation digests, transition
//! magic), so the tokenizer's job is to step over attribute values fast: sixteen bytes
//! classified at a time (see [`classify`]), the usual ` name="value"` shape in one step,
//! no allocation, no copy. It still checks what XML requires of what it skips:
//! quoting with `"` or `'`, whitespace between attributes, no `<` in a value, no duplicate
//! attribute, only references XML allows (see [`crate::escape`]), no text outside the root
//! element. A `<!DOCTYPE>` is refused. Matching end tags and document structure are the
//! caller's part ([`crate::xml`]).

use crate::Error;

mod classify;

use classify::{name_end, plain_attribute, value_end};

/// One token of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name`: read the attributes with [`Scanner::next_attribute`].
    Start {
        /// The element's name.
        name: &'a str,
        /// Byte offset of the `<`.
        position: usize,
    },
    /// `</name>`.
    End {
        /// The element's name.
        name: &'a str,
        /// Byte offset of the `<`.
        position: usize,
    },
    /// The end of the input.
    Eof {
        /// The input's length.
        position: usize,
    },
}

/// One attribute of the current start tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attribute<'a> {
    /// The attribute's name.
    pub(crate) name: &'a str,
    /// The value as written, between the quotes (see [`crate::escape::attribute_value`]).
    pub(crate) raw: &'a str,
    /// Whether `raw` is the value as XML reads it: no reference, tab, newline or carriage
    /// return to replace.
    pub(crate) plain: bool,
}

/// Reads tokens from a document held in memory.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    /// The offset of the start tag whose attributes are being read.
    tag: Option<usize>,
    /// Whether the last start tag was closed with `/>`.
    self_closing: bool,
    /// Attribute names of the current tag, and a bitmask of their hashes, so duplicate
    /// detection costs a comparison only when two hashes meet.
    names: Vec<&'a str>,
    hashes: [u64; 4],
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `text` (after a byte-order mark, if any).
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: if text.starts_with('\u{FEFF}') { 3 } else { 0 },
            tag: None,
            self_closing: false,
            names: Vec::new(),
            hashes: [0; 4],
        }
    }

    /// A scanner at byte `at` of `text`, a point between tokens inside an element (where
    /// a piece of a document read on its own starts).
    pub(crate) fn at(text: &'a str, at: usize) -> Self {
        Self {
            pos: at,
            ..Self::new(text)
        }
    }

    /// The whole input.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// Goes on at byte `at`, a point between tokens, leaving the current start tag's unread
    /// attributes unread (another reader has read them).
    pub(crate) fn seek(&mut self, at: usize) {
        self.pos = at;
        self.tag = None;
    }

    /// The next start tag, end tag or end of input. `inside` says whether an element is
    /// open (text is only allowed inside one). Unread attributes of the previous start tag
    /// are checked and skipped.
    pub(crate) fn next_token(&mut self, inside: bool) -> Result<Token<'a>, Error> {
        while self.next_attribute()?.is_some() {}
        loop {
            self.skip_text(inside)?;
            let position = self.pos;
            match self.byte_at(position + 1) {
                None if position >= self.text.len() => return Ok(Token::Eof { position }),
                Some(b'/') => return self.end_tag(position),
                Some(b'!') => self.skip_markup(position, inside)?,
                Some(b'?') => self.skip_instruction(position)?,
                _ => return self.start_tag(position),
            }
        }
    }

    /// The next attribute of the current start tag, or `None` once the tag is closed.
    pub(crate) fn next_attribute(&mut self) -> Result<Option<Attribute<'a>>, Error> {
        let Some(tag) = self.tag else {
            return Ok(None);
        };
        if let Some((end, close)) = plain_attribute(self.text.as_bytes(), self.pos) {
            let name = self.text.get(self.pos + 1..end);
            let raw = self.text.get(end + 2..close);
            if let (Some(name), Some(raw)) = (name, raw) {
                self.pos = close + 1;
                self.check_duplicate(name)?;
                return Ok(Some(Attribute {
                    name,
                    raw,
                    plain: true,
                }));
            }
        }
        let spaced = self.skip_whitespace();
        match self.byte_at(self.pos) {
            Some(b'>') => return Ok(self.close_tag(1, false)),
            Some(b'/') if self.byte_at(self.pos + 1) == Some(b'>') => {
                return Ok(self.close_tag(2, true));
            }
            None => return Err(malformed(tag, "document ends inside a start tag")),
            Some(_) if !spaced => {
                return Err(malformed(self.pos, "expected whitespace, `>` or `/>`"));
            }
            Some(_) => {}
        }
        let name = self.name("attribute name")?;
        self.skip_whitespace();
        if self.byte_at(self.pos) != Some(b'=') {
            return Err(malformed(self.pos, "expected `=` after an attribute name"));
        }
        self.pos += 1;
        self.skip_whitespace();
        let (raw, plain) = self.value()?;
        self.check_duplicate(name)?;
        Ok(Some(Attribute { name, raw, plain }))
    }

    /// Whether the last start tag was closed with `/>` (valid once its attributes are read).
    pub(crate) fn self_closing(&self) -> bool {
        self.self_closing
    }

    #[inline]
    fn close_tag(&mut self, len: usize, self_closing: bool) -> Option<Attribute<'a>> {
        self.pos += len;
        self.tag = None;
        self.self_closing = self_closing;
        None
    }

    #[inline]
    fn byte_at(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    #[inline]
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// Skips whitespace; returns whether there was any.
    #[inline]
    fn skip_whitespace(&mut self) -> bool {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
        self.pos > start
    }

    /// A name (element or attribute) at the current position.
    #[inline]
    fn name(&mut self, what: &'static str) -> Result<&'a str, Error> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let end = name_end(bytes, start);
        let starts_well = bytes
            .get(start)
            .is_some_and(|b| !(b.is_ascii_digit() || matches!(b, b'-' | b'.')));
        match self.text.get(start..end) {
            Some(name) if end > start && starts_well => {
                self.pos = end;
                Ok(name)
            }
            _ => Err(expected(start, what)),
        }
    }

    /// A quoted attribute value, and whether it is plain (see [`Attribute::plain`]); the
    /// position ends after the closing quote.
    #[inline]
    fn value(&mut self) -> Result<(&'a str, bool), Error> {
        let open = self.pos;
        let bytes = self.text.as_bytes();
        let quote = match bytes.get(open) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(malformed(open, "expected a quoted attribute value")),
        };
        let mut at = open + 1;
        let mut plain = true;
        loop {
            at = value_end(bytes, at, quote);
            match bytes.get(at) {
                None => return Err(malformed(open, "attribute value is not closed")),
                Some(b'<') => return Err(malformed(at, "`<` in an attribute value")),
                Some(b'&') => at += self.reference(at)?,
                Some(b'\t' | b'\n' | b'\r') => at += 1,
                Some(&b) if b < 0x20 => return Err(malformed(at, "control character")),
                Some(_) => break,
            }
            plain = false;
        }
        self.pos = at + 1;
        let raw = self.text.get(open + 1..at);
        raw.map(|raw| (raw, plain))
            .ok_or_else(|| malformed(open, "attribute value is not UTF-8"))
    }

    /// The length of the reference at `at`, or an error when XML does not allow it.
    fn reference(&self, at: usize) -> Result<usize, Error> {
        let bytes = self.text.as_bytes().get(at..).unwrap_or_default();
        crate::escape::reference_len(bytes).ok_or_else(|| {
            malformed(
                at,
                "`&` that is not a predefined entity or character reference \
                 (entities are never expanded)",
            )
        })
    }

    #[inline]
    fn check_duplicate(&mut self, name: &'a str) -> Result<(), Error> {
        let bytes = name.as_bytes();
        let ends = usize::from(bytes.first().copied().unwrap_or(0)) * 7
            + usize::from(bytes.last().copied().unwrap_or(0)) * 3;
        let hash =
            bytes.len() * 13 + ends + usize::from(bytes.get(bytes.len() / 2).copied().unwrap_or(0));
        let (word, bit) = (hash / 64 % 4, 1u64 << (hash % 64));
        let Some(seen) = self.hashes.get_mut(word) else {
            return Ok(());
        };
        if *seen & bit != 0 && self.names.contains(&name) {
            return Err(duplicate(self.pos, name));
        }
        *seen |= bit;
        self.names.push(name);
        Ok(())
    }

    /// Skips text up to the next `<` (or the end), checking references, and that there
    /// is nothing but whitespace outside the root element.
    fn skip_text(&mut self, inside: bool) -> Result<(), Error> {
        let bytes = self.text.as_bytes();
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                return Ok(());
            };
            match b {
                b'<' => return Ok(()),
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                _ if !inside => {
                    return Err(malformed(self.pos, "text outside the root element"));
                }
                b'&' => self.pos += self.reference(self.pos)?,
                _ => self.pos += 1,
            }
        }
    }

    fn start_tag(&mut self, position: usize) -> Result<Token<'a>, Error> {
        self.pos = position + 1;
        let name = self.name("element name")?;
        self.tag = Some(position);
        self.self_closing = false;
        self.names.clear();
        self.hashes = [0; 4];
        Ok(Token::Start { name, position })
    }

    fn end_tag(&mut self, position: usize) -> Result<Token<'a>, Error> {
        self.pos = position + 2;
        let name = self.name("element name")?;
        self.skip_whitespace();
        if self.byte_at(self.pos) != Some(b'>') {
            return Err(malformed(self.pos, "expected `>` to close an end tag"));
        }
        self.pos += 1;
        Ok(Token::End { name, position })
    }

    /// `<!--...-->`, `<![CDATA[...]]>` (inside an element only); `<!DOCTYPE` is refused.
    fn skip_markup(&mut self, position: usize, inside: bool) -> Result<(), Error> {
        let rest = self.rest();
        let (skip, end) = if rest.starts_with(b"<!--") {
            (4, &b"-->"[..])
        } else if rest.starts_with(b"<![CDATA[") && inside {
            (9, &b"]]>"[..])
        } else if rest.starts_with(b"<!DOCTYPE") {
            return Err(Error::Dtd {
                position: offset(position),
            });
        } else {
            return Err(malformed(position, "unexpected `<!`"));
        };
        self.skip_past(position, skip, end)
    }

    /// `<?target ...?>`; the XML declaration (`<?xml`) only at the start of the document.
    fn skip_instruction(&mut self, position: usize) -> Result<(), Error> {
        self.pos = position + 2;
        let target = self.name("processing instruction target")?;
        let first = if self.text.starts_with('\u{FEFF}') {
            3
        } else {
            0
        };
        if target.eq_ignore_ascii_case("xml") && position != first {
            return Err(malformed(position, "XML declaration not at the start"));
        }
        self.skip_past(position, 0, b"?>")
    }

    /// Moves past the first `end` found `skip` bytes or more after the current position.
    fn skip_past(&mut self, position: usize, skip: usize, end: &[u8]) -> Result<(), Error> {
        let from = self.pos + skip;
        let found = self
            .text
            .as_bytes()
            .get(from..)
            .and_then(|rest| rest.windows(end.len()).position(|w| w == end));
        match found {
            Some(at) => {
                self.pos = from + at + end.len();
                Ok(())
            }
            None => Err(malformed(position, "document ends inside markup")),
        }
    }
}

fn offset(position: usize) -> u64 {
    u64::try_from(position).unwrap_or(u64::MAX)
}

#[cold]
fn expected(position: usize, what: &str) -> Error {
    malformed(position, &format!("expected {what}"))
}

#[cold]
fn duplicate(position: usize, name: &str) -> Error {
    malformed(position, &format!("duplicate attribute `{name}`"))
}

#[cold]
fn malformed(position: usize, message: &str) -> Error {
    Error::Malformed {
        position: offset(position),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token with its attributes, as text; or the error.
    fn tokens(text: &str) -> Result<Vec<String>, Error> {
        let mut scanner = Scanner::new(text);
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            match scanner.next_token(depth > 0)? {
                Token::Start { name, position } => {
                    let mut attrs = Vec::new();
                    while let Some(a) = scanner.next_attribute()? {
                        attrs.push(format!("{}={}", a.name, a.raw));
                    }
                    let close = if scanner.self_closing() { "/" } else { "" };
                    depth += usize::from(!scanner.self_closing());
                    out.push(format!("{position}:<{name} {}{close}>", attrs.join(" ")));
                }
                Token::End { name, position } => {
                    depth -= 1;
                    out.push(format!("{position}:</{name}>"));
                }
                Token::Eof { .. } => return Ok(out),
            }
        }
    }

    fn error(text: &str) -> (u64, String) {
        match tokens(text) {
            Err(Error::Malformed { position, message }) => (position, message),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_quoting_spacing_and_self_closing_tags() {
        let text = "<a x = \"1'2\"\ty='\"3\"' z=\"&amp;&#60;\" ><b/><c\n/></a >";
        assert_eq!(
            tokens(text).unwrap(),
            [
                "0:<a x=1'2 y=\"3\" z=&amp;&#60;>",
                "37:<b />",
                "41:<c />",
                "46:</a>",
            ]
        );
    }

    #[test]
    fn skips_comments_cdata_instructions_and_text() {
        let text = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- <x> --><a>t &lt; <![CDATA[<y a=\">]]><?pi <z>?>\
                    <!-- - --></a><!-- after -->\n";
        assert_eq!(tokens(text).unwrap(), ["37:<a >", "86:</a>"]);
    }

    #[test]
    fn refuses_doctype() {
        let err = tokens("<!DOCTYPE a [<!ENTITY e \"x\">]><a/>").unwrap_err();
        assert_eq!(err, Error::Dtd { position: 0 });
    }

    #[test]
    fn refuses_what_xml_forbids() {
        assert_eq!(error("<a x=\"1<2\"/>").0, 7);
        assert_eq!(error("<a x=\"&e;\"/>").0, 6);
        assert_eq!(error("<a x=\"&amp\"/>").0, 6);
        assert_eq!(error("<a>&bogus;</a>").0, 3);
        assert!(error("<a x=\"1\" x='2'/>").1.contains("duplicate"));
        assert!(error("<a x=\"1\"y=\"2\"/>").1.contains("whitespace"));
        assert!(error("<a x=1/>").1.contains("quoted"));
        assert!(error("<a x/>").1.contains('='));
        assert!(error("<a x=\"1/>").1.contains("not closed"));
        assert!(error("<a").1.contains("ends inside"));
        assert!(error("<a><!-- x </a>").1.contains("ends inside"));
        assert!(error("text<a/>").1.contains("outside"));
        assert!(error("<a/>text").1.contains("outside"));
        assert!(error("<![CDATA[x]]><a/>").1.contains("`<!`"));
        assert!(
            error("<a><?xml version=\"1.0\"?></a>")
                .1
                .contains("declaration")
        );
        assert!(error("<1a/>").1.contains("element name"));
        assert!(error("<a></ a>").1.contains("element name"));
        assert!(error("<a></a x>").1.contains('>'));
        assert!(error("<a/ >").1.contains("whitespace"));
        assert!(error("<").1.contains("element name"));
        assert_eq!(
            error("<a x=\"12345678\u{1}\"/>"),
            (14, "control character".to_owned())
        );
    }

    #[test]
    fn tells_plain_values_from_ones_to_decode() {
        let text = "<a p=\"0123456789abcdef\" q=\"x&amp;y\" r=\"0123456789\ty\" s='a\"b'/>";
        let mut scanner = Scanner::new(text);
        assert!(matches!(scanner.next_token(false), Ok(Token::Start { .. })));
        let mut plain = Vec::new();
        while let Some(a) = scanner.next_attribute().unwrap() {
            plain.push((a.name, a.plain));
        }
        assert_eq!(
            plain,
            [("p", true), ("q", false), ("r", false), ("s", true)]
        );
    }

    #[test]
    fn duplicate_detection_tells_similar_names_apart() {
        let names: Vec<String> = (0..200).map(|i| format!("a{i}=\"\"")).collect();
        let text = format!("<a {}/>", names.join(" "));
        assert_eq!(tokens(&text).unwrap().len(), 1);
    }
}
