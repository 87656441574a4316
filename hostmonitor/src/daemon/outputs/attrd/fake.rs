//! An in-memory cluster of attribute daemons for tests: values by attribute and node, a partition
//! that can lose and gain nodes (losing one drops its values, as attrd does), and failures on demand.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{Attrd, NodeValue};
use crate::daemon::net::process::ProcessError;

/// The fake cluster.
#[derive(Debug, Default)]
pub struct FakeAttrd {
    state: RefCell<State>,
}

#[derive(Debug, Default)]
struct State {
    members: Vec<String>,
    values: BTreeMap<(String, String), String>,
    failing: bool,
    updates: Vec<(String, String)>,
    queries: usize,
}

impl FakeAttrd {
    /// A cluster of `members`, all values empty.
    pub fn new(members: &[&str]) -> Self {
        let fake = Self::default();
        fake.state.borrow_mut().members = members.iter().map(|m| (*m).to_owned()).collect();
        fake
    }

    /// Makes every call fail (attrd not answering) or work again.
    pub fn fail(&self, failing: bool) {
        self.state.borrow_mut().failing = failing;
    }

    /// `node` leaves (its values are dropped, as attrd drops a lost peer's).
    pub fn lose(&self, node: &str) {
        let mut state = self.state.borrow_mut();
        state.members.retain(|m| m != node);
        state.values.retain(|(_, n), _| n != node);
    }

    /// `node` joins with no values of its own.
    pub fn join(&self, node: &str) {
        self.state.borrow_mut().members.push(node.to_owned());
    }

    /// Every value is gone (a full cluster restart).
    pub fn restart(&self) {
        self.state.borrow_mut().values.clear();
    }

    /// Updates taken so far.
    pub fn updates(&self) -> usize {
        self.state.borrow().updates.len()
    }

    /// Queries answered so far.
    pub fn queries(&self) -> usize {
        self.state.borrow().queries
    }

    /// Every update taken so far, in order: (attribute, node).
    pub fn log(&self) -> Vec<(String, String)> {
        self.state.borrow().updates.clone()
    }

    fn check(&self) -> Result<(), ProcessError> {
        if self.state.borrow().failing {
            Err(ProcessError::Failed {
                program: "attrd_updater".to_owned(),
                status: std::os::unix::process::ExitStatusExt::from_raw(102 << 8),
                stderr: "Connection refused".to_owned(),
            })
        } else {
            Ok(())
        }
    }
}

impl Attrd for FakeAttrd {
    async fn query_all(&self, name: &str) -> Result<Vec<NodeValue>, ProcessError> {
        self.check()?;
        self.state.borrow_mut().queries += 1;
        let state = self.state.borrow();
        let values = state.values.iter().filter(|((a, _), _)| a == name);
        Ok(values
            .map(|((_, node), value)| NodeValue {
                node: node.clone(),
                value: value.clone(),
            })
            .collect())
    }

    async fn update(&self, name: &str, node: &str, value: &str) -> Result<(), ProcessError> {
        self.check()?;
        let mut state = self.state.borrow_mut();
        state.updates.push((name.to_owned(), node.to_owned()));
        state
            .values
            .insert((name.to_owned(), node.to_owned()), value.to_owned());
        Ok(())
    }

    async fn partition(&self) -> Result<Vec<String>, ProcessError> {
        self.check()?;
        Ok(self.state.borrow().members.clone())
    }
}
