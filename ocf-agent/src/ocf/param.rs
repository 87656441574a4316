//! Instance parameters: one declaration per parameter drives the metadata, the value checks of
//! `validate-all` and `start`, and the messages that name a bad parameter.

use super::env::Environment;
use super::status::Failure;

/// What values a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any text.
    String,
    /// A non-negative whole number.
    Integer,
    /// A Pacemaker boolean (`true/false`, `yes/no`, `on/off`, `1/0`).
    Boolean,
    /// One of a fixed list. Written as `string` in metadata (the OCF 1.0 DTD knows no `select`),
    /// with the choices in the long description.
    Choice(&'static [&'static str]),
}

/// One instance parameter of an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The attribute name (`OCF_RESKEY_<name>`).
    pub name: &'static str,
    /// One line for `pcs resource describe`.
    pub shortdesc: &'static str,
    /// The full explanation.
    pub longdesc: &'static str,
    /// Which values it takes.
    pub kind: Kind,
    /// The value used when it is unset (none: the agent or the service decides, as the description says).
    pub default: Option<&'static str>,
    /// Whether the resource cannot work without it.
    pub required: bool,
    /// Parameters of one group must differ, as a combination, between resources of this agent.
    pub unique_group: Option<&'static str>,
    /// Whether a change applies with `reload-agent` instead of a restart.
    pub reloadable: bool,
}

impl AsRef<Param> for Param {
    fn as_ref(&self) -> &Param {
        self
    }
}

/// A checked parameter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text (also the chosen entry of a [`Kind::Choice`]).
    Text(String),
    /// A number.
    Integer(u64),
    /// A boolean.
    Boolean(bool),
}

impl Value {
    /// The value as a command-line word (booleans as `true`/`false`).
    pub fn to_word(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Integer(n) => n.to_string(),
            Self::Boolean(b) => b.to_string(),
        }
    }
}

impl Param {
    /// A text parameter with no default that is neither required, unique nor reloadable.
    pub const fn text(name: &'static str, shortdesc: &'static str, longdesc: &'static str) -> Self {
        Self {
            name,
            shortdesc,
            longdesc,
            kind: Kind::String,
            default: None,
            required: false,
            unique_group: None,
            reloadable: false,
        }
    }

    /// The same parameter taking values of `kind`.
    pub const fn kind(self, kind: Kind) -> Self {
        Self { kind, ..self }
    }

    /// The same parameter with a default.
    pub const fn default(self, default: &'static str) -> Self {
        Self {
            default: Some(default),
            ..self
        }
    }

    /// The same parameter in a unique group.
    pub const fn unique_group(self, group: &'static str) -> Self {
        Self {
            unique_group: Some(group),
            ..self
        }
    }

    /// The same parameter, reloadable.
    pub const fn reloadable(self) -> Self {
        Self {
            reloadable: true,
            ..self
        }
    }

    /// The parameter's value in `env` (its default when unset), checked against its kind.
    /// `None` when it is unset and has no default.
    pub fn value(&self, env: &Environment) -> Result<Option<Value>, Failure> {
        match env.reskey(self.name).or(self.default) {
            Some(raw) => self.parse(raw).map(Some),
            None if self.required => Err(Failure::configured(format!(
                "parameter {} is required",
                self.name
            ))),
            None => Ok(None),
        }
    }

    /// Checks `raw` against the parameter's kind.
    pub fn parse(&self, raw: &str) -> Result<Value, Failure> {
        let bad =
            |what: &str| Failure::configured(format!("parameter {}={raw:?} {what}", self.name));
        match self.kind {
            Kind::String => Ok(Value::Text(raw.to_owned())),
            Kind::Integer => raw
                .trim()
                .parse()
                .map(Value::Integer)
                .map_err(|_| bad("is not a whole number")),
            Kind::Boolean => boolean(raw)
                .map(Value::Boolean)
                .ok_or_else(|| bad("is not a boolean (true or false)")),
            Kind::Choice(choices) => choices
                .iter()
                .find(|c| **c == raw)
                .map(|c| Value::Text((*c).to_owned()))
                .ok_or_else(|| bad(&format!("is not one of {}", choices.join(", ")))),
        }
    }
}

/// Pacemaker's `crm_is_true` spellings.
fn boolean(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" | "1" => Some(true),
        "false" | "no" | "off" | "n" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocf::OcfStatus;

    const NUM: Param = Param::text("n", "a number", "A number.").kind(Kind::Integer);
    const FLAG: Param = Param::text("f", "a flag", "A flag.").kind(Kind::Boolean);
    const PICK: Param = Param::text("p", "a pick", "A pick.").kind(Kind::Choice(&["a", "b"]));

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (format!("OCF_RESKEY_{k}"), *v)))
    }

    #[test]
    fn values_by_kind() {
        assert_eq!(NUM.parse(" 42 "), Ok(Value::Integer(42)));
        assert_eq!(FLAG.parse("Yes"), Ok(Value::Boolean(true)));
        assert_eq!(FLAG.parse("off"), Ok(Value::Boolean(false)));
        assert_eq!(PICK.parse("b"), Ok(Value::Text("b".into())));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (param, raw) in [(NUM, "-1"), (NUM, "ten"), (FLAG, "maybe"), (PICK, "c")] {
            let f = param.parse(raw).unwrap_err();
            assert_eq!(f.status, OcfStatus::ErrConfigured);
            assert!(
                f.reason.contains(&format!("parameter {}=", param.name)),
                "{f}"
            );
        }
    }

    #[test]
    fn defaults_and_required() {
        assert_eq!(NUM.value(&env(&[])), Ok(None));
        assert_eq!(
            NUM.default("5").value(&env(&[])),
            Ok(Some(Value::Integer(5)))
        );
        assert_eq!(
            NUM.default("5").value(&env(&[("n", "6")])),
            Ok(Some(Value::Integer(6)))
        );
        let required = Param {
            required: true,
            ..NUM
        };
        let f = required.value(&env(&[])).unwrap_err();
        assert!(f.reason.contains("parameter n is required"));
    }

    #[test]
    fn words() {
        assert_eq!(Value::Boolean(true).to_word(), "true");
        assert_eq!(Value::Integer(3).to_word(), "3");
    }
}
