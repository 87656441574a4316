//! Finding where a name or an attribute value ends, sixteen bytes at a time.
//!
//! Names and values are short and of every length, so a byte loop ends each one with a
//! branch the processor mispredicts. Classifying sixteen bytes at once into a bitmask and
//! taking its lowest set bit ends most of them in one step. On x86-64 that is SSE2, which
//! every x86-64 processor has; elsewhere, and for the last bytes of the input, the same
//! rules a byte at a time.

/// How many bytes one step classifies.
const WIDTH: usize = 16;

/// The offset of the first byte at or after `at` that cannot be part of a name (see
/// [`is_name_byte`]), or the length of `bytes`.
#[inline]
pub(super) fn name_end(bytes: &[u8], at: usize) -> usize {
    end_of_run(bytes, at, name_stops, |b| !is_name_byte(b))
}

/// The offset of the first byte at or after `at` that ends a run of attribute-value bytes
/// in a value quoted with `quote` (see [`stops_value`]), or the length of `bytes`.
#[inline]
pub(super) fn value_end(bytes: &[u8], at: usize, quote: u8) -> usize {
    end_of_run(
        bytes,
        at,
        |chunk| value_stops(chunk, quote),
        |b| stops_value(b, quote),
    )
}

/// The usual shape of an attribute, ` name="value"` (one space, a name of at most 13
/// bytes, `"` quotes, nothing in the value to decode or refuse), recognized in few steps:
/// where the name ends and where the closing quote is, or `None` for anything else (which
/// the general path then reads, or refuses).
#[inline]
pub(super) fn plain_attribute(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let chunk = bytes
        .get(at..at + WIDTH)
        .and_then(|c| <&[u8; WIDTH]>::try_from(c).ok())?;
    // The space is the first stop; the name runs from the next byte to the next stop.
    let len = (name_stops(chunk) >> 1).trailing_zeros() as usize;
    let first = chunk.get(1).copied()?;
    let name_start = len > 0 && !(first.is_ascii_digit() || matches!(first, b'-' | b'.'));
    if chunk.first() != Some(&b' ') || !name_start || len > WIDTH - 3 {
        return None;
    }
    let end = at + 1 + len;
    if bytes.get(end..end + 2) != Some(b"=\"") {
        return None;
    }
    let close = value_end(bytes, end + 2, b'"');
    (bytes.get(close) == Some(&b'"')).then_some((end, close))
}

/// Whether `b` may appear in an element or attribute name: ASCII letters, digits, `_`, `:`,
/// `-`, `.`, and any byte of a non-ASCII character.
#[inline]
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.') || b >= 0x80
}

/// Whether `b` ends a run of bytes in a value quoted with `quote`: that quote, `<`, `&`
/// (a reference) or a control character (tabs and newlines are normalized, the rest are
/// not XML).
#[inline]
fn stops_value(b: u8, quote: u8) -> bool {
    b == quote || b == b'<' || b == b'&' || b < 0x20
}

#[inline]
fn end_of_run(
    bytes: &[u8],
    mut at: usize,
    stops: impl Fn(&[u8; WIDTH]) -> u32,
    stops_at: impl Fn(u8) -> bool,
) -> usize {
    while let Some(chunk) = bytes
        .get(at..at + WIDTH)
        .and_then(|c| <&[u8; WIDTH]>::try_from(c).ok())
    {
        let found = stops(chunk);
        if found != 0 {
            return at + found.trailing_zeros() as usize;
        }
        at += WIDTH;
    }
    while bytes.get(at).is_some_and(|&b| !stops_at(b)) {
        at += 1;
    }
    at
}

/// Bit `i` is set when byte `i` of `chunk` cannot be part of a name.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn name_stops(chunk: &[u8; WIDTH]) -> u32 {
    // SAFETY: this build enables SSE2 (the cfg above).
    unsafe { sse2::name_stops(chunk) }
}

/// Bit `i` is set when byte `i` of `chunk` ends a run of value bytes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn value_stops(chunk: &[u8; WIDTH], quote: u8) -> u32 {
    // SAFETY: this build enables SSE2 (the cfg above).
    unsafe { sse2::value_stops(chunk, quote) }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn name_stops(chunk: &[u8; WIDTH]) -> u32 {
    portable::mask(chunk, |b| !is_name_byte(b))
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn value_stops(chunk: &[u8; WIDTH], quote: u8) -> u32 {
    portable::mask(chunk, |b| stops_value(b, quote))
}

/// The byte-at-a-time classification: the fallback, and what the tests hold SSE2 to.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
mod portable {
    use super::WIDTH;

    pub(super) fn mask(chunk: &[u8; WIDTH], stops: impl Fn(u8) -> bool) -> u32 {
        chunk
            .iter()
            .enumerate()
            .filter(|(_, b)| stops(**b))
            .fold(0, |mask, (i, _)| mask | 1 << i)
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };

    use super::WIDTH;

    #[target_feature(enable = "sse2")]
    fn load(chunk: &[u8; WIDTH]) -> __m128i {
        // SAFETY: `chunk` is sixteen readable bytes; the load has no alignment requirement.
        unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) }
    }

    /// A vector whose every byte is `byte` (the intrinsics take it as a signed lane).
    #[target_feature(enable = "sse2")]
    fn splat(byte: u8) -> __m128i {
        _mm_set1_epi8(i8::from_ne_bytes([byte]))
    }

    /// Lanes of `v` within `low..=high` (unsigned): all ones, else zero.
    #[target_feature(enable = "sse2")]
    fn within(v: __m128i, low: u8, high: u8) -> __m128i {
        let offset = _mm_sub_epi8(v, splat(low));
        _mm_cmpeq_epi8(_mm_min_epu8(offset, splat(high - low)), offset)
    }

    #[target_feature(enable = "sse2")]
    fn bits(lanes: __m128i) -> u32 {
        u32::from_ne_bytes(_mm_movemask_epi8(lanes).to_ne_bytes())
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn name_stops(chunk: &[u8; WIDTH]) -> u32 {
        let v = load(chunk);
        // Setting bit 5 folds upper-case letters onto lower-case ones, and nothing else
        // onto them.
        let letter = within(_mm_or_si128(v, splat(0x20)), b'a', b'z');
        let digit = within(v, b'0', b'9');
        let punct = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, splat(b'_')),
                _mm_cmpeq_epi8(v, splat(b':')),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, splat(b'-')),
                _mm_cmpeq_epi8(v, splat(b'.')),
            ),
        );
        // The sign bit of each lane is set for the bytes of non-ASCII characters.
        let name = bits(_mm_or_si128(_mm_or_si128(letter, digit), punct)) | bits(v);
        !name & 0xFFFF
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn value_stops(chunk: &[u8; WIDTH], quote: u8) -> u32 {
        let v = load(chunk);
        let control = within(v, 0, 0x1F);
        let special = _mm_or_si128(
            _mm_cmpeq_epi8(v, splat(quote)),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, splat(b'<')),
                _mm_cmpeq_epi8(v, splat(b'&')),
            ),
        );
        bits(_mm_or_si128(special, control))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value, in every lane, classified as the byte-at-a-time rule does.
    #[test]
    fn chunks_classify_as_single_bytes_do() {
        for b in 0..=u8::MAX {
            for lane in 0..WIDTH {
                let mut chunk = [b'a'; WIDTH];
                chunk[lane] = b;
                assert_eq!(
                    name_stops(&chunk),
                    portable::mask(&chunk, |b| !is_name_byte(b)),
                    "{b:#x} in lane {lane}"
                );
                for quote in [b'"', b'\''] {
                    assert_eq!(
                        value_stops(&chunk, quote),
                        portable::mask(&chunk, |b| stops_value(b, quote)),
                        "{b:#x} in lane {lane}, quote {quote}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_usual_attribute_shape_is_read_in_one_step_and_nothing_else_is() {
        let read = |text: &str| plain_attribute(format!("{text}{}", " ".repeat(32)).as_bytes(), 0);
        assert_eq!(read(r#" id="x1" "#), Some((3, 7)));
        assert_eq!(read(r#" abcdefghijklm="" "#), Some((14, 16)));
        assert_eq!(read(r#" ns:a-b_c.d="v" "#), Some((11, 14)));
        assert_eq!(read(r#" id="a'b" "#), Some((3, 8)));
        for other in [
            r#" abcdefghijklmn="" "#,
            r#"  id="x" "#,
            r#"id="x" "#,
            r#" 1d="x" "#,
            r#" -d="x" "#,
            r#" .d="x" "#,
            r#" id ="x" "#,
            r#" id= "x" "#,
            r#" id='x' "#,
            r#" id="a&amp;b" "#,
            r#" id="a	b" "#,
            r#" id="a<b" "#,
            r#" ="x" "#,
            r#" id="x"#,
        ] {
            assert_eq!(read(other), None, "{other:?}");
        }
    }

    #[test]
    fn runs_end_at_the_first_stop_across_chunks_and_in_the_tail() {
        let text = b"operation_key_is_a_long_name=\"a'b 0123456789abcdefghij\" tail";
        assert_eq!(name_end(text, 0), 28);
        assert_eq!(value_end(text, 30, b'"'), 54);
        assert_eq!(value_end(text, 30, b'\''), 31);
        assert_eq!(name_end(text, 57), text.len());
        assert_eq!(value_end(b"abc", 0, b'"'), 3);
    }
}
