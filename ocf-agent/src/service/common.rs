//! The table rows every agent of ours has, written once: the daemon program, the Masakari
//! endpoint and timeout, the metrics address, the log file and the deep-monitor policy.

use super::instance::API_CHECK_CHOICES;
use super::table::{Entry, agent, setting};
use crate::ocf::{Kind, Param};

/// `binary`: the daemon program, `default` when unset.
pub const fn binary(default: &'static str, longdesc: &'static str) -> Entry {
    agent(Param::text("binary", "Daemon binary", longdesc).default(default))
}

/// `masakari_endpoint` (`masakari.endpoint`).
pub const MASAKARI_ENDPOINT: Entry = setting(
    "masakari.endpoint",
    Param::text(
        "masakari_endpoint",
        "Masakari API endpoint",
        "The Masakari API endpoint including /v1, for example http://masakari:15868/v1 \
         (masakari.endpoint; the configuration file's value when unset).",
    ),
);

/// `request_timeout` (`masakari.request_timeout`).
pub const REQUEST_TIMEOUT: Entry = setting(
    "masakari.request_timeout",
    Param::text(
        "request_timeout",
        "HTTP request timeout (s)",
        "Timeout of one request to the Masakari API, in seconds (masakari.request_timeout).",
    )
    .kind(Kind::Integer),
);

/// `metrics_listen` (`metrics.listen`).
pub const METRICS_LISTEN: Entry = setting(
    "metrics.listen",
    Param::text(
        "metrics_listen",
        "Metrics address",
        "address:port of the daemon's Prometheus endpoint (metrics.listen). Two instances \
         on one node need different ones. The configuration file's value when unset.",
    )
    .unique_group("metrics"),
);

/// `log_file`: where the daemon's output goes, `default` when unset.
pub const fn log_file(default: &'static str) -> Entry {
    agent(
        Param::text(
            "log_file",
            "Daemon log file",
            "File the daemon's standard output and error are appended to.",
        )
        .default(default),
    )
}

/// `api_check`: what a level-20 monitor reports on API trouble ([`super::ApiCheck`]).
pub const fn api_check(longdesc: &'static str) -> Entry {
    agent(
        Param::text("api_check", "Deep monitor on API trouble", longdesc)
            .kind(Kind::Choice(API_CHECK_CHOICES))
            .default("degraded")
            .reloadable(),
    )
}
