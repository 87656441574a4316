//! Property tests of the host monitor engine over seeded random event streams.

#![allow(clippy::panic, clippy::indexing_slicing)] // test helpers

mod convergence;
mod invariants;
mod rng;
mod support;
