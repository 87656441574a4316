//! Reading a large CIB on two threads.
//!
//! Most of a CIB is its status section: one `node_state` after another, each holding one
//! `lrm_resource` history after another, each read on its own. A second thread reads the
//! status section from a start tag two fifths of the way into the document to the `</status>`
//! end tag, while the calling thread reads everything before that (and makes the model of
//! the configuration, with the caller's function), then steps over what the second thread
//! read and finishes.
//!
//! The second thread's part is one or two fragments. The split is the first
//! `<node_state` or `<lrm_resource` start tag from there on; the fragment from a
//! `node_state` runs to `</status>`. Cluster nodes hold a history of every resource, so one
//! `node_state` can be a fifth of a CIB: a fragment from an `lrm_resource` runs to the
//! `</lrm_resources>` around it, and a second one from the next `node_state` to
//! `</status>`. The calling thread reads the few tags between them itself.
//!
//! Where each fragment starts is a guess made by searching the text. The calling thread's
//! own parse confirms it: only a start tag exactly there, inside the elements the fragment
//! was read in, will do. When a guess is wrong (the text lies in a comment, say) the
//! calling thread reads on as if no split was made, and its result stands. When a fragment
//! holds an error, the document is parsed again on one thread, so that the error is the
//! one a single-threaded parse reports: errors are rare, and cost a second parse.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::fragment::{Fragment, FragmentStart, parse_fragment};
use super::{STATUS_PATHS, StatusReader, on_one_thread, wanted};
use crate::xml::{Element, Parser};
use crate::{Error, Limits};

/// Below this size a second thread costs more than it saves.
const MIN_BYTES: usize = 256 << 10;

/// Where, as a fraction of the document, the second thread starts reading: two fifths of the
/// way in, found by measuring `large_cib bench`. The calling thread's part holds the
/// configuration, whose tree and model cost more per byte than the status section.
const SPLIT_AT: (usize, usize) = (2, 5);

/// The open elements, root first, around a `node_state` start tag.
const NODE_STATE: &[&str] = &["cib", "status"];

/// The open elements, root first, around an `lrm_resource` start tag.
const RESOURCE_HISTORY: &[&str] = &["cib", "status", "node_state", "lrm", "lrm_resources"];

/// The start tags a split is made at, with the elements open around each.
const SPLIT_TAGS: [(&str, &[&str]); 2] = [
    ("<node_state", NODE_STATE),
    ("<lrm_resource", RESOURCE_HISTORY),
];

/// Where the second thread starts a fragment: the start tag's offset, and the elements
/// open around it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Split {
    at: usize,
    context: &'static [&'static str],
}

/// One fragment the second thread read, or the error it met there.
struct Piece {
    split: Split,
    read: Result<(Fragment, StatusReader), Error>,
}

/// Where to split `text`: the first `node_state` or `lrm_resource` start tag from
/// [`SPLIT_AT`] on. None for a small document, on a machine with one processor, or when
/// there is no such tag.
pub(super) fn split_point(text: &str) -> Option<Split> {
    if text.len() < MIN_BYTES || !two_processors() {
        return None;
    }
    let from = text.len() / SPLIT_AT.1 * SPLIT_AT.0;
    next_tag(text, from, &SPLIT_TAGS)
}

/// Reads `text` as [`on_one_thread`] does, with the status section from `split` on read by
/// a second thread; `configuration` makes its model of the tree read before the split
/// while the second thread still reads.
pub(super) fn parse<M>(
    text: &str,
    limits: &Limits,
    split: Split,
    configuration: impl Fn(Element<'_>) -> Result<M, Error> + Copy,
) -> Result<(M, StatusReader), Error> {
    let mut front = Parser::new(text, limits, wanted, &STATUS_PATHS, StatusReader::default())?;
    let abandoned = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let back = std::thread::Builder::new()
            .name("cib-status".to_owned())
            .spawn_scoped(scope, || read_fragments(text, limits, split, &abandoned));
        let Ok(back) = back else {
            return on_one_thread(text, limits, configuration);
        };
        let reached = front.run_to(split.at, split.context);
        let model = match reached {
            Ok(true) => Some(configuration(front.document().root())),
            _ => {
                abandoned.store(true, Ordering::Relaxed);
                None
            }
        };
        // Joined on every path, so that the scope never has a thread of its own to join.
        let pieces = back.join();
        let Some(model) = model else {
            reached?;
            let (doc, status) = front.finish()?;
            return Ok((configuration(doc.root())?, status));
        };
        let Ok(pieces) = pieces else {
            return on_one_thread(text, limits, configuration);
        };
        for (i, piece) in pieces.into_iter().enumerate() {
            if i > 0 && !front.run_to(piece.split.at, piece.split.context)? {
                break;
            }
            let Ok((fragment, status)) = piece.read else {
                return on_one_thread(text, limits, configuration);
            };
            if !front.skip_to(fragment.end, fragment.elements) {
                return on_one_thread(text, limits, configuration);
            }
            front.stream_mut().append(status);
        }
        let (doc, status) = front.finish()?;
        let model = match model {
            Ok(model) => model,
            Err(_) => configuration(doc.root())?,
        };
        Ok((model, status))
    })
}

/// The second thread's part: the fragment from `split`, then, when that one ends inside a
/// `node_state`, the one from the next `node_state` to `</status>`. Stops early once
/// `abandoned` is set.
fn read_fragments(text: &str, limits: &Limits, split: Split, abandoned: &AtomicBool) -> Vec<Piece> {
    let mut pieces = Vec::with_capacity(2);
    let mut next = Some(split);
    while let Some(split) = next.take() {
        let paths = STATUS_PATHS.map(|path| relative(path, split.context));
        let status = StatusReader::default();
        let start = FragmentStart {
            at: split.at,
            depth: split.context.len(),
        };
        let read = parse_fragment(text, start, limits, wanted, &paths, status, abandoned);
        let Some(read) = read.transpose() else {
            break;
        };
        if let Ok((fragment, _)) = &read
            && split.context != NODE_STATE
        {
            next = next_tag(text, fragment.end, &[("<node_state", NODE_STATE)]);
        }
        pieces.push(Piece { split, read });
    }
    pieces
}

/// The first start tag from byte `from` on that is one of `tags`, with the elements open
/// around it there.
fn next_tag(text: &str, from: usize, tags: &[(&str, &'static [&'static str])]) -> Option<Split> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        at += bytes.get(at..)?.iter().position(|&b| b == b'<')?;
        let rest = bytes.get(at..)?;
        for &(tag, context) in tags {
            let after = rest.get(tag.len());
            if rest.starts_with(tag.as_bytes())
                && after.is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/'))
            {
                return Some(Split { at, context });
            }
        }
        at += 1;
    }
}

/// `path` from below `context`, or nothing when it does not lie below it.
fn relative<'p>(path: &'p [&'p str], context: &[&str]) -> &'p [&'p str] {
    match path.split_at_checked(context.len()) {
        Some((above, below)) if above == context => below,
        _ => &[],
    }
}

/// Reads `text` as [`parse`] does, split at byte `at` (in the `node_state` context, or the
/// `lrm_resource` one when `deep`), for the fuzzer to hold to the one-thread result.
#[cfg(fuzzing)]
pub(crate) fn split_at<M>(
    text: &str,
    at: usize,
    deep: bool,
    limits: &Limits,
    configuration: impl Fn(Element<'_>) -> Result<M, Error> + Copy,
) -> Result<(M, StatusReader), Error> {
    let context = if deep { RESOURCE_HISTORY } else { NODE_STATE };
    parse(text, limits, Split { at, context }, configuration)
}

/// Whether this process may run on more than one processor (asked once).
fn two_processors() -> bool {
    static TWO: OnceLock<bool> = OnceLock::new();
    *TWO.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cib;

    const CONTEXTS: [&[&str]; 2] = [NODE_STATE, RESOURCE_HISTORY];

    /// `text` read split at `split`, into the crate's model.
    fn parse_cib(text: &str, limits: &Limits, split: Split) -> Result<Cib, Error> {
        parse(text, limits, split, Cib::from_root).map(Cib::with_status)
    }

    /// Parsing split at `at` (in each context) must give what parsing on one thread gives.
    fn agrees(text: &str, at: usize, limits: &Limits) {
        let expected = Cib::parse_on_one_thread(text, limits);
        for context in CONTEXTS {
            let split = Split { at, context };
            assert_eq!(
                parse_cib(text, limits, split),
                expected,
                "split at {at} in {context:?}"
            );
        }
    }

    /// The `.xml` files in `dir`, by name, with their text.
    fn xml_files(dir: &std::path::Path) -> Vec<(String, String)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn corpus() -> Vec<(String, String)> {
        let files = xml_files(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data").as_ref());
        assert!(files.len() > 20, "{} corpus files", files.len());
        files
    }

    /// The first CIB captured from the lab.
    fn lab_cib() -> String {
        let lab = corpus().into_iter().find(|(name, _)| name.contains("lab-"));
        lab.unwrap().1
    }

    #[test]
    fn every_corpus_cib_reads_alike_split_at_every_tag() {
        let limits = Limits::default();
        for (name, text) in corpus() {
            assert!(Cib::parse_on_one_thread(&text, &limits).is_ok(), "{name}");
            for (at, _) in text.match_indices('<') {
                agrees(&text, at, &limits);
            }
        }
    }

    #[test]
    fn tickets_after_the_node_states_are_read_by_the_second_thread_alike() {
        let limits = Limits::default();
        let (_, text) = corpus()
            .into_iter()
            .find(|(name, _)| name.ends_with("ticket-revoked.xml"))
            .unwrap();
        let (start, end) = (
            text.find("<tickets>").unwrap(),
            text.find("</tickets>").unwrap(),
        );
        let tickets = &text[start..end + "</tickets>".len()];
        let moved =
            text.replacen(tickets, "", 1)
                .replacen("</status>", &format!("{tickets}</status>"), 1);
        let whole = Cib::parse_on_one_thread(&moved, &limits).unwrap();
        assert!(
            whole.tickets.iter().any(|t| t.id == "T" && !t.granted),
            "{:?}",
            whole.tickets
        );
        for (at, _) in moved.match_indices("<node_state") {
            agrees(&moved, at, &limits);
        }
    }

    /// Pacemaker's scheduler corpus (`CIB_ORACLE_DIR`, as the oracle test reads it), if set:
    /// split at every tag a split can be made at.
    #[test]
    fn every_oracle_cib_reads_alike_split_at_every_status_tag() {
        let Some(dir) = std::env::var_os("CIB_ORACLE_DIR") else {
            return;
        };
        let limits = Limits::default();
        for (_, text) in xml_files(dir.as_ref()) {
            let mut from = 0;
            while let Some(split) = next_tag(&text, from, &SPLIT_TAGS) {
                agrees(&text, split.at, &limits);
                from = split.at + 1;
            }
        }
    }

    #[test]
    fn an_element_limit_passed_by_the_two_parts_together_is_reported_as_on_one_thread() {
        let text = lab_cib();
        let elements = text.matches('<').count() - text.matches("</").count();
        let split = next_tag(&text, text.len() / 2, &[("<node_state", NODE_STATE)]).unwrap();
        for max_elements in [elements - 1, elements, elements / 2, 3] {
            let limits = Limits {
                max_elements,
                ..Limits::default()
            };
            agrees(&text, split.at, &limits);
        }
    }

    #[test]
    fn a_truncated_or_damaged_cib_fails_as_on_one_thread() {
        let text = lab_cib();
        let limits = Limits::default();
        let tags: Vec<usize> = text
            .match_indices("<lrm_resource ")
            .map(|(at, _)| at)
            .collect();
        let (first, last) = (tags[0], tags[tags.len() - 1]);
        for cut in (first..text.len()).step_by(7) {
            let damaged = format!("{}<{}", &text[..cut], &text[cut..]);
            agrees(&damaged, first, &limits);
            agrees(&text[..cut], first, &limits);
            if cut > last {
                agrees(&text[..cut], last, &limits);
            }
        }
    }

    /// Where a guess is wrong or the document is odd, the split must change nothing.
    #[test]
    fn odd_documents_read_alike() {
        let state = |id: u32| {
            format!(
                r#"<node_state id="{id}" uname="n{id}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="{id}"><lrm_resources><lrm_resource id="r" type="Dummy" class="ocf" provider="pacemaker"><lrm_rsc_op id="r_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x"/></lrm_resource><lrm_resource id="s" type="Dummy" class="ocf" provider="pacemaker"/></lrm_resources></lrm><transient_attributes id="{id}"><instance_attributes id="t{id}"><nvpair id="t{id}-a" name="a" value="{id}"/></instance_attributes></transient_attributes></node_state>"#
            )
        };
        let config =
            r#"<configuration><crm_config/><nodes/><resources/><constraints/></configuration>"#;
        let documents = [
            format!(
                r#"<cib epoch="1">{config}<status>{}{}</status></cib>"#,
                state(1),
                state(2)
            ),
            format!(
                r#"<cib>{config}<status>{}<!-- {} -->{}</status></cib>"#,
                state(1),
                state(2),
                state(3)
            ),
            format!(
                r#"<cib>{config}<status><x>{}</x>{}</status></cib>"#,
                state(1),
                state(2)
            ),
            format!(
                r#"<cib><status>{}{}</status>{config}</cib>"#,
                state(1),
                state(2)
            ),
            format!(
                r#"<cib>{config}<status>{}</status><status>{}</status></cib>"#,
                state(1),
                state(2)
            ),
            format!(
                r#"<cib>{config}<status>{}<![CDATA[{}]]>{}</status></cib>"#,
                state(1),
                state(2),
                state(3)
            ),
            format!(
                r#"<cib>{config}<status>{}{}</status></cib><x/>"#,
                state(1),
                state(2)
            ),
            format!(
                r#"<cib>{config}<status>{}{}</stat></cib>"#,
                state(1),
                state(2)
            ),
            format!(r#"<cib>{config}<status>{}{}</status>"#, state(1), state(2)),
        ];
        let limits = Limits::default();
        for text in &documents {
            for (at, _) in text.match_indices('<') {
                agrees(text, at, &limits);
            }
            for max_depth in [1, 2, 3, 5, 6, 7] {
                let limits = Limits {
                    max_depth,
                    ..Limits::default()
                };
                for (at, _) in text.match_indices('<') {
                    agrees(text, at, &limits);
                }
            }
        }
    }

    #[test]
    fn splits_only_a_large_document_at_a_status_tag_from_two_fifths_on() {
        assert_eq!(split_point("<cib/>").map(|s| s.at), None);
        let states: String = (0..3000)
            .map(|i| format!(r#"<node_state id="{i}" uname="n{i}"><lrm><lrm_resources><lrm_resource id="r"/></lrm_resources></lrm></node_state>"#))
            .collect();
        let text = format!("<cib><configuration/><status>{states}</status></cib>");
        assert!(text.len() >= MIN_BYTES);
        assert_eq!(split_point(&text).is_some(), two_processors());
        let split = next_tag(&text, text.len() * SPLIT_AT.0 / SPLIT_AT.1, &SPLIT_TAGS).unwrap();
        assert!(
            text[split.at..].starts_with("<node_state ")
                || text[split.at..].starts_with("<lrm_resource ")
        );
        let limits = Limits::default();
        assert_eq!(
            parse_cib(&text, &limits, split),
            Cib::parse_on_one_thread(&text, &limits)
        );
        let over = Limits {
            max_input_bytes: text.len() - 1,
            ..limits
        };
        assert!(matches!(
            Cib::parse_with(&text, &over),
            Err(Error::Limit { .. })
        ));
    }

    /// A wrong guess (a `node_state` in a comment, which would nest every later one a
    /// level too deep and keep it in the tree) stops the second thread.
    #[test]
    fn a_split_the_first_thread_refuses_is_abandoned() {
        let states: String = (0..3000)
            .map(|i| format!(r#"<node_state id="{i}" uname="n{i}"><x/><x/></node_state>"#))
            .collect();
        let text = format!(
            "<cib><configuration/><status>{states}<!-- <node_state id=\"c\" uname=\"c\"> -->{states}</status></cib>"
        );
        let at = text.find("<node_state id=\"c\"").unwrap();
        let split = Split {
            at,
            context: NODE_STATE,
        };
        let abandoned = AtomicBool::new(true);
        assert!(read_fragments(&text, &Limits::default(), split, &abandoned).is_empty());
        let limits = Limits::default();
        assert_eq!(
            parse_cib(&text, &limits, split),
            Cib::parse_on_one_thread(&text, &limits)
        );
    }

    #[test]
    fn finds_tags_not_names_that_begin_alike() {
        let text = "<node_states/><lrm_resource_x/> <lrm_resource/>";
        let found = next_tag(text, 0, &SPLIT_TAGS);
        assert_eq!(
            found.map(|s| (s.at, s.context)),
            Some((32, RESOURCE_HISTORY))
        );
        assert_eq!(
            next_tag(text, 33, &[("<lrm_resource", RESOURCE_HISTORY)]).map(|s| s.at),
            None
        );
    }

    #[test]
    fn paths_are_read_from_below_the_context() {
        let path: &[&str] = &["cib", "status", "node_state"];
        assert_eq!(relative(path, NODE_STATE), &["node_state"]);
        assert!(relative(path, RESOURCE_HISTORY).is_empty());
        assert!(relative(path, &["cib", "configuration"]).is_empty());
    }
}
