//! Just enough HTTP/1.1 for the power link: one request per connection, read from any `BufRead` (so
//! the parsing is tested on bytes), a body only by `Content-Length`, and a short answer.

use std::io::{BufRead, Read};

/// The most header bytes a request may carry (sushy-emulator's PUT has a few hundred).
const MAX_HEAD: u64 = 16 * 1024;
/// The largest body taken (a fake system's JSON is well under 4 KiB).
const MAX_BODY: usize = 256 * 1024;

/// One request as the power link needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent (`PUT`).
    pub method: String,
    /// The request target (`/power/compute1`).
    pub path: String,
    /// The body, `Content-Length` bytes of it.
    pub body: Vec<u8>,
}

/// Why a request could not be read; each maps to the status the client is answered with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The connection failed or timed out before a whole request arrived.
    #[error("reading the request: {0}")]
    Io(#[from] std::io::Error),
    /// The request line or a header is not HTTP/1.x.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    /// The head or the body is larger than the link takes.
    #[error("request larger than the power link takes")]
    TooLarge,
    /// A body without `Content-Length` (chunked, or none said).
    #[error("request body without Content-Length")]
    NoLength,
}

impl HttpError {
    /// The status line's code and reason for this error.
    pub fn status(&self) -> (u16, &'static str) {
        match self {
            Self::Io(_) | Self::Malformed(_) => (400, "Bad Request"),
            Self::TooLarge => (413, "Content Too Large"),
            Self::NoLength => (411, "Length Required"),
        }
    }
}

/// Reads one request: request line, headers, and the body `Content-Length` says.
pub fn read_request(reader: &mut impl BufRead) -> Result<Request, HttpError> {
    let mut head = reader.take(MAX_HEAD);
    let line = read_line(&mut head)?;
    let mut words = line.split(' ');
    let (Some(method), Some(path), Some(version)) = (words.next(), words.next(), words.next())
    else {
        return Err(HttpError::Malformed("request line"));
    };
    if !version.starts_with("HTTP/1.") || words.next().is_some() {
        return Err(HttpError::Malformed("request line"));
    }
    let (method, path) = (method.to_owned(), path.to_owned());
    let length = read_length(&mut head)?;
    if length > MAX_BODY {
        return Err(HttpError::TooLarge);
    }
    let mut body = vec![0; length];
    head.into_inner().read_exact(&mut body)?;
    Ok(Request { method, path, body })
}

/// Reads headers up to the empty line; the body's length (0 when nothing says there is one).
fn read_length(head: &mut impl BufRead) -> Result<usize, HttpError> {
    let mut length = None;
    loop {
        let line = read_line(head)?;
        if line.is_empty() {
            return Ok(length.unwrap_or(0));
        }
        let (name, value) = line.split_once(':').ok_or(HttpError::Malformed("header"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(HttpError::NoLength);
        }
        if name.eq_ignore_ascii_case("content-length") {
            let n = value
                .parse()
                .map_err(|_| HttpError::Malformed("Content-Length"))?;
            length = Some(n);
        }
    }
}

/// One CRLF-terminated line, without its end; a head cut short (or past [`MAX_HEAD`]) is an error.
fn read_line(head: &mut impl BufRead) -> Result<String, HttpError> {
    let mut bytes = Vec::new();
    head.read_until(b'\n', &mut bytes)?;
    let Some(line) = bytes.strip_suffix(b"\n") else {
        return Err(if bytes.len() as u64 >= MAX_HEAD {
            HttpError::TooLarge
        } else {
            HttpError::Malformed("request cut short")
        });
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8(line.to_vec()).map_err(|_| HttpError::Malformed("not UTF-8"))
}

/// A complete answer that closes the connection, with a plain-text body.
pub fn response(code: u16, reason: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Request, HttpError> {
        read_request(&mut std::io::Cursor::new(bytes))
    }

    #[test]
    fn reads_a_put_as_python_requests_sends_it() {
        let req = read(
            b"PUT /power/compute1 HTTP/1.1\r\nHost: 127.0.0.1:8999\r\n\
              Content-type: application/json\r\ncontent-length: 7\r\n\r\n{\"a\":1}trailing",
        )
        .unwrap();
        assert_eq!(req.method, "PUT");
        assert_eq!(req.path, "/power/compute1");
        assert_eq!(req.body, b"{\"a\":1}");
    }

    #[test]
    fn a_request_without_body_has_an_empty_one() {
        let req = read(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(req.body.is_empty());
    }

    #[test]
    fn refuses_what_it_cannot_read_with_the_right_status() {
        let cases: [(&[u8], u16); 6] = [
            (b"PUT /x\r\n\r\n", 400),
            (b"PUT /x SPDY/3\r\n\r\n", 400),
            (b"PUT /x HTTP/1.1\r\nno colon\r\n\r\n", 400),
            (b"PUT /x HTTP/1.1\r\nContent-Length: 9\r\n\r\nshort", 400),
            (
                b"PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                411,
            ),
            (b"PUT /x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
        ];
        for (bytes, code) in cases {
            let err = read(bytes).unwrap_err();
            assert_eq!(
                err.status().0,
                code,
                "{err} for {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let endless = vec![b'a'; MAX_HEAD as usize + 10];
        assert_eq!(read(&endless).unwrap_err().status().0, 413);
    }

    #[test]
    fn the_answer_says_its_length_and_closes() {
        let text = response(204, "No Content", "");
        assert!(text.starts_with("HTTP/1.1 204 No Content\r\n"));
        assert!(text.contains("Content-Length: 0\r\n"));
        assert!(text.ends_with("Connection: close\r\n\r\n"));
    }
}
