//! What the monitors' Prometheus endpoints share: the text exposition ([`text`]), a histogram of
//! durations with fixed buckets ([`Histogram`]) and the endpoint itself ([`server`]: plain
//! HTTP/1.1, `GET /metrics` only, one response per connection, small enough to need no HTTP
//! server library). Each monitor keeps its own metrics and how it gathers them; it hands the
//! server a scrape function that renders them.
//!
//! ```text
//!  monitor's counters, gauges ─> text::{single, family, histogram} ─> String ─┐
//!  GET /metrics ─> server::run ─> scrape() ───────────────────────────────────┘─> 200 text/plain; version=0.0.4
//! ```

mod histogram;
pub mod server;
pub mod text;

pub use histogram::Histogram;
