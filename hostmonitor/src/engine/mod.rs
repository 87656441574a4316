//! The decision state machine: events in, notifications out, time injected.
