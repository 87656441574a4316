//! fence_ipmilan_rs: see the `fence_agent` crate.
fn main() {}
