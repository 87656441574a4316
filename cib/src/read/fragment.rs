//! A fragment of a document read on its own, for the second thread: a [`PieceParser`]
//! that gives up as soon as its part is not wanted any more, or looks like a wrong guess.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::xml::{Keep, PieceParser, Stream};
use crate::{Error, Limits};

/// Where a [`parse_fragment`] stopped.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fragment {
    /// The byte offset of the end tag that closes the element holding the fragment.
    pub(super) end: usize,
    /// How many elements the fragment holds.
    pub(super) elements: usize,
}

/// How many elements a [`parse_fragment`] reads between two looks at whether it is still
/// wanted.
const ABANDON_CHECK: usize = 1024;

/// The most elements a [`parse_fragment`] keeps in its tree at once. A fragment is split off
/// for its repeated entries, which are streamed out of the tree one by one; one that keeps
/// more is not that (a guess gone wrong, say), and the caller reads it better itself.
const MAX_KEPT: usize = 1 << 16;

/// Where a [`parse_fragment`] starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct FragmentStart {
    /// The offset of a start tag.
    pub(super) at: usize,
    /// How many elements are open around it.
    pub(super) depth: usize,
}

/// Parses a piece of a document: from a start tag inside open elements (`start`), to the
/// end tag that closes the innermost of them, streaming the elements at `paths` (given
/// from that innermost element down), as a [`PieceParser`] does. The element limit is the
/// caller's to apply to the sum (see [`crate::xml::Parser::skip_to`]). Gives up, returning
/// `None`, once `abandoned` is set: the caller has found it does not need the piece (it
/// looks every [`ABANDON_CHECK`] elements), or once its tree holds more than [`MAX_KEPT`]
/// elements.
pub(super) fn parse_fragment<S: Stream>(
    text: &str,
    start: FragmentStart,
    limits: &Limits,
    keep: impl Fn(&str) -> Keep,
    paths: &[&[&str]],
    stream: S,
    abandoned: &AtomicBool,
) -> Result<Option<(Fragment, S)>, Error> {
    let mut parser = PieceParser::new(text, start.at, start.depth, limits, keep, paths, stream);
    loop {
        if let Some(end) = parser.run_to_end(parser.elements() + ABANDON_CHECK)? {
            let elements = parser.elements();
            return Ok(Some((Fragment { end, elements }, parser.into_stream())));
        }
        if abandoned.load(Ordering::Relaxed) || parser.kept() > MAX_KEPT {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_stops_when_abandoned_or_keeping_too_much() {
        // `<a>` inside `<r>`, to `</r>`: its `<b/>`s streamed, or kept.
        let text = format!("<r><a>{}</a></r>", "<b/>".repeat(MAX_KEPT + ABANDON_CHECK));
        let start = FragmentStart { at: 3, depth: 1 };
        let read = |paths: &[&[&str]], abandoned: bool| {
            let abandoned = AtomicBool::new(abandoned);
            let limits = Limits::default();
            parse_fragment(&text, start, &limits, |_| Keep::All, paths, (), &abandoned)
                .unwrap()
                .map(|(fragment, ())| (fragment.end, fragment.elements))
        };
        assert_eq!(read(&[], false), None);
        assert_eq!(read(&[&["a", "b"]], true), None);
        let elements = 1 + MAX_KEPT + ABANDON_CHECK;
        assert_eq!(
            read(&[&["a", "b"]], false),
            Some((text.len() - 4, elements))
        );
        assert_eq!(read(&[&["a"]], false), None);
    }
}
