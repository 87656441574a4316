//! A small, bounded XML element tree over the [`crate::scan`] tokenizer, borrowing from
//! the input.
//!
//! Only elements and the attributes the caller asks for are kept: CIB and `crm_mon` XML
//! carry no meaningful text, and most attributes (digests, transition magic, timings) are
//! never read, so skipping them keeps memory well under the size of the input. Elements
//! and attributes live in two flat vectors (an arena) and refer to names and values by
//! 32-bit offsets into the input (or, for the few values holding a reference, into one
//! buffer of decoded text), so the tree is a small fraction of the document and costs
//! almost no allocations.
//!
//! A [`Parser`] reads a whole document, and can hand each element on given paths to a
//! [`Stream`] and drop it from the tree as soon as it is complete; a [`PieceParser`] reads a
//! piece of one, from a start tag inside open elements, for the document's parser to step
//! over. Which pieces, on which thread, is the caller's business (`crate::read`).
//!
//! A `<!DOCTYPE>` is refused outright, and references are only the five predefined
//! entities and character references, so no entity is ever expanded.

use crate::escape::attribute_value;
use crate::name_set::NameSet;
use crate::scan::{Scanner, Token};
use crate::{Error, Limits};

const NONE: u32 = u32::MAX;
/// Marks a [`Span`] into [`Document::decoded`] rather than into the input.
const DECODED: u32 = 1 << 31;
/// The longest input whose offsets fit a [`Span`].
const MAX_TEXT: usize = (DECODED - 1) as usize;

/// A piece of the input (or of the decoded values): offset and length.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

/// A parsed document: every element and every kept attribute.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    text: &'a str,
    /// Attribute values that held a reference or whitespace to normalize, decoded.
    decoded: String,
    nodes: Vec<Node>,
    /// (name, value) of each kept attribute, element by element.
    attrs: Vec<(Span, Span)>,
}

#[derive(Debug)]
struct Node {
    name: Span,
    attrs: (u32, u32),
    first_child: u32,
    next_sibling: u32,
    position: u32,
}

impl<'a> Document<'a> {
    /// An empty tree over `text`, with room for `attributes` kept attributes and half as
    /// many elements.
    fn new(text: &'a str, limits: &Limits, attributes: usize) -> Self {
        let attributes = attributes.min(limits.max_elements);
        Self {
            text,
            decoded: String::new(),
            nodes: Vec::with_capacity(attributes / 2),
            attrs: Vec::with_capacity(attributes),
        }
    }

    /// The root element.
    pub(crate) fn root(&self) -> Element<'_> {
        Element {
            doc: self,
            index: 0,
        }
    }

    /// The bytes of a name (names are never decoded, so always a piece of the input).
    fn name_bytes(&self, span: Span) -> &[u8] {
        let start = span.start as usize;
        self.text
            .as_bytes()
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    fn str(&self, span: Span) -> &str {
        let (source, start) = match span.start & DECODED {
            0 => (self.text, span.start),
            _ => (self.decoded.as_str(), span.start & !DECODED),
        };
        let start = start as usize;
        source.get(start..start + span.len as usize).unwrap_or("")
    }

    /// Where `part`, a slice of the input, lies in it.
    fn span_of(&self, part: &str) -> Span {
        let start = (part.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        Span {
            start: index_u32(start),
            len: index_u32(part.len()),
        }
    }

    /// Keeps a decoded value; returns where it lies.
    fn keep_decoded(&mut self, value: &str) -> Span {
        let start = index_u32(self.decoded.len()) | DECODED;
        self.decoded.push_str(value);
        Span {
            start,
            len: index_u32(value.len()),
        }
    }
}

/// A handle on one element of a [`Document`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'d> {
    doc: &'d Document<'d>,
    index: u32,
}

impl<'d> Element<'d> {
    fn node(self) -> Option<&'d Node> {
        self.doc.nodes.get(self.index as usize)
    }

    fn at(self, index: u32) -> Option<Element<'d>> {
        (index != NONE).then_some(Element {
            doc: self.doc,
            index,
        })
    }

    /// The element's name.
    pub(crate) fn name(self) -> &'d str {
        self.node().map_or("", |n| self.doc.str(n.name))
    }

    /// Byte offset of the element's start tag in the input.
    pub(crate) fn position(self) -> u64 {
        self.node().map_or(0, |n| u64::from(n.position))
    }

    /// Whether the element is called `name` (compared as bytes: no character boundary to
    /// check).
    fn is_named(self, name: &str) -> bool {
        self.node()
            .is_some_and(|n| self.doc.name_bytes(n.name) == name.as_bytes())
    }

    /// The value of attribute `name`, if present (and kept).
    pub(crate) fn attr(self, name: &str) -> Option<&'d str> {
        let doc = self.doc;
        let name = name.as_bytes();
        self.spans()
            .iter()
            .find(|(k, _)| k.len as usize == name.len() && doc.name_bytes(*k) == name)
            .map(|(_, v)| doc.str(*v))
    }

    /// Every kept attribute (name, value), in document order: one pass where an element's
    /// attributes are read in bulk. Names come as bytes, to be matched against literals
    /// without checking that they hold whole characters.
    pub(crate) fn attributes(self) -> impl Iterator<Item = (&'d [u8], &'d str)> {
        let doc = self.doc;
        self.spans()
            .iter()
            .map(move |(k, v)| (doc.name_bytes(*k), doc.str(*v)))
    }

    fn spans(self) -> &'d [(Span, Span)] {
        let Some(&Node {
            attrs: (start, end),
            ..
        }) = self.node()
        else {
            return &[];
        };
        self.doc
            .attrs
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// Child elements, in document order.
    pub(crate) fn children(self) -> impl Iterator<Item = Element<'d>> + Clone {
        let first = self.node().and_then(|n| self.at(n.first_child));
        std::iter::successors(first, |e| e.node().and_then(|n| e.at(n.next_sibling)))
    }

    /// Child elements called `name`, in document order.
    pub(crate) fn children_named<'n>(
        self,
        name: &'n str,
    ) -> impl Iterator<Item = Element<'d>> + Clone + 'n
    where
        'd: 'n,
    {
        self.children().filter(move |c| c.is_named(name))
    }

    /// The first child element called `name`.
    pub(crate) fn child(self, name: &str) -> Option<Element<'d>> {
        self.children().find(|c| c.is_named(name))
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

/// Which attributes of an element the tree keeps: decided once per element, then applied
/// to each of its attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keep {
    /// Every attribute.
    All,
    /// Only the attributes named in the set.
    Only(&'static NameSet),
}

impl Keep {
    #[inline]
    fn keeps(self, attribute: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(names) => names.contains(attribute),
        }
    }
}

/// Parses `text`, enforcing `limits` and keeping only the attributes `keep(element)` says.
pub(crate) fn parse<'a>(
    text: &'a str,
    limits: &Limits,
    keep: impl Fn(&str) -> Keep,
) -> Result<Document<'a>, Error> {
    Ok(Parser::new(text, limits, keep, &[], ())?.finish()?.0)
}

/// Receives each element a [`Parser`] streams out of the tree.
pub(crate) trait Stream {
    /// `element` is complete and lies at `paths[path]`; it is dropped from the tree next.
    fn element(&mut self, path: usize, element: Element<'_>);
}

impl Stream for () {
    fn element(&mut self, _: usize, _: Element<'_>) {}
}

/// A parse of a whole document, like [`parse`], except that each element at one of `paths`
/// (element names from the root down) is handed to a [`Stream`], with the index of its
/// path, as soon as it is complete, then dropped from the tree: a long repeated section (the
/// CIB's `node_state` entries, and the resource histories inside them) costs the memory of
/// one entry at a time. An element on a path inside another's is handed over (and dropped)
/// first.
///
/// [`Parser::finish`] reads the whole document. A piece of it can also be read by a
/// [`PieceParser`] and stepped over: [`Parser::run_to`] reads up to the piece,
/// [`Parser::skip_to`] goes on after it, [`Parser::finish`] reads the rest.
pub(crate) struct Parser<'a, 'l, K, S> {
    builder: Builder<'a, 'l, K, S>,
}

impl<'a, 'l, K: Fn(&str) -> Keep, S: Stream> Parser<'a, 'l, K, S> {
    /// A parse of `text` that streams the elements at `paths` to `stream`; nothing is read
    /// yet.
    pub(crate) fn new(
        text: &'a str,
        limits: &'l Limits,
        keep: K,
        paths: &'l [&'l [&'l str]],
        stream: S,
    ) -> Result<Self, Error> {
        let max_input = limits.max_input_bytes.min(MAX_TEXT);
        if text.len() > max_input {
            return Err(limit(0, "input size in bytes", max_input));
        }
        // Room for what a CIB keeps in the tree, estimated from the length rather than
        // counted in a pass over the text: most of a CIB is its status section, which is
        // streamed out of the tree, and the rest spends well over 128 bytes per kept
        // attribute and twice that per element. A larger remainder makes the vectors grow.
        // Reserving once matters for memory: growing by doubling leaves freed blocks that
        // the allocator keeps, which over repeated parses costs more than the reservation.
        let capacity = text.len() / 128;
        Ok(Self {
            builder: Builder::new(Scanner::new(text), limits, keep, paths, stream, capacity),
        })
    }

    /// Reads up to the start tag at byte `split`. Returns true when there is one and the
    /// open elements around it are named `context`, root first: the tag is then read no
    /// further, and the caller reads from it to the end tag that closes the innermost
    /// `context` element with a [`PieceParser`] and goes on after it with
    /// [`Parser::skip_to`]. Returns false when the document holds no such tag (`split` lies
    /// in a comment, say): the parse has then gone on past `split` (or to the end) as if
    /// none was asked.
    pub(crate) fn run_to(&mut self, split: usize, context: &[&str]) -> Result<bool, Error> {
        self.builder.run_to(split, context)
    }

    /// Goes on at byte `position`, the end tag a [`PieceParser`] from the split stopped
    /// at, counting the `elements` it read. Returns false, and goes nowhere, when they pass
    /// [`Limits::max_elements`]: where is for a parse that reads them to tell.
    pub(crate) fn skip_to(&mut self, position: usize, elements: usize) -> bool {
        let builder = &mut self.builder;
        let total = builder.elements.saturating_add(elements);
        if total > builder.limits.max_elements {
            return false;
        }
        builder.elements = total;
        builder.scanner.seek(position);
        true
    }

    /// The tree read so far.
    pub(crate) fn document(&self) -> &Document<'a> {
        &self.builder.doc
    }

    /// The stream the elements go to.
    pub(crate) fn stream_mut(&mut self) -> &mut S {
        &mut self.builder.stream
    }

    /// Reads the rest of the document; returns the tree and the stream.
    pub(crate) fn finish(mut self) -> Result<(Document<'a>, S), Error> {
        // A split at the input's end is never reached, so this reads the rest.
        self.builder.run_to(usize::MAX, &[])?;
        let Builder { doc, stream, .. } = self.builder;
        if doc.nodes.is_empty() {
            return Err(Error::Empty);
        }
        Ok((doc, stream))
    }
}

/// A parse of a piece of a document, as a [`Parser`] reads a whole one: from a start tag
/// inside open elements to the end tag that closes the innermost of them, streaming the
/// elements at `paths` (given from that innermost element down). A caller reads a piece
/// apart from the rest of the document this way (on another thread, say) and has the
/// document's [`Parser`] step over it ([`Parser::skip_to`]). Positions in errors are offsets
/// in the whole text; the element limit applies to the piece alone, and the sum is for the
/// caller to check.
pub(crate) struct PieceParser<'a, 'l, K, S> {
    builder: Builder<'a, 'l, K, S>,
}

impl<'a, 'l, K: Fn(&str) -> Keep, S: Stream> PieceParser<'a, 'l, K, S> {
    /// A parse of `text` from the start tag at byte `at`, inside `depth` open elements;
    /// nothing is read yet. The tree has no room reserved: a piece is read for the
    /// elements it streams out.
    pub(crate) fn new(
        text: &'a str,
        at: usize,
        depth: usize,
        limits: &'l Limits,
        keep: K,
        paths: &'l [&'l [&'l str]],
        stream: S,
    ) -> Self {
        let mut builder = Builder::new(Scanner::at(text, at), limits, keep, paths, stream, 0);
        builder.outer_depth = depth;
        Self { builder }
    }

    /// Reads on to the end tag that closes the piece, and returns its byte offset; or
    /// stops early, returning `None`, once `until` elements have been opened in all (to be
    /// called again to read on).
    pub(crate) fn run_to_end(&mut self, until: usize) -> Result<Option<usize>, Error> {
        let builder = &mut self.builder;
        loop {
            match builder.scanner.next_token(true)? {
                Token::Start { name, position } => {
                    builder.open(name, position)?;
                    if builder.elements >= until {
                        return Ok(None);
                    }
                }
                Token::End { position, .. } if builder.stack.is_empty() => {
                    return Ok(Some(position));
                }
                Token::End { name, position } => builder.close(name, position)?,
                Token::Eof { position } => {
                    return Err(malformed(position, "document ends inside an element"));
                }
            }
        }
    }

    /// Elements opened so far, streamed ones included.
    pub(crate) fn elements(&self) -> usize {
        self.builder.elements
    }

    /// Elements in the tree now: those opened and not streamed out.
    pub(crate) fn kept(&self) -> usize {
        self.builder.doc.nodes.len()
    }

    /// The stream the elements went to.
    pub(crate) fn into_stream(self) -> S {
        self.builder.stream
    }
}

/// An element whose end tag has not been read yet.
#[derive(Debug, Clone, Copy)]
struct Open {
    index: u32,
    /// Its last child so far.
    last_child: u32,
    /// Its previous sibling (to unlink it when it is streamed out).
    previous: u32,
}

/// Builds the tree; generic over `keep` so the choice of attributes is inlined.
struct Builder<'a, 'l, K, S> {
    scanner: Scanner<'a>,
    limits: &'l Limits,
    keep: K,
    doc: Document<'a>,
    stack: Vec<Open>,
    /// Elements open around the piece being read ([`PieceParser`]); 0 for a document.
    outer_depth: usize,
    root_done: bool,
    /// Elements opened so far, streamed ones included.
    elements: usize,
    paths: &'l [&'l [&'l str]],
    stream: S,
}

impl<'a, 'l, K: Fn(&str) -> Keep, S: Stream> Builder<'a, 'l, K, S> {
    fn new(
        scanner: Scanner<'a>,
        limits: &'l Limits,
        keep: K,
        paths: &'l [&'l [&'l str]],
        stream: S,
        capacity: usize,
    ) -> Self {
        Self {
            doc: Document::new(scanner.text(), limits, capacity),
            scanner,
            limits,
            keep,
            stack: Vec::new(),
            outer_depth: 0,
            root_done: false,
            elements: 0,
            paths,
            stream,
        }
    }

    /// Whether the open elements are named `names`, root first.
    fn open_names_are(&self, names: &[&str]) -> bool {
        self.stack.len() == names.len()
            && self.stack.iter().zip(names).all(|(open, name)| {
                let element = Element {
                    doc: &self.doc,
                    index: open.index,
                };
                element.is_named(name)
            })
    }

    /// Reads up to the start tag at byte `split` (see [`Parser::run_to`]), or to the end of
    /// the document, checking that every element was closed.
    fn run_to(&mut self, split: usize, context: &[&str]) -> Result<bool, Error> {
        loop {
            match self.scanner.next_token(!self.stack.is_empty())? {
                Token::Start { name, position } if position >= split => {
                    if position == split && self.open_names_are(context) {
                        return Ok(true);
                    }
                    self.open(name, position)?;
                    return Ok(false);
                }
                Token::Start { name, position } => self.open(name, position)?,
                Token::End { name, position } => self.close(name, position)?,
                Token::Eof { position } => {
                    self.finish(position)?;
                    return Ok(false);
                }
            }
        }
    }

    /// Adds an element as the last child of the innermost open element.
    // Inlined into both reading loops (`run_to`, `run_to_end`): the compiler stopped
    // doing so on its own once there was more than one.
    #[inline(always)]
    fn open(&mut self, name: &'a str, position: usize) -> Result<(), Error> {
        let limits = self.limits;
        if self.root_done {
            return Err(malformed(position, "content after the root element"));
        }
        if self.elements >= limits.max_elements {
            return Err(limit(position, "element count", limits.max_elements));
        }
        self.elements += 1;
        let index = self.doc.nodes.len();
        check_name(name, position, limits)?;
        let first_attr = index_u32(self.doc.attrs.len());
        let keep = (self.keep)(name);
        let mut count = 0;
        while let Some(attr) = self.scanner.next_attribute()? {
            count += 1;
            if count > limits.max_attributes {
                let max = limits.max_attributes;
                return Err(limit(position, "attributes per element", max));
            }
            if attr.raw.len() > limits.max_attribute_bytes {
                let max = limits.max_attribute_bytes;
                return Err(limit(position, "attribute value bytes", max));
            }
            check_name(attr.name, position, limits)?;
            if keep.keeps(attr.name) {
                let value = match attr.plain {
                    true => self.doc.span_of(attr.raw),
                    false => self.value(attr.raw, position, attr.name)?,
                };
                let key = self.doc.span_of(attr.name);
                self.doc.attrs.push((key, value));
            }
        }
        self.doc.nodes.push(Node {
            name: self.doc.span_of(name),
            attrs: (first_attr, index_u32(self.doc.attrs.len())),
            first_child: NONE,
            next_sibling: NONE,
            position: index_u32(position),
        });
        let index = index_u32(index);
        let open = Open {
            index,
            last_child: NONE,
            previous: self.link(index),
        };
        if self.scanner.self_closing() {
            self.closed(open);
        } else if self.outer_depth + self.stack.len() >= limits.max_depth {
            return Err(limit(position, "nesting depth", limits.max_depth));
        } else {
            self.stack.push(open);
        }
        Ok(())
    }

    #[inline(always)]
    fn close(&mut self, name: &str, position: usize) -> Result<(), Error> {
        let Some(open) = self.stack.pop() else {
            return Err(malformed(position, "end tag without start tag"));
        };
        let element = Element {
            doc: &self.doc,
            index: open.index,
        };
        if !element.is_named(name) {
            let message = format!("</{name}> does not close {}", element.describe());
            return Err(malformed(position, &message));
        }
        self.closed(open);
        Ok(())
    }

    /// An element is complete: stream it out if it is on one of the paths.
    fn closed(&mut self, open: Open) {
        self.root_done |= self.stack.is_empty() && self.outer_depth == 0;
        let element = Element {
            doc: &self.doc,
            index: open.index,
        };
        let on_path = |path: &&[&str]| {
            path.split_last().is_some_and(|(leaf, ancestors)| {
                element.is_named(leaf) && self.open_names_are(ancestors)
            })
        };
        if let Some(which) = self.paths.iter().position(on_path) {
            self.stream.element(which, element);
            self.unlink(open);
        }
    }

    /// Drops the last element (and its subtree) from the tree.
    fn unlink(&mut self, open: Open) {
        let nodes = &mut self.doc.nodes;
        if let Some(node) = nodes.get(open.index as usize) {
            self.doc.attrs.truncate(node.attrs.0 as usize);
        }
        nodes.truncate(open.index as usize);
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        parent.last_child = open.previous;
        if let Some(slot) = link_slot(nodes, parent.index, open.previous) {
            *slot = NONE;
        }
    }

    /// Links an element as the last child of the innermost open one; returns its previous
    /// sibling.
    #[inline(always)]
    fn link(&mut self, index: u32) -> u32 {
        let Some(parent) = self.stack.last_mut() else {
            return NONE;
        };
        let previous = std::mem::replace(&mut parent.last_child, index);
        if let Some(slot) = link_slot(&mut self.doc.nodes, parent.index, previous) {
            *slot = index;
        }
        previous
    }

    /// A value that holds a reference or whitespace to normalize, decoded.
    fn value(&mut self, raw: &'a str, position: usize, key: &str) -> Result<Span, Error> {
        match attribute_value(raw) {
            Some(std::borrow::Cow::Borrowed(text)) => Ok(self.doc.span_of(text)),
            Some(std::borrow::Cow::Owned(text)) => Ok(self.doc.keep_decoded(&text)),
            None => Err(malformed(
                position,
                &format!("attribute {key:?}: bad reference"),
            )),
        }
    }

    fn finish(&self, position: usize) -> Result<(), Error> {
        match self.stack.last() {
            Some(open) => {
                let open = Element {
                    doc: &self.doc,
                    index: open.index,
                };
                let message = format!("document ends inside {}", open.describe());
                Err(malformed(position, &message))
            }
            None => Ok(()),
        }
    }
}

/// Where the link to a child following `previous` (or to the first child) is kept.
fn link_slot(nodes: &mut [Node], parent: u32, previous: u32) -> Option<&mut u32> {
    match previous {
        NONE => nodes.get_mut(parent as usize).map(|p| &mut p.first_child),
        sibling => nodes.get_mut(sibling as usize).map(|s| &mut s.next_sibling),
    }
}

fn check_name(name: &str, position: usize, limits: &Limits) -> Result<(), Error> {
    if name.len() > limits.max_name_bytes {
        return Err(limit(position, "name bytes", limits.max_name_bytes));
    }
    Ok(())
}

/// An offset or count known to fit (inputs are at most [`MAX_TEXT`] bytes).
fn index_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(NONE)
}

fn malformed(position: usize, message: &str) -> Error {
    Error::Malformed {
        position: u64::try_from(position).unwrap_or(u64::MAX),
        message: message.to_owned(),
    }
}

fn limit(position: usize, what: &'static str, max: usize) -> Error {
    Error::Limit {
        position: u64::try_from(position).unwrap_or(u64::MAX),
        limit: what,
        max: u64::try_from(max).unwrap_or(u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl<F: FnMut(usize, Element<'_>)> Stream for &mut F {
        fn element(&mut self, path: usize, element: Element<'_>) {
            self(path, element);
        }
    }

    fn parse_streaming<'a>(
        text: &'a str,
        limits: &Limits,
        keep: impl Fn(&str) -> Keep,
        paths: &[&[&str]],
        stream: impl Stream,
    ) -> Result<Document<'a>, Error> {
        Ok(Parser::new(text, limits, keep, paths, stream)?.finish()?.0)
    }

    fn tree(text: &str) -> Result<Document<'_>, Error> {
        parse(text, &Limits::default(), |_| Keep::All)
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
        static KEPT: NameSet = NameSet::new(&["id", "v"]);
        let doc = parse(text, &Limits::default(), |_| Keep::Only(&KEPT)).unwrap();
        assert_eq!(doc.attrs.len(), 2);
        assert_eq!(doc.decoded, "1<2");
        assert_eq!(doc.root().attr("id"), Some("x"));
        assert_eq!(doc.root().attr("v"), Some("1<2"));
        assert_eq!(doc.root().attr("digest"), None);
    }

    #[test]
    fn streams_elements_on_the_path_out_of_the_tree() {
        let text =
            r#"<a><s><n i="1"><x/></n><k/><n i="2"/><m><n i="3"/></m><n i="5"/></s><n i="4"/></a>"#;
        let mut seen = Vec::new();
        let path = ["a", "s", "n"];
        let mut each = |_, n: Element<'_>| seen.push(n.attr("i").unwrap().to_owned());
        let doc =
            parse_streaming(text, &Limits::default(), |_| Keep::All, &[&path], &mut each).unwrap();
        assert_eq!(seen, ["1", "2", "5"]);
        let s = doc.root().child("s").unwrap();
        assert_eq!(
            s.children().map(Element::name).collect::<Vec<_>>(),
            ["k", "m"]
        );
        let nested = s.child("m").unwrap().child("n").unwrap();
        assert_eq!(nested.attr("i"), Some("3"));
        let top: Vec<&str> = doc.root().children().map(Element::name).collect();
        assert_eq!(top, ["s", "n"]);
        assert_eq!(doc.nodes.len(), 6);
    }

    #[test]
    fn streams_inner_paths_before_the_element_holding_them() {
        let text = r#"<a><s><n i="1"><r j="x"/><k/><r j="y"/></n><n i="2"/></s></a>"#;
        let mut seen = Vec::new();
        let paths: [&[&str]; 2] = [&["a", "s", "n", "r"], &["a", "s", "n"]];
        let mut each = |path, e: Element<'_>| {
            let children: Vec<&str> = e.children().map(Element::name).collect();
            let value = e.attr("j").or(e.attr("i")).unwrap();
            seen.push(format!("{path} {value} {children:?}"));
        };
        parse_streaming(text, &Limits::default(), |_| Keep::All, &paths, &mut each).unwrap();
        assert_eq!(seen, ["0 x []", "0 y []", "1 1 [\"k\"]", "1 2 []"]);
    }

    #[test]
    fn a_piece_reads_in_steps_to_the_end_tag_that_closes_it() {
        // `<a>` and `<x/>` inside `<r>`, to `</r>`, with the `<b/>`s streamed.
        let text = "<r><a><b/><b/><c/></a><x/></r>";
        let paths: [&[&str]; 1] = [&["a", "b"]];
        let limits = Limits::default();
        let piece = |text| PieceParser::new(text, 3, 1, &limits, |_| Keep::All, &paths, ());
        let mut whole = piece(text);
        assert_eq!(whole.run_to_end(2).unwrap(), None);
        assert_eq!(whole.elements(), 2);
        assert_eq!(whole.run_to_end(usize::MAX).unwrap(), Some(text.len() - 4));
        assert_eq!((whole.elements(), whole.kept()), (5, 3));
        let cut = piece(&text[..22]).run_to_end(usize::MAX);
        assert!(
            matches!(cut, Err(Error::Malformed { position: 22, .. })),
            "{cut:?}"
        );
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
    fn counts_streamed_elements_against_the_element_limit() {
        let limits = Limits {
            max_elements: 4,
            ..Limits::default()
        };
        let text = "<a><s/><s/><s/><s/></a>";
        let err = parse_streaming(text, &limits, |_| Keep::All, &[&["a", "s"]], ()).unwrap_err();
        assert!(matches!(err, Error::Limit { position: 15, .. }), "{err}");
    }

    #[test]
    fn bounds_attribute_size() {
        let limits = Limits {
            max_attribute_bytes: 4,
            ..Limits::default()
        };
        let err = parse(r#"<a x="12345"/>"#, &limits, |_| Keep::All).unwrap_err();
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

    /// Elements with their depth and attributes, in document order, as quick-xml reads
    /// them (values unescaped and whitespace-normalized, as XML reads attribute values).
    fn quick_xml_outline(text: &str) -> Vec<String> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(text);
        let mut out = Vec::new();
        let mut depth = 0;
        loop {
            let (start, empty) = match reader.read_event().unwrap() {
                Event::Start(start) => (start, false),
                Event::Empty(start) => (start, true),
                Event::End(_) => {
                    depth -= 1;
                    continue;
                }
                Event::Eof => return out,
                _ => continue,
            };
            let attrs: Vec<String> = start
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    let value = a.unescape_value().unwrap().replace(['\t', '\n', '\r'], " ");
                    format!("{}={value}", String::from_utf8_lossy(a.key.as_ref()))
                })
                .collect();
            let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
            out.push(format!("{depth} {name} {}", attrs.join(" ")));
            depth += usize::from(!empty);
        }
    }

    fn outline(element: Element<'_>, depth: usize, out: &mut Vec<String>) {
        let doc = element.doc;
        let node = element.node().unwrap();
        let attrs: Vec<String> = doc.attrs[node.attrs.0 as usize..node.attrs.1 as usize]
            .iter()
            .map(|(k, v)| format!("{}={}", doc.str(*k), doc.str(*v)))
            .collect();
        out.push(format!("{depth} {} {}", element.name(), attrs.join(" ")));
        for child in element.children() {
            outline(child, depth + 1, out);
        }
    }

    /// The corpus, and the extra one the oracle test reads (`CIB_ORACLE_DIR`), if set.
    #[test]
    fn reads_every_corpus_file_as_quick_xml_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
        let mut files = 0;
        let mut pending = vec![std::path::PathBuf::from(dir)];
        pending.extend(std::env::var_os("CIB_ORACLE_DIR").map(std::path::PathBuf::from));
        while let Some(path) = pending.pop() {
            if path.is_dir() {
                pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "xml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut ours = Vec::new();
            outline(tree(&text).unwrap().root(), 0, &mut ours);
            assert_eq!(ours, quick_xml_outline(&text), "{}", path.display());
            files += 1;
        }
        assert!(files > 20, "{files} corpus files");
    }
}
