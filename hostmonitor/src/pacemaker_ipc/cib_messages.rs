//! The CIB manager's messages, without I/O: the sign-on a client sends first, a synchronous query,
//! and what their replies mean. Names and flags as Pacemaker 2.1's `cib_native.c` and
//! `cib_utils.c` write them (`cib_create_op`) and `based_callbacks.c` answers them.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

/// The CIB manager's read-only IPC server (`PCMK__SERVER_BASED_RO`).
pub const SERVER: &str = "cib_ro";
/// How this client names itself in the CIB manager's logs.
const CLIENT_NAME: &str = "masakari-hostmonitor";
/// `cib_xpath`: the section is an XPath.
const XPATH: u32 = 0x0000_0002;
/// `cib_no_children`: the matched element without its children.
const NO_CHILDREN: u32 = 0x0000_0020;
/// `cib_sync_call`: the reply comes back on this request.
const SYNC_CALL: u32 = 0x0000_1000;

/// Why a reply of the CIB manager is not the answer asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Not well-formed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// An attribute the reply must have is missing.
    #[error("no {0} attribute")]
    Missing(&'static str),
    /// The reply answers another request.
    #[error("the reply is to call {got}, not {wanted}")]
    OtherCall {
        /// The call asked.
        wanted: u32,
        /// The call answered.
        got: String,
    },
    /// The CIB manager refused the call (a negative errno, in Pacemaker's legacy codes).
    #[error("the CIB manager answered rc {0}")]
    Refused(String),
    /// A query's reply carries no element.
    #[error("the reply carries no element")]
    Empty,
}

/// The sign-on: the CIB manager answers with this client's id.
pub fn register() -> String {
    format!(
        r#"<cib_command t="cib" cib_op="register" cib_clientname="{CLIENT_NAME}" cib_callopt="{SYNC_CALL}"/>"#
    )
}

/// The client id (`cib_clientid`) in the answer to [`register`].
pub fn client_id(reply: &str) -> Result<String, ReplyError> {
    let root = root_attributes(reply, &["cib_op", "cib_clientid"])?;
    match root.as_slice() {
        [Some(op), Some(id)] if op == "register" => Ok(id.clone()),
        [Some(op), _] if op != "register" => Err(ReplyError::Xml(format!("a {op} reply"))),
        [_, None] => Err(ReplyError::Missing("cib_clientid")),
        _ => Err(ReplyError::Missing("cib_op")),
    }
}

/// Call `call_id`: the element `xpath` selects, without its children, for the client `token`.
pub fn query_element(call_id: u32, token: &str, xpath: &str) -> String {
    let options = XPATH | NO_CHILDREN | SYNC_CALL;
    format!(
        r#"<cib_command __name__="cib_command" t="cib" cib_async_id="{}" cib_op="cib_query" cib_section="{}" cib_callid="{call_id}" cib_callopt="{options}"/>"#,
        escape(token),
        escape(xpath),
    )
}

/// The start tag of the element the reply to call `call_id` of [`query_element`] carries, as the
/// CIB manager wrote it: for `/cib`, the CIB's version.
pub fn queried_element(reply: &str, call_id: u32) -> Result<String, ReplyError> {
    let root = root_attributes(reply, &["cib_callid", "cib_rc"])?;
    let [call, rc] = root.as_slice() else {
        return Err(ReplyError::Missing("cib_callid"));
    };
    let call = call.as_deref().ok_or(ReplyError::Missing("cib_callid"))?;
    if call.parse::<u32>().ok() != Some(call_id) {
        return Err(ReplyError::OtherCall {
            wanted: call_id,
            got: call.to_owned(),
        });
    }
    match rc.as_deref() {
        Some("0") => {}
        Some(rc) => return Err(ReplyError::Refused(rc.to_owned())),
        None => return Err(ReplyError::Missing("cib_rc")),
    }
    calldata_element(reply)
}

/// The values of `names` on the reply's root element, in that order.
fn root_attributes(reply: &str, names: &[&str]) -> Result<Vec<Option<String>>, ReplyError> {
    let mut reader = Reader::from_str(reply);
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Start(root) | Event::Empty(root) => {
                return names.iter().map(|name| attribute(&root, name)).collect();
            }
            Event::Eof => return Err(ReplyError::Xml("no element".to_owned())),
            _ => {}
        }
    }
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Result<Option<String>, ReplyError> {
    let Some(attribute) = element.try_get_attribute(name).map_err(xml_error)? else {
        return Ok(None);
    };
    let value = attribute.unescape_value().map_err(xml_error)?;
    Ok(Some(value.into_owned()))
}

/// The start tag of the first element inside the root's `cib_calldata` child.
fn calldata_element(reply: &str) -> Result<String, ReplyError> {
    let mut reader = Reader::from_str(reply);
    let mut depth = 0usize;
    let mut in_calldata = false;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(xml_error)?;
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(_) | Event::Empty(_) if in_calldata => {
                return reply
                    .get(start..end)
                    .map(|tag| tag.trim().to_owned())
                    .ok_or(ReplyError::Empty);
            }
            Event::Start(element) => {
                depth += 1;
                in_calldata = depth == 2 && element.name().as_ref() == b"cib_calldata";
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                in_calldata = false;
            }
            Event::Eof => return Err(ReplyError::Empty),
            _ => {}
        }
    }
}

fn xml_error(error: impl std::fmt::Display) -> ReplyError {
    ReplyError::Xml(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reply as pacemaker-based 2.1.5 sent it to `cibadmin --query --no-children --xpath /cib`.
    const VERSION_REPLY: &str = r#"<cib-reply t="cib" cib_op="cib_query" cib_callid="2" cib_clientid="6b2a" cib_callopt="4130" cib_rc="0"><cib_calldata><cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="9" num_updates="41" admin_epoch="0" have-quorum="1" dc-uuid="1"/></cib_calldata></cib-reply>"#;

    #[test]
    fn the_sign_on_names_the_client_and_its_reply_gives_the_id() {
        assert!(register().contains(r#"cib_op="register""#));
        let reply = r#"<cib_common_callback_worker cib_op="register" cib_clientid="6b2a-77"/>"#;
        assert_eq!(client_id(reply).unwrap(), "6b2a-77");
        assert_eq!(
            client_id(r#"<ack cib_op="register"/>"#),
            Err(ReplyError::Missing("cib_clientid"))
        );
        assert!(client_id(r#"<ack cib_op="cib_query" cib_clientid="x"/>"#).is_err());
    }

    #[test]
    fn a_query_asks_for_the_element_alone_and_escapes_its_values() {
        let query = query_element(4, "a\"b", "/cib/status/node_state[@id='1']");
        assert!(query.contains(r#"cib_callid="4""#));
        assert!(query.contains(&format!(r#"cib_callopt="{}""#, 0x1022)));
        assert!(query.contains(r#"cib_async_id="a&quot;b""#));
        assert!(query.contains(r#"cib_section="/cib/status/node_state[@id=&apos;1&apos;]""#));
    }

    #[test]
    fn the_version_is_the_start_tag_of_the_queried_element() {
        assert_eq!(
            queried_element(VERSION_REPLY, 2).unwrap(),
            r#"<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="9" num_updates="41" admin_epoch="0" have-quorum="1" dc-uuid="1"/>"#
        );
        let with_children =
            VERSION_REPLY.replace(r#"dc-uuid="1"/>"#, r#"dc-uuid="1"><configuration/></cib>"#);
        assert_eq!(
            queried_element(&with_children, 2).unwrap(),
            r#"<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="9" num_updates="41" admin_epoch="0" have-quorum="1" dc-uuid="1">"#
        );
    }

    #[test]
    fn a_reply_to_another_call_a_refusal_or_nothing_is_an_error() {
        assert!(matches!(
            queried_element(VERSION_REPLY, 3),
            Err(ReplyError::OtherCall { wanted: 3, .. })
        ));
        let refused = VERSION_REPLY.replace(r#"cib_rc="0""#, r#"cib_rc="-6""#);
        assert_eq!(
            queried_element(&refused, 2),
            Err(ReplyError::Refused("-6".into()))
        );
        let empty = r#"<cib-reply cib_callid="2" cib_rc="0"><cib_calldata/></cib-reply>"#;
        assert_eq!(queried_element(empty, 2), Err(ReplyError::Empty));
        let elsewhere = r#"<cib-reply cib_callid="2" cib_rc="0"><other><cib/></other></cib-reply>"#;
        assert_eq!(queried_element(elsewhere, 2), Err(ReplyError::Empty));
        assert!(matches!(
            queried_element("<cib-reply", 2),
            Err(ReplyError::Xml(_)) | Err(ReplyError::Missing(_))
        ));
        assert!(queried_element("", 2).is_err());
    }
}
