//! Every parser of bytes from a BMC: RMCP/session framing, LAN messages, command answers,
//! RMCP+ handshake messages, and IPMI-padded AES-CBC.
#![no_main]

use fence_agent::ipmi::codec::Decode;
use fence_agent::ipmi::commands::activate_session::Activated;
use fence_agent::ipmi::commands::auth_caps::AuthCaps;
use fence_agent::ipmi::commands::chassis_status::ChassisStatus;
use fence_agent::ipmi::commands::open_session::OpenSessionResponse;
use fence_agent::ipmi::commands::rakp::{Rakp2, Rakp4};
use fence_agent::ipmi::commands::session_challenge::Challenge;
use fence_agent::ipmi::{crypto, message, packet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for integrity_len in [0, 12, 16] {
        let _ = packet::decode(data, integrity_len);
    }
    let _ = message::decode_response(data);
    let _ = AuthCaps::decode(data);
    let _ = Challenge::decode(data);
    let _ = Activated::decode(data);
    let _ = ChassisStatus::decode(data);
    let _ = OpenSessionResponse::decode(data);
    for len in [0, 20, 32] {
        let _ = Rakp2::decode(data, len);
    }
    for len in [0, 12, 16] {
        let _ = Rakp4::decode(data, len);
    }
    let _ = crypto::aes_decrypt(&[7; 16], &[9; 16], data);
});
