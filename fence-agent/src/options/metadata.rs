//! `-o metadata`: fence-agents-format XML from the option table, written with an XML writer.
//!
//! Naming follows fencing.py's `metadata()`: an option whose key differs from its long name
//! appears twice, as the old key with `deprecated="1"` and as the long name (with `_`) with
//! `obsoletes="<old key>"`; entries sort by `(order, name)`.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::table::{Kind, OptSpec};
use crate::personality::{Personality, SUFFIX};

/// The metadata XML for an agent installed as `program` with `personality`'s defaults.
pub fn metadata(program: &str, personality: &Personality) -> Result<String, std::io::Error> {
    let family = personality.family;
    let mut w = Writer::new_with_indent(Vec::new(), b'\t', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", None, None)))?;
    let root = BytesStart::new("resource-agent")
        .with_attributes([("name", program), ("shortdesc", family.shortdesc)]);
    w.write_event(Event::Start(root))?;
    for alias in personality.aliases() {
        let name = format!("{}{SUFFIX}", alias.name);
        let el = BytesStart::new("symlink")
            .with_attributes([("name", name.as_str()), ("shortdesc", alias.shortdesc)]);
        w.write_event(Event::Empty(el))?;
    }
    text_element(&mut w, "longdesc", family.longdesc)?;
    text_element(&mut w, "vendor-url", family.vendor_url)?;
    w.write_event(Event::Start(BytesStart::new("parameters")))?;
    for entry in entries(family.options) {
        parameter(&mut w, &entry, personality)?;
    }
    w.write_event(Event::End(BytesEnd::new("parameters")))?;
    actions(&mut w, family.actions)?;
    w.write_event(Event::End(BytesEnd::new("resource-agent")))?;
    let mut xml = String::from_utf8_lossy(&w.into_inner()).into_owned();
    xml.push('\n');
    Ok(xml)
}

/// How a metadata entry relates to the option's other spelling.
enum Naming {
    Current,
    Deprecated,
    Obsoletes(&'static str),
}

struct Entry {
    name: String,
    spec: &'static OptSpec,
    naming: Naming,
}

fn entries(table: &'static [OptSpec]) -> Vec<Entry> {
    let mut list = Vec::new();
    for spec in table.iter().filter(|o| o.in_metadata) {
        let current = spec.current_name();
        if current == spec.key {
            list.push(Entry {
                name: current,
                spec,
                naming: Naming::Current,
            });
        } else {
            list.push(Entry {
                name: spec.key.to_owned(),
                spec,
                naming: Naming::Deprecated,
            });
            list.push(Entry {
                name: current,
                spec,
                naming: Naming::Obsoletes(spec.key),
            });
        }
    }
    list.sort_by(|a, b| (a.spec.order, &a.name).cmp(&(b.spec.order, &b.name)));
    list
}

type W = Writer<Vec<u8>>;

fn parameter(w: &mut W, entry: &Entry, personality: &Personality) -> std::io::Result<()> {
    let spec = entry.spec;
    let required = if spec.key == "action" || spec.required {
        "1"
    } else {
        "0"
    };
    let mut el = BytesStart::new("parameter").with_attributes([
        ("name", entry.name.as_str()),
        ("unique", "0"),
        ("required", required),
    ]);
    match entry.naming {
        Naming::Current => {}
        Naming::Deprecated => el.push_attribute(("deprecated", "1")),
        Naming::Obsoletes(old) => el.push_attribute(("obsoletes", old)),
    }
    w.write_event(Event::Start(el))?;
    w.write_event(Event::Empty(
        BytesStart::new("getopt").with_attributes([("mixed", spec.mixed())]),
    ))?;
    content(w, spec, personality)?;
    let desc = BytesStart::new("shortdesc").with_attributes([("lang", "en")]);
    w.write_event(Event::Start(desc))?;
    w.write_event(Event::Text(text(spec.shortdesc)))?;
    w.write_event(Event::End(BytesEnd::new("shortdesc")))?;
    w.write_event(Event::End(BytesEnd::new("parameter")))
}

fn content(w: &mut W, spec: &OptSpec, personality: &Personality) -> std::io::Result<()> {
    let kind = match spec.kind {
        Kind::Boolean => "boolean",
        Kind::String => "string",
        Kind::Integer => "integer",
        Kind::Second => "second",
        Kind::Select(_) => "select",
    };
    let mut el = BytesStart::new("content").with_attributes([("type", kind)]);
    if let Some(default) = personality.default_for(spec.key, spec.default) {
        el.push_attribute(("default", default));
    }
    let Kind::Select(choices) = spec.kind else {
        return w.write_event(Event::Empty(el));
    };
    w.write_event(Event::Start(el))?;
    for choice in choices {
        w.write_event(Event::Empty(
            BytesStart::new("option").with_attributes([("value", *choice)]),
        ))?;
    }
    w.write_event(Event::End(BytesEnd::new("content")))
}

fn actions(w: &mut W, list: &[&str]) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new("actions")))?;
    let on = BytesStart::new("action").with_attributes([("name", "on"), ("automatic", "0")]);
    w.write_event(Event::Empty(on))?;
    for action in list {
        w.write_event(Event::Empty(
            BytesStart::new("action").with_attributes([("name", *action)]),
        ))?;
    }
    w.write_event(Event::End(BytesEnd::new("actions")))
}

fn text_element(w: &mut W, name: &str, text: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(self::text(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// Text with only `&`, `<` and `>` escaped, as fence-agents writes it (quotes stay literal).
fn text(raw: &str) -> BytesText<'static> {
    BytesText::from_escaped(quick_xml::escape::partial_escape(raw).into_owned())
}
