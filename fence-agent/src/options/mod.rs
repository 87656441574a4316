//! The option framework: one table ([`table::OPTIONS`]) drives argv and stdin parsing,
//! `--help`, `-o metadata` and the alias personalities.

pub mod argv;
pub mod check;
pub mod help;
pub mod metadata;
pub mod raw;
pub mod settings;
pub mod stdin;
pub mod table;
