//! The CIB manager's messages, without I/O: the sign-on a client sends first, the query for the
//! CIB's version, and what their replies mean. Names and flags as Pacemaker 2.1's `cib_native.c`
//! and `cib_utils.c` write them (`cib_create_op`) and `based_callbacks.c` answers them.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

/// The CIB manager's read-only IPC server (`PCMK__SERVER_BASED_RO`).
pub const SERVER: &str = "cib_ro";
/// How this client names itself in the CIB manager's logs.
const CLIENT_NAME: &str = "masakari-hostmonitor";
/// The `<cib>` element, whose attributes are the CIB's version.
const VERSION_XPATH: &str = "/cib";
/// The attributes every change moves one of: a version without them is not one.
const VERSION_ATTRIBUTES: [&str; 3] = ["admin_epoch", "epoch", "num_updates"];
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
    /// The reply is to another operation.
    #[error("a reply to {0}, not to the sign-on")]
    OtherOperation(String),
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
    /// The reply carries no `<cib>` element with the version's attributes.
    #[error("the reply carries no CIB version")]
    NoVersion,
}

/// The sign-on: the CIB manager answers with this client's id.
pub fn register() -> String {
    format!(
        r#"<cib_command t="cib" cib_op="register" cib_clientname="{CLIENT_NAME}" cib_callopt="{SYNC_CALL}"/>"#
    )
}

/// The client id (`cib_clientid`) in the answer to [`register`].
pub fn client_id(reply: &str) -> Result<String, ReplyError> {
    let [op, id] = root_attributes(reply, ["cib_op", "cib_clientid"])?;
    match op.as_deref() {
        Some("register") => id.ok_or(ReplyError::Missing("cib_clientid")),
        Some(other) => Err(ReplyError::OtherOperation(other.to_owned())),
        None => Err(ReplyError::Missing("cib_op")),
    }
}

/// Call `call_id` of the client `token`: the `<cib>` element without its children.
pub fn query_version(call_id: u32, token: &str) -> String {
    let options = XPATH | NO_CHILDREN | SYNC_CALL;
    format!(
        r#"<cib_command __name__="cib_command" t="cib" cib_async_id="{}" cib_op="cib_query" cib_section="{VERSION_XPATH}" cib_callid="{call_id}" cib_callopt="{options}"/>"#,
        escape(token),
    )
}

/// The CIB's version in the reply to call `call_id` of [`query_version`]: the `<cib>` start tag
/// as the CIB manager wrote it (as `cibadmin --query --no-children --xpath /cib` prints it).
pub fn version(reply: &str, call_id: u32) -> Result<String, ReplyError> {
    let [call, rc] = root_attributes(reply, ["cib_callid", "cib_rc"])?;
    let call = call.ok_or(ReplyError::Missing("cib_callid"))?;
    if call.parse::<u32>().ok() != Some(call_id) {
        return Err(ReplyError::OtherCall {
            wanted: call_id,
            got: call,
        });
    }
    match rc.as_deref() {
        Some("0") => calldata_version(reply),
        Some(rc) => Err(ReplyError::Refused(rc.to_owned())),
        None => Err(ReplyError::Missing("cib_rc")),
    }
}

/// The values of `names` on the reply's root element, in that order.
fn root_attributes<const N: usize>(
    reply: &str,
    names: [&str; N],
) -> Result<[Option<String>; N], ReplyError> {
    let mut reader = Reader::from_str(reply);
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Start(root) | Event::Empty(root) => {
                let mut values = [const { None }; N];
                for (value, name) in values.iter_mut().zip(names) {
                    *value = attribute(&root, name)?;
                }
                return Ok(values);
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

/// The start tag of the `<cib>` element inside the root's `cib_calldata` child, when it carries
/// the version's attributes.
fn calldata_version(reply: &str) -> Result<String, ReplyError> {
    let mut reader = Reader::from_str(reply);
    let mut depth = 0usize;
    let mut in_calldata = false;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(xml_error)?;
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(element) | Event::Empty(element) if in_calldata => {
                if element.name().as_ref() != b"cib" {
                    return Err(ReplyError::NoVersion);
                }
                for name in VERSION_ATTRIBUTES {
                    attribute(&element, name)?.ok_or(ReplyError::NoVersion)?;
                }
                return reply
                    .get(start..end)
                    .map(|tag| tag.trim().to_owned())
                    .ok_or(ReplyError::NoVersion);
            }
            Event::Start(element) => {
                depth += 1;
                in_calldata = depth == 2 && element.name().as_ref() == b"cib_calldata";
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                in_calldata = false;
            }
            Event::Eof => return Err(ReplyError::NoVersion),
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

    /// A reply as pacemaker-based 2.1.5 sends it to a version query.
    const VERSION_REPLY: &str = r#"<cib-reply t="cib" cib_op="cib_query" cib_callid="2" cib_clientid="6b2a" cib_callopt="4130" cib_rc="0"><cib_calldata><cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="9" num_updates="41" admin_epoch="0" have-quorum="1" dc-uuid="1"/></cib_calldata></cib-reply>"#;
    const VERSION: &str = r#"<cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="9" num_updates="41" admin_epoch="0" have-quorum="1" dc-uuid="1"/>"#;

    #[test]
    fn the_sign_on_names_the_client_and_its_reply_gives_the_id() {
        assert!(register().contains(r#"cib_op="register""#));
        let reply = r#"<cib_common_callback_worker cib_op="register" cib_clientid="6b2a-77"/>"#;
        assert_eq!(client_id(reply).unwrap(), "6b2a-77");
        assert_eq!(
            client_id(r#"<ack cib_op="register"/>"#),
            Err(ReplyError::Missing("cib_clientid"))
        );
        assert_eq!(
            client_id(r#"<ack cib_op="cib_query" cib_clientid="x"/>"#),
            Err(ReplyError::OtherOperation("cib_query".into()))
        );
        assert_eq!(
            client_id(r#"<ack cib_clientid="x"/>"#),
            Err(ReplyError::Missing("cib_op"))
        );
    }

    #[test]
    fn the_query_asks_for_the_cib_element_alone_and_escapes_the_token() {
        let query = query_version(4, "a\"b");
        assert!(query.contains(r#"cib_callid="4""#));
        assert!(query.contains(r#"cib_section="/cib""#));
        assert!(query.contains(&format!(r#"cib_callopt="{}""#, 0x1022)));
        assert!(query.contains(r#"cib_async_id="a&quot;b""#));
    }

    #[test]
    fn the_version_is_the_start_tag_of_the_cib_element() {
        assert_eq!(version(VERSION_REPLY, 2).unwrap(), VERSION);
        let with_children =
            VERSION_REPLY.replace(r#"dc-uuid="1"/>"#, r#"dc-uuid="1"><configuration/></cib>"#);
        assert_eq!(
            version(&with_children, 2).unwrap(),
            VERSION.replace("/>", ">")
        );
    }

    #[test]
    fn anything_but_a_cib_element_with_the_version_is_no_version() {
        for calldata in [
            "<xpath-query/>",
            "<cib/>",
            r#"<cib epoch="9" admin_epoch="0"/>"#,
            r#"<configuration epoch="9" num_updates="41" admin_epoch="0"/>"#,
        ] {
            let reply = format!(
                r#"<cib-reply cib_callid="2" cib_rc="0"><cib_calldata>{calldata}</cib_calldata></cib-reply>"#
            );
            assert_eq!(version(&reply, 2), Err(ReplyError::NoVersion), "{calldata}");
        }
        let empty = r#"<cib-reply cib_callid="2" cib_rc="0"><cib_calldata/></cib-reply>"#;
        assert_eq!(version(empty, 2), Err(ReplyError::NoVersion));
        let elsewhere =
            format!(r#"<cib-reply cib_callid="2" cib_rc="0"><other>{VERSION}</other></cib-reply>"#);
        assert_eq!(version(&elsewhere, 2), Err(ReplyError::NoVersion));
    }

    #[test]
    fn a_reply_to_another_call_a_refusal_or_broken_xml_is_an_error() {
        assert!(matches!(
            version(VERSION_REPLY, 3),
            Err(ReplyError::OtherCall { wanted: 3, .. })
        ));
        let refused = VERSION_REPLY.replace(r#"cib_rc="0""#, r#"cib_rc="-6""#);
        assert_eq!(version(&refused, 2), Err(ReplyError::Refused("-6".into())));
        let no_rc = VERSION_REPLY.replace(r#"cib_rc="0""#, "");
        assert_eq!(version(&no_rc, 2), Err(ReplyError::Missing("cib_rc")));
        assert!(version("<cib-reply", 2).is_err());
        assert!(version("", 2).is_err());
        assert!(
            version(
                r#"<r cib_callid="2" cib_rc="0"><cib_calldata><cib epoch="&bad;""#,
                2
            )
            .is_err()
        );
    }
}
