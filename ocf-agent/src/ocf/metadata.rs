//! `meta-data`: the agent's description as OCF 1.1 XML, written with an XML writer from the
//! parameter and action tables.
//!
//! The document names the OCF 1.0 DTD (`ra-api-1.dtd`, what `ocf-tester` validates against) and
//! declares the 1.1 additions in its internal subset: the `unique-group` and `reloadable` parameter
//! attributes and the action names 1.0 lacks (`reload-agent`). An internal declaration is read
//! first and so is binding, so the document is valid under the 1.0 DTD and still a 1.1 document
//! for Pacemaker and pcs (`<version>1.1</version>`).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::action::{Action, ActionSpec};
use super::param::{Kind, Param};

/// What an agent says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentInfo<'a, P: AsRef<Param>> {
    /// The agent's name (`hostmonitor` in `ocf:masakari:hostmonitor`).
    pub name: &'a str,
    /// The agent's own version.
    pub version: &'a str,
    /// One line.
    pub shortdesc: &'a str,
    /// The full explanation.
    pub longdesc: &'a str,
    /// Its parameters, in display order.
    pub params: &'a [P],
    /// Its actions.
    pub actions: &'a [ActionSpec],
}

/// The OCF API version the metadata claims.
pub const OCF_VERSION: &str = "1.1";

type W = Writer<Vec<u8>>;

/// The metadata XML of `agent`.
pub fn metadata<P: AsRef<Param>>(agent: &AgentInfo<'_, P>) -> std::io::Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", None, None)))?;
    w.write_event(Event::DocType(BytesText::from_escaped(doctype())))?;
    let root = BytesStart::new("resource-agent")
        .with_attributes([("name", agent.name), ("version", agent.version)]);
    w.write_event(Event::Start(root))?;
    text_element(&mut w, "version", OCF_VERSION)?;
    described(&mut w, agent.longdesc, agent.shortdesc)?;
    w.write_event(Event::Start(BytesStart::new("parameters")))?;
    for param in agent.params {
        parameter(&mut w, param.as_ref())?;
    }
    w.write_event(Event::End(BytesEnd::new("parameters")))?;
    w.write_event(Event::Start(BytesStart::new("actions")))?;
    for spec in agent.actions {
        action(&mut w, spec)?;
    }
    w.write_event(Event::End(BytesEnd::new("actions")))?;
    w.write_event(Event::End(BytesEnd::new("resource-agent")))?;
    let mut xml = String::from_utf8_lossy(&w.into_inner()).into_owned();
    xml.push('\n');
    Ok(xml)
}

/// The DOCTYPE: the 1.0 DTD plus the 1.1 additions.
fn doctype() -> String {
    let names: Vec<&str> = Action::all_names().collect();
    format!(
        "resource-agent SYSTEM \"ra-api-1.dtd\" [\n\
         <!ATTLIST parameter unique-group CDATA #IMPLIED reloadable (0|1) #IMPLIED>\n\
         <!ATTLIST action name ({}) #REQUIRED>\n]",
        names.join("|")
    )
}

fn parameter(w: &mut W, p: &Param) -> std::io::Result<()> {
    let mut el = BytesStart::new("parameter")
        .with_attributes([("name", p.name), ("required", flag(p.required))]);
    if let Some(group) = p.unique_group {
        el.push_attribute(("unique-group", group));
    }
    if p.reloadable {
        el.push_attribute(("reloadable", "1"));
    }
    w.write_event(Event::Start(el))?;
    let longdesc = match p.kind {
        Kind::Choice(choices) => format!("{} One of: {}.", p.longdesc, choices.join(", ")),
        _ => p.longdesc.to_owned(),
    };
    described(w, &longdesc, p.shortdesc)?;
    let kind = match p.kind {
        Kind::String | Kind::Choice(_) => "string",
        Kind::Integer => "integer",
        Kind::Boolean => "boolean",
    };
    let mut content = BytesStart::new("content").with_attributes([("type", kind)]);
    if let Some(default) = p.default {
        content.push_attribute(("default", default));
    }
    w.write_event(Event::Empty(content))?;
    w.write_event(Event::End(BytesEnd::new("parameter")))
}

fn action(w: &mut W, spec: &ActionSpec) -> std::io::Result<()> {
    let timeout = format!("{}s", spec.timeout);
    let mut el = BytesStart::new("action")
        .with_attributes([("name", spec.action.name()), ("timeout", timeout.as_str())]);
    if let Some(interval) = spec.interval {
        el.push_attribute(("interval", format!("{interval}s").as_str()));
    }
    if let Some(depth) = spec.depth {
        el.push_attribute(("depth", depth.to_string().as_str()));
    }
    w.write_event(Event::Empty(el))
}

fn described(w: &mut W, longdesc: &str, shortdesc: &str) -> std::io::Result<()> {
    for (name, text) in [("longdesc", longdesc), ("shortdesc", shortdesc)] {
        w.write_event(Event::Start(
            BytesStart::new(name).with_attributes([("lang", "en")]),
        ))?;
        w.write_event(Event::Text(escaped(text)))?;
        w.write_event(Event::End(BytesEnd::new(name)))?;
    }
    Ok(())
}

fn text_element(w: &mut W, name: &str, text: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

/// Text with `&`, `<` and `>` escaped; quotes stay readable.
fn escaped(raw: &str) -> BytesText<'static> {
    BytesText::from_escaped(quick_xml::escape::partial_escape(raw).into_owned())
}

fn flag(on: bool) -> &'static str {
    if on { "1" } else { "0" }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[Param] = &[
        Param::text("path", "A <path>", "Where & why.").unique_group("files"),
        Param::text("mode", "Mode", "How.")
            .kind(Kind::Choice(&["a", "b"]))
            .default("a")
            .reloadable(),
    ];
    const ACTIONS: &[ActionSpec] = &[
        ActionSpec::new(Action::Start, 20),
        ActionSpec::monitor(20, 10, 0),
    ];

    fn sample() -> String {
        metadata(&AgentInfo {
            name: "sample",
            version: "0.1",
            shortdesc: "Sample",
            longdesc: "A sample agent.",
            params: PARAMS,
            actions: ACTIONS,
        })
        .unwrap()
    }

    #[test]
    fn escapes_and_attributes() {
        let xml = sample();
        assert!(
            xml.contains("<shortdesc lang=\"en\">A &lt;path&gt;</shortdesc>"),
            "{xml}"
        );
        assert!(xml.contains("Where &amp; why."));
        assert!(xml.contains("unique-group=\"files\""));
        assert!(xml.contains("reloadable=\"1\""));
        assert!(xml.contains("How. One of: a, b."));
        assert!(xml.contains(r#"<action name="monitor" timeout="20s" interval="10s" depth="0"/>"#));
        assert!(xml.contains("<version>1.1</version>"));
    }

    #[test]
    fn doctype_declares_every_action_name() {
        let xml = sample();
        for name in Action::all_names() {
            assert!(
                xml.contains(&format!("|{name}|"))
                    || xml.contains(&format!("({name}|"))
                    || xml.contains(&format!("|{name})")),
                "{name}"
            );
        }
    }
}
