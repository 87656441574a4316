//! Bounds on what the parser accepts, so hostile input costs bounded time and memory.

/// Upper bounds applied while reading XML. The defaults are far above any real CIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document accepted, in bytes.
    pub max_input_bytes: usize,
    /// Deepest element nesting accepted.
    pub max_depth: usize,
    /// Most elements in one document.
    pub max_elements: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
    /// Longest attribute value (after unescaping), in bytes.
    pub max_attribute_bytes: usize,
    /// Longest element or attribute name, in bytes.
    pub max_name_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 512 << 20,
            max_depth: 64,
            max_elements: 20_000_000,
            max_attributes: 256,
            max_attribute_bytes: 1 << 20,
            max_name_bytes: 1024,
        }
    }
}
