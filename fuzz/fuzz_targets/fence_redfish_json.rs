//! The Redfish documents fence_redfish_rs reads (service root, Systems collection, system,
//! error bodies) and the client's whole conversation over them: the input is split at NUL bytes
//! into the service's answers, each led by one byte of HTTP status class, and fed to a status
//! query and every reset the fencing logic asks for.
#![no_main]

use std::collections::VecDeque;

use fence_agent::ipmi::commands::chassis_control::Control;
use fence_agent::redfish::client::{Client, Target, Transport};
use fence_agent::redfish::error::RedfishError;
use fence_agent::redfish::wire::{self, Request, Response};
use libfuzzer_sys::fuzz_target;
use secret::Secret;

struct Answers(VecDeque<Response>);

impl Transport for Answers {
    fn send(&mut self, _request: &Request<'_>) -> Result<Response, RedfishError> {
        Ok(self.0.pop_front().unwrap_or_default())
    }
}

fn answer(chunk: &[u8]) -> Response {
    let (status, body) = match chunk.split_first() {
        Some((s, body)) => (200 + u16::from(*s % 5) * 100 + u16::from(*s / 5 % 8), body),
        None => (200, chunk),
    };
    Response {
        status,
        token: (status == 201).then(|| Secret::from_string("t".into())),
        location: (status == 201).then(|| String::from_utf8_lossy(body).into_owned()),
        body: body.to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = wire::service_root(data);
    let _ = wire::members(data);
    let _ = wire::system(data);
    let _ = wire::error_message(data);
    let uris = [None, Some("/redfish/v1/Systems/1".to_owned())];
    for (systems_uri, sessions) in uris.into_iter().flat_map(|u| [(u.clone(), true), (u, false)]) {
        let answers = Answers(data.split(|b| *b == 0).map(answer).collect());
        let target = Target {
            username: "admin".into(),
            password: Secret::from_string("pw".into()),
            redfish_uri: "/redfish/v1".into(),
            systems_uri,
            sessions,
        };
        let mut client = Client::new(answers, target);
        let _ = client.power_is_on();
        for control in [
            Control::PowerDown,
            Control::PowerUp,
            Control::PowerCycle,
            Control::DiagnosticInterrupt,
        ] {
            let _ = client.control(control);
        }
        client.close();
    }
});
