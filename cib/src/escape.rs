//! References and attribute-value normalization, as XML defines them without a DTD: the
//! five predefined entities (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`) and character
//! references (`&#65;`, `&#x41;`) to characters XML allows. No other entity can exist,
//! so none is ever looked up or expanded.

use std::borrow::Cow;

/// The length of the reference at the start of `bytes` (which begins with `&`), or `None`
/// when it is not one XML allows. Scans only the reference's own characters, so a run of
/// bad references costs linear time.
pub(crate) fn reference_len(bytes: &[u8]) -> Option<usize> {
    let body = bytes.get(1..)?;
    let end = body
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'#'))?;
    if body.get(end) != Some(&b';') {
        return None;
    }
    reference(body.get(..end)?).map(|_| end + 2)
}

/// What a reference stands for, given its body (between `&` and `;`).
fn reference(body: &[u8]) -> Option<char> {
    match body {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        [b'#', b'x', hex @ ..] => char_ref(hex, 16),
        [b'#', decimal @ ..] => char_ref(decimal, 10),
        _ => None,
    }
}

/// A character reference's digits, when they name a character XML allows (`Char`).
fn char_ref(digits: &[u8], radix: u32) -> Option<char> {
    // `from_str_radix` would accept a sign; XML does not.
    if digits.is_empty() || !digits.iter().all(|b| char::from(*b).is_digit(radix)) {
        return None;
    }
    let value = u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()?;
    char::from_u32(value).filter(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    })
}

/// An attribute value as XML reads it (attribute-value normalization): a literal tab,
/// newline, carriage return or CR LF pair becomes one space, and references are replaced
/// by what they stand for. Borrowed when there is nothing to change; `None` when `raw`
/// holds a reference XML does not allow.
pub(crate) fn attribute_value(raw: &str) -> Option<Cow<'_, str>> {
    let special = |b: &u8| matches!(b, b'&' | b'\t' | b'\n' | b'\r');
    let Some(first) = raw.bytes().position(|b| special(&b)) else {
        return Some(Cow::Borrowed(raw));
    };
    let mut value = String::with_capacity(raw.len());
    value.push_str(raw.get(..first)?);
    let mut rest = raw.get(first..)?;
    while let Some(b) = rest.bytes().next() {
        let used = match b {
            b'&' => {
                let len = reference_len(rest.as_bytes())?;
                value.push(reference(rest.as_bytes().get(1..len - 1)?)?);
                len
            }
            b'\r' if rest.as_bytes().get(1) == Some(&b'\n') => {
                value.push(' ');
                2
            }
            b'\t' | b'\n' | b'\r' => {
                value.push(' ');
                1
            }
            _ => {
                let plain = rest.bytes().position(|b| special(&b)).unwrap_or(rest.len());
                value.push_str(rest.get(..plain)?);
                plain
            }
        };
        rest = rest.get(used..)?;
    }
    Some(Cow::Owned(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_xml_allows() {
        assert_eq!(reference_len(b"&amp;rest"), Some(5));
        assert_eq!(reference_len(b"&apos;"), Some(6));
        assert_eq!(reference_len(b"&#65;"), Some(5));
        assert_eq!(reference_len(b"&#x1F600;"), Some(9));
        assert_eq!(reference_len(b"&#X41;"), None);
        assert_eq!(reference_len(b"&#0;"), None);
        assert_eq!(reference_len(b"&#xD800;"), None);
        assert_eq!(reference_len(b"&#x110000;"), None);
        assert_eq!(reference_len(b"&#+5;"), None);
        assert_eq!(reference_len(b"&#;"), None);
        assert_eq!(reference_len(b"&e;"), None);
        assert_eq!(reference_len(b"&amp"), None);
        assert_eq!(reference_len(b"& amp;"), None);
        assert_eq!(reference_len(b"&"), None);
    }

    #[test]
    fn values_are_normalized_and_unescaped() {
        assert!(matches!(
            attribute_value("plain"),
            Some(Cow::Borrowed("plain"))
        ));
        assert_eq!(
            attribute_value("a&lt;b&amp;c&#x41;&#66;").unwrap(),
            "a<b&cAB"
        );
        assert_eq!(attribute_value("&quot;&apos;&gt;").unwrap(), "\"'>");
        assert_eq!(attribute_value("a\tb\nc\r\nd\re").unwrap(), "a b c d e");
        assert_eq!(attribute_value("&#10;é&#9;").unwrap(), "\né\t");
        assert_eq!(attribute_value("x&e;"), None);
    }
}
