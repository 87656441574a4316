//! A small library for OCF resource agents (Resource Agent API 1.1): the environment, typed exit
//! codes, the parameter table that drives metadata and validation, and logging. Nothing in it
//! knows about the host monitor, so further agents can reuse it.

pub mod action;
pub mod env;
pub mod log;
pub mod metadata;
pub mod param;
pub mod status;

pub use action::{Action, ActionSpec};
pub use env::Environment;
pub use log::Logger;
pub use metadata::{AgentInfo, metadata};
pub use param::{Kind, Param, Value};
pub use status::{Failure, OcfStatus, Outcome};
