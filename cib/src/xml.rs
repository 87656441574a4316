//! A small, bounded XML element tree built on quick-xml, borrowing from the input.
//!
//! Only elements and the attributes the caller asks for are kept: CIB and `crm_mon` XML
//! carry no meaningful text, and most attributes (digests, transition magic, timings) are
//! never read, so skipping them keeps memory near the size of the input. Names and values
//! borrow from the input unless a value holds an escape. Elements and attributes live in
//! two flat vectors (an arena), so building the tree costs almost no allocations.
//!
//! A `<!DOCTYPE>` is refused outright and kept values are unescaped with the five
//! predefined entities and character references only, so no entity is ever expanded.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::{Error, Limits};

const NONE: usize = usize::MAX;

/// A parsed document: every element and every kept attribute.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<(&'a str, Cow<'a, str>)>,
}

#[derive(Debug)]
struct Node<'a> {
    name: &'a str,
    attrs: (usize, usize),
    first_child: usize,
    next_sibling: usize,
    position: u64,
}

impl<'a> Document<'a> {
    /// Room for every element of `text` (each begins with `<`), so the arena never moves.
    fn with_capacity(text: &str, limits: &Limits) -> Self {
        let tags = text.matches('<').count().min(limits.max_elements);
        Self {
            nodes: Vec::with_capacity(tags),
            attrs: Vec::with_capacity(tags.saturating_mul(3)),
        }
    }

    /// The root element.
    pub(crate) fn root(&self) -> Element<'_> {
        Element {
            doc: self,
            index: 0,
        }
    }
}

/// A handle on one element of a [`Document`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'d> {
    doc: &'d Document<'d>,
    index: usize,
}

impl<'d> Element<'d> {
    fn node(self) -> Option<&'d Node<'d>> {
        self.doc.nodes.get(self.index)
    }

    /// The element's name.
    pub(crate) fn name(self) -> &'d str {
        self.node().map_or("", |n| n.name)
    }

    /// Byte offset of the element's start tag in the input.
    pub(crate) fn position(self) -> u64 {
        self.node().map_or(0, |n| n.position)
    }

    /// The value of attribute `name`, if present (and kept).
    pub(crate) fn attr(self, name: &str) -> Option<&'d str> {
        let (start, end) = self.node()?.attrs;
        self.doc
            .attrs
            .get(start..end)?
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Child elements, in document order.
    pub(crate) fn children(self) -> impl Iterator<Item = Element<'d>> {
        let doc = self.doc;
        let first = self.node().map_or(NONE, |n| n.first_child);
        std::iter::successors(
            (first != NONE).then_some(Element { doc, index: first }),
            move |e| {
                let next = e.node().map_or(NONE, |n| n.next_sibling);
                (next != NONE).then_some(Element { doc, index: next })
            },
        )
    }

    /// Child elements called `name`, in document order.
    pub(crate) fn children_named<'n>(self, name: &'n str) -> impl Iterator<Item = Element<'d>> + 'n
    where
        'd: 'n,
    {
        self.children().filter(move |c| c.name() == name)
    }

    /// The first child element called `name`.
    pub(crate) fn child(self, name: &str) -> Option<Element<'d>> {
        self.children().find(|c| c.name() == name)
    }

    /// `name` or `name id="..."`, for error messages and warnings.
    pub(crate) fn describe(self) -> String {
        match self.attr("id") {
            Some(id) => format!("<{} id={id:?}>", self.name()),
            None => format!("<{}>", self.name()),
        }
    }

    /// A required attribute, or an error naming the element and the attribute.
    pub(crate) fn required(self, name: &'static str) -> Result<&'d str, Error> {
        self.attr(name).ok_or_else(|| Error::Attribute {
            element: self.describe(),
            attribute: name,
            problem: "is missing".to_owned(),
            position: self.position(),
        })
    }
}

/// Parses `text`, enforcing `limits` and keeping only the attributes for which
/// `keep(element, attribute)` returns true.
pub(crate) fn parse<'a>(
    text: &'a str,
    limits: &Limits,
    keep: fn(&str, &str) -> bool,
) -> Result<Document<'a>, Error> {
    if text.len() > limits.max_input_bytes {
        return Err(limit(0, "input size in bytes", limits.max_input_bytes));
    }
    let mut builder = Builder {
        reader: Reader::from_str(text),
        text,
        limits,
        keep,
        doc: Document::with_capacity(text, limits),
        stack: Vec::new(),
        root_done: false,
    };
    builder.run()?;
    if builder.doc.nodes.is_empty() {
        return Err(Error::Empty);
    }
    Ok(builder.doc)
}

struct Builder<'a, 'l> {
    reader: Reader<&'a [u8]>,
    text: &'a str,
    limits: &'l Limits,
    keep: fn(&str, &str) -> bool,
    doc: Document<'a>,
    /// Open elements: (index, index of the last child so far).
    stack: Vec<(usize, usize)>,
    root_done: bool,
}

impl<'a> Builder<'a, '_> {
    fn run(&mut self) -> Result<(), Error> {
        loop {
            let position = self.reader.buffer_position();
            let event = self.reader.read_event().map_err(|e| Error::Malformed {
                position: self.reader.error_position(),
                message: e.to_string(),
            })?;
            match event {
                Event::Start(start) => {
                    if self.stack.len() >= self.limits.max_depth {
                        return Err(limit(position, "nesting depth", self.limits.max_depth));
                    }
                    let index = self.open(&start, position)?;
                    self.stack.push((index, NONE));
                }
                Event::Empty(start) => {
                    self.open(&start, position)?;
                    self.root_done |= self.stack.is_empty();
                }
                Event::End(_) => {
                    if self.stack.pop().is_none() {
                        return Err(malformed(position, "end tag without start tag"));
                    }
                    self.root_done |= self.stack.is_empty();
                }
                Event::DocType(_) => return Err(Error::Dtd { position }),
                // Text is never meaningful in CIB or crm_mon XML; entity references in it
                // are reported by the reader as events and never expanded.
                Event::Text(_)
                | Event::CData(_)
                | Event::GeneralRef(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_) => {}
                Event::Eof => return self.finish(position),
            }
        }
    }

    /// Adds an element as the last child of the innermost open element; returns its index.
    fn open(&mut self, start: &BytesStart<'a>, position: u64) -> Result<usize, Error> {
        if self.root_done {
            return Err(malformed(position, "content after the root element"));
        }
        let index = self.doc.nodes.len();
        if index >= self.limits.max_elements {
            return Err(limit(position, "element count", self.limits.max_elements));
        }
        let name = self.name(start.name().as_ref(), position)?;
        let first_attr = self.doc.attrs.len();
        for (count, attr) in start.attributes().enumerate() {
            let attr = attr.map_err(|e| malformed(position, &e.to_string()))?;
            let limits = self.limits;
            if count >= limits.max_attributes {
                return Err(limit(
                    position,
                    "attributes per element",
                    limits.max_attributes,
                ));
            }
            if attr.value.len() > limits.max_attribute_bytes {
                return Err(limit(
                    position,
                    "attribute value bytes",
                    limits.max_attribute_bytes,
                ));
            }
            let key = self.name(attr.key.as_ref(), position)?;
            if (self.keep)(name, key) {
                let value = self.value(&attr.value, position, key)?;
                self.doc.attrs.push((key, value));
            }
        }
        self.doc.nodes.push(Node {
            name,
            attrs: (first_attr, self.doc.attrs.len()),
            first_child: NONE,
            next_sibling: NONE,
            position,
        });
        self.link(index);
        Ok(index)
    }

    fn link(&mut self, index: usize) {
        let Some((parent, last)) = self.stack.last_mut() else {
            return;
        };
        let previous = std::mem::replace(last, index);
        let slot = match previous {
            NONE => self.doc.nodes.get_mut(*parent).map(|p| &mut p.first_child),
            sibling => self.doc.nodes.get_mut(sibling).map(|s| &mut s.next_sibling),
        };
        if let Some(slot) = slot {
            *slot = index;
        }
    }

    /// A name, as a slice of the input (names are never escaped).
    fn name(&self, raw: &[u8], position: u64) -> Result<&'a str, Error> {
        if raw.len() > self.limits.max_name_bytes {
            return Err(limit(position, "name bytes", self.limits.max_name_bytes));
        }
        self.borrow(raw)
            .ok_or_else(|| malformed(position, "name is not UTF-8"))
    }

    /// An attribute value: borrowed from the input unless it holds an escape.
    fn value(&self, raw: &[u8], position: u64, key: &str) -> Result<Cow<'a, str>, Error> {
        let text = match self.borrow(raw) {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(
                std::str::from_utf8(raw)
                    .map_err(|_| malformed(position, &format!("attribute {key:?} is not UTF-8")))?
                    .to_owned(),
            ),
        };
        if !text.contains('&') {
            return Ok(text);
        }
        quick_xml::escape::unescape(&text)
            .map(|v| Cow::Owned(v.into_owned()))
            .map_err(|e| malformed(position, &format!("attribute {key:?}: {e}")))
    }

    /// `raw` as a slice of the input text, when it is one (it always is for a string reader).
    fn borrow(&self, raw: &[u8]) -> Option<&'a str> {
        let base = self.text.as_ptr() as usize;
        let start = (raw.as_ptr() as usize).checked_sub(base)?;
        let text: &'a str = self.text;
        let slice = text.get(start..start.checked_add(raw.len())?)?;
        (slice.as_bytes() == raw).then_some(slice)
    }

    fn finish(&self, position: u64) -> Result<(), Error> {
        match self.stack.last() {
            Some((open, _)) => Err(malformed(
                position,
                &format!(
                    "document ends inside {}",
                    Element {
                        doc: &self.doc,
                        index: *open
                    }
                    .describe()
                ),
            )),
            None => Ok(()),
        }
    }
}

fn malformed(position: u64, message: &str) -> Error {
    Error::Malformed {
        position,
        message: message.to_owned(),
    }
}

fn limit(position: u64, what: &'static str, max: usize) -> Error {
    Error::Limit {
        position,
        limit: what,
        max: u64::try_from(max).unwrap_or(u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Result<Document<'_>, Error> {
        parse(text, &Limits::default(), |_, _| true)
    }

    #[test]
    fn keeps_elements_and_attributes() {
        let doc = tree(r#"<a x="1&amp;2"><b/><c y="&#65;">text<d/></c><b/></a>"#).unwrap();
        let root = doc.root();
        assert_eq!(root.attr("x"), Some("1&2"));
        let names: Vec<&str> = root.children().map(Element::name).collect();
        assert_eq!(names, ["b", "c", "b"]);
        assert_eq!(root.children_named("b").count(), 2);
        let c = root.child("c").unwrap();
        assert_eq!(c.attr("y"), Some("A"));
        assert_eq!(c.child("d").unwrap().name(), "d");
        assert!(root.child("d").is_none());
    }

    #[test]
    fn keeps_only_wanted_attributes_and_borrows() {
        let text = r#"<a id="x" digest="y" v="1&lt;2"/>"#;
        let doc = parse(text, &Limits::default(), |_, k| k != "digest").unwrap();
        assert_eq!(doc.attrs.len(), 2);
        assert!(matches!(doc.attrs[0].1, Cow::Borrowed("x")));
        assert_eq!(doc.root().attr("v"), Some("1<2"));
        assert_eq!(doc.root().attr("digest"), None);
    }

    #[test]
    fn refuses_doctype() {
        let err = tree(r#"<!DOCTYPE a [<!ENTITY e "boom">]><a x="&e;"/>"#).unwrap_err();
        assert!(matches!(err, Error::Dtd { position: 0 }), "{err}");
    }

    #[test]
    fn refuses_unknown_entity() {
        let err = tree(r#"<a x="&e;"/>"#).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err}");
    }

    #[test]
    fn bounds_depth() {
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        let err = tree(&deep).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Limit {
                    limit: "nesting depth",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn bounds_attribute_size() {
        let limits = Limits {
            max_attribute_bytes: 4,
            ..Limits::default()
        };
        let err = parse(r#"<a x="12345"/>"#, &limits, |_, _| true).unwrap_err();
        assert!(matches!(err, Error::Limit { .. }), "{err}");
    }

    #[test]
    fn reports_position_of_mismatched_end() {
        let err = tree("<a><b></a>").unwrap_err();
        match err {
            Error::Malformed { position, .. } => assert!(position > 0),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn refuses_two_roots_and_truncation() {
        assert!(tree("<a/><b/>").is_err());
        assert!(tree("<a><b>").is_err());
        assert!(matches!(tree("  "), Err(Error::Empty)));
    }
}
