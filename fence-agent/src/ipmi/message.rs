//! The IPMI LAN message inside a session: addresses, NetFn/LUN, sequence, checksums.

use super::codec::{DecodeError, Reader};
use super::wire::CompletionCode;

/// The BMC's slave address.
pub const BMC_ADDR: u8 = 0x20;
/// Our software id as requester.
pub const CONSOLE_ADDR: u8 = 0x81;

/// A request to the BMC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Network function (even: request).
    pub netfn: u8,
    /// Command number.
    pub cmd: u8,
    /// Request data.
    pub data: Vec<u8>,
}

/// A decoded response (checksums verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Network function (odd: response).
    pub netfn: u8,
    /// Command number.
    pub cmd: u8,
    /// Requester sequence number echoed by the BMC.
    pub rq_seq: u8,
    /// Completion code.
    pub completion: CompletionCode,
    /// Response data after the completion code.
    pub data: Vec<u8>,
}

impl Response {
    /// Whether this answers request `req` sent with sequence `rq_seq`.
    pub fn answers(&self, req: &Request, rq_seq: u8) -> bool {
        self.netfn == req.netfn | 1 && self.cmd == req.cmd && self.rq_seq == rq_seq
    }
}

fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |acc, b| acc.wrapping_add(*b))
        .wrapping_neg()
}

/// Encodes `req` with requester sequence `rq_seq` (0..63).
pub fn encode_request(req: &Request, rq_seq: u8) -> Vec<u8> {
    let header = [BMC_ADDR, req.netfn << 2];
    let mut out = header.to_vec();
    out.push(checksum(&header));
    let body_start = out.len();
    out.extend([CONSOLE_ADDR, (rq_seq & 0x3f) << 2, req.cmd]);
    out.extend(&req.data);
    let sum = checksum(out.get(body_start..).unwrap_or_default());
    out.push(sum);
    out
}

/// Decodes a response message, verifying both checksums.
pub fn decode_response(bytes: &[u8]) -> Result<Response, DecodeError> {
    let mut r = Reader::new(bytes);
    let header: [u8; 3] = r.array("IPMI message header")?;
    if checksum(&header) != 0 {
        return Err(DecodeError::Invalid {
            what: "IPMI header checksum",
            value: u32::from(header[2]),
        });
    }
    let body = r.rest();
    if body.len() < 5 {
        return Err(DecodeError::Truncated {
            what: "IPMI response body",
        });
    }
    if checksum(body) != 0 {
        return Err(DecodeError::Invalid {
            what: "IPMI body checksum",
            value: 0,
        });
    }
    let mut b = Reader::new(body);
    let _responder = b.u8("responder address")?;
    let seq_lun = b.u8("sequence")?;
    let cmd = b.u8("command")?;
    let completion = CompletionCode(b.u8("completion code")?);
    let rest = b.rest();
    let data = rest
        .get(..rest.len().saturating_sub(1))
        .unwrap_or_default()
        .to_vec();
    Ok(Response {
        netfn: header[1] >> 2,
        cmd,
        rq_seq: seq_lun >> 2,
        completion,
        data,
    })
}

/// Encodes a response (used by the in-process test BMC and the fuzz corpus).
pub fn encode_response(resp: &Response) -> Vec<u8> {
    let header = [CONSOLE_ADDR, resp.netfn << 2];
    let mut out = header.to_vec();
    out.push(checksum(&header));
    let body_start = out.len();
    out.extend([
        BMC_ADDR,
        (resp.rq_seq & 0x3f) << 2,
        resp.cmd,
        resp.completion.0,
    ]);
    out.extend(&resp.data);
    let sum = checksum(out.get(body_start..).unwrap_or_default());
    out.push(sum);
    out
}

/// Decodes a request (for the in-process test BMC).
pub fn decode_request(bytes: &[u8]) -> Result<(Request, u8), DecodeError> {
    let mut r = Reader::new(bytes);
    let header: [u8; 3] = r.array("IPMI message header")?;
    let body = r.rest();
    if checksum(&header) != 0 || body.len() < 4 || checksum(body) != 0 {
        return Err(DecodeError::Invalid {
            what: "IPMI request checksum",
            value: 0,
        });
    }
    let seq = body.get(1).copied().unwrap_or(0) >> 2;
    let cmd = body.get(2).copied().unwrap_or(0);
    let data = body.get(3..body.len() - 1).unwrap_or_default().to_vec();
    Ok((
        Request {
            netfn: header[1] >> 2,
            cmd,
            data,
        },
        seq,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_chassis_status_request_bytes() {
        let req = Request {
            netfn: 0x00,
            cmd: 0x01,
            data: vec![],
        };
        assert_eq!(
            encode_request(&req, 1),
            vec![0x20, 0x00, 0xe0, 0x81, 0x04, 0x01, 0x7a]
        );
    }

    #[test]
    fn response_round_trip_and_bad_checksum() {
        let resp = Response {
            netfn: 1,
            cmd: 1,
            rq_seq: 5,
            completion: CompletionCode::OK,
            data: vec![1, 2],
        };
        let bytes = encode_response(&resp);
        assert_eq!(decode_response(&bytes), Ok(resp));
        let mut bad = bytes;
        bad[4] ^= 1;
        assert!(decode_response(&bad).is_err());
    }
}
