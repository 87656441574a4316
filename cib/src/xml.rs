//! A small, bounded XML element tree built on quick-xml.
//!
//! Only elements and attributes are kept: CIB and `crm_mon` XML carry no meaningful text.
//! A `<!DOCTYPE>` is refused outright and attribute values are unescaped with the five
//! predefined entities and character references only, so no entity is ever expanded.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::{Error, Limits};

/// One element: its name, its attributes in document order, its child elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: Box<str>,
    pub(crate) attrs: Vec<(Box<str>, Box<str>)>,
    pub(crate) children: Vec<Element>,
    /// Byte offset of the element's start tag in the input.
    pub(crate) position: u64,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Child elements called `name`, in document order.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.name.as_ref() == name)
    }

    /// The first child element called `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name.as_ref() == name)
    }

    /// `name` or `name id="..."`, for error messages and warnings.
    pub(crate) fn describe(&self) -> String {
        match self.attr("id") {
            Some(id) => format!("<{} id={id:?}>", self.name),
            None => format!("<{}>", self.name),
        }
    }

    /// A required attribute, or an error naming the element and the attribute.
    pub(crate) fn required(&self, name: &'static str) -> Result<&str, Error> {
        self.attr(name).ok_or_else(|| Error::Attribute {
            element: self.describe(),
            attribute: name,
            problem: "is missing".to_owned(),
            position: self.position,
        })
    }
}

/// Parses `text` into its root element, enforcing `limits`.
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Element, Error> {
    if text.len() > limits.max_input_bytes {
        return Err(limit(0, "input size in bytes", limits.max_input_bytes));
    }
    let mut builder = Builder {
        reader: Reader::from_str(text),
        limits,
        stack: Vec::new(),
        elements: 0,
        root: None,
    };
    builder.run()?;
    builder.root.ok_or(Error::Empty)
}

struct Builder<'a> {
    reader: Reader<&'a [u8]>,
    limits: &'a Limits,
    stack: Vec<Element>,
    elements: usize,
    root: Option<Element>,
}

impl Builder<'_> {
    fn run(&mut self) -> Result<(), Error> {
        loop {
            let position = self.reader.buffer_position();
            let event = self.reader.read_event().map_err(|e| Error::Malformed {
                position: self.reader.error_position(),
                message: e.to_string(),
            })?;
            match event {
                Event::Start(start) => {
                    let element = self.open(&start, position)?;
                    if self.stack.len() >= self.limits.max_depth {
                        return Err(limit(position, "nesting depth", self.limits.max_depth));
                    }
                    self.stack.push(element);
                }
                Event::Empty(start) => {
                    let element = self.open(&start, position)?;
                    self.close(element, position)?;
                }
                Event::End(_) => match self.stack.pop() {
                    Some(element) => self.close(element, position)?,
                    None => return Err(malformed(position, "end tag without start tag")),
                },
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

    fn open(&mut self, start: &BytesStart<'_>, position: u64) -> Result<Element, Error> {
        if self.root.is_some() {
            return Err(malformed(position, "content after the root element"));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(limit(position, "element count", self.limits.max_elements));
        }
        let name = self.name(start.name().as_ref(), position)?;
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| malformed(position, &e.to_string()))?;
            if attrs.len() >= self.limits.max_attributes {
                return Err(limit(
                    position,
                    "attributes per element",
                    self.limits.max_attributes,
                ));
            }
            let key = self.name(attr.key.as_ref(), position)?;
            if attr.value.len() > self.limits.max_attribute_bytes {
                return Err(limit(
                    position,
                    "attribute value bytes",
                    self.limits.max_attribute_bytes,
                ));
            }
            let value = attr
                .decode_and_unescape_value(self.reader.decoder())
                .map_err(|e| malformed(position, &format!("attribute {key:?}: {e}")))?;
            attrs.push((key, Box::from(value.as_ref())));
        }
        Ok(Element {
            name,
            attrs,
            children: Vec::new(),
            position,
        })
    }

    fn name(&self, raw: &[u8], position: u64) -> Result<Box<str>, Error> {
        if raw.len() > self.limits.max_name_bytes {
            return Err(limit(position, "name bytes", self.limits.max_name_bytes));
        }
        std::str::from_utf8(raw)
            .map(Box::from)
            .map_err(|_| malformed(position, "name is not UTF-8"))
    }

    fn close(&mut self, element: Element, position: u64) -> Result<(), Error> {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None if self.root.is_none() => self.root = Some(element),
            None => return Err(malformed(position, "more than one root element")),
        }
        Ok(())
    }

    fn finish(&self, position: u64) -> Result<(), Error> {
        match self.stack.last() {
            Some(open) => Err(malformed(
                position,
                &format!("document ends inside {}", open.describe()),
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

    fn tree(text: &str) -> Result<Element, Error> {
        parse(text, &Limits::default())
    }

    #[test]
    fn keeps_elements_and_attributes() {
        let root = tree(r#"<a x="1&amp;2"><b/><c y="&#65;">text</c></a>"#).unwrap();
        assert_eq!(root.attr("x"), Some("1&2"));
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.child("c").unwrap().attr("y"), Some("A"));
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
        let err = parse(r#"<a x="12345"/>"#, &limits).unwrap_err();
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
