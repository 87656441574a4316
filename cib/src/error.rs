//! The crate's error type: what went wrong, and where in the document.

/// Why a CIB or `crm_mon` document could not be read.
///
/// Every variant carries the byte offset in the input where the problem was found,
/// so an operator can look at the offending spot with `head -c`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not well-formed XML (the producer is at fault).
    #[error("malformed XML at byte {position}: {message}")]
    Malformed {
        /// Byte offset of the problem.
        position: u64,
        /// What the XML reader reported.
        message: String,
    },
    /// The document carries a DTD; we never expand entities or DTDs.
    #[error(
        "XML at byte {position} declares a DTD (<!DOCTYPE>); DTDs and entity definitions are refused"
    )]
    Dtd {
        /// Byte offset of the `<!DOCTYPE`.
        position: u64,
    },
    /// The document exceeds one of the [`Limits`](crate::Limits).
    #[error("XML at byte {position} exceeds the limit on {limit} ({max})")]
    Limit {
        /// Byte offset where the limit was crossed.
        position: u64,
        /// Which limit (for example "nesting depth").
        limit: &'static str,
        /// The configured maximum.
        max: u64,
    },
    /// The document contains no root element.
    #[error("the document has no root element")]
    Empty,
    /// The root element is not the one this parser reads.
    #[error("root element is <{found}> (byte {position}), expected <{expected}>")]
    UnexpectedRoot {
        /// Name of the root element found.
        found: String,
        /// Name of the root element expected.
        expected: &'static str,
        /// Byte offset of the root element.
        position: u64,
    },
    /// A required element is absent.
    #[error("<{parent}> at byte {position} has no <{child}> child")]
    MissingElement {
        /// Path of the parent element.
        parent: String,
        /// Name of the missing child.
        child: &'static str,
        /// Byte offset of the parent element.
        position: u64,
    },
    /// A required attribute is absent or unreadable.
    #[error("{element} at byte {position}: attribute `{attribute}` {problem}")]
    Attribute {
        /// The element (name and id when it has one).
        element: String,
        /// The attribute's name.
        attribute: &'static str,
        /// What is wrong with it.
        problem: String,
        /// Byte offset of the element.
        position: u64,
    },
}
