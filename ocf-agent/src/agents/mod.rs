//! The agents: each declares itself to [`crate::service`] and says how to validate its daemon's
//! configuration and judge its `status`.

pub mod hostmonitor;
pub mod instancemonitor;
