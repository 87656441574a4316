//! Raw option values as entered (argv or stdin), keyed by fencing.py key.

use std::collections::BTreeMap;

use zeroize::Zeroize;

use super::table::{OptSpec, find};

/// What the user gave us, before defaults and validation, read with one agent's option table.
/// Values are wiped on drop: one of them is the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    table: &'static [OptSpec],
    values: BTreeMap<&'static str, String>,
    /// How many `-v` were given (stdin: the `verbose` value).
    pub verbose_count: u32,
    /// Non-fatal oddities to log once logging is set up (no secret values in them).
    pub warnings: Vec<String>,
}

impl Raw {
    /// Nothing given yet, for an agent with option table `table`.
    pub fn new(table: &'static [OptSpec]) -> Self {
        Self {
            table,
            values: BTreeMap::new(),
            verbose_count: 0,
            warnings: Vec::new(),
        }
    }

    /// The option table the values were read with.
    pub fn table(&self) -> &'static [OptSpec] {
        self.table
    }

    /// Sets option `spec` to `value` (flags: `""` or `"1"`; later values win).
    pub fn set(&mut self, spec: &'static OptSpec, value: String) {
        self.values.insert(spec.key, value);
    }

    /// The value of option `key`, if given.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Whether option `key` was given.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// Removes option `key`.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.values.remove(key)
    }

    /// Sets a value by key (for defaults); unknown keys are ignored.
    pub fn set_key(&mut self, key: &str, value: &str) {
        if let Some(spec) = find(self.table, key) {
            self.values.insert(spec.key, value.to_owned());
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.values.values_mut().for_each(Zeroize::zeroize);
    }
}
