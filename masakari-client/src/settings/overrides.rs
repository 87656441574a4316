//! `--set section.key=value`: one setting laid over a monitor's configuration file, whichever
//! format the file is in (from the command line or an OCF instance attribute).

use super::ConfError;

/// One `section.key=value` laid over the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    section: String,
    key: String,
    value: String,
}

impl std::str::FromStr for Override {
    type Err = ConfError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || ConfError::invalid(text, "is not of the form section.key=value");
        let (path, value) = text.split_once('=').ok_or_else(bad)?;
        let (section, key) = path.split_once('.').ok_or_else(bad)?;
        Ok(Self::new(section, key, value))
    }
}

impl Override {
    /// An override of `section.key` with `value` (written as on a command line: strings unquoted).
    pub fn new(section: &str, key: &str, value: &str) -> Self {
        Self {
            section: section.to_owned(),
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }

    /// Lays the value over a settings tree.
    pub fn apply(&self, table: &mut toml::Table) -> Result<(), ConfError> {
        let entry = table
            .entry(self.section.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(section) = entry else {
            return Err(ConfError::invalid(&self.section, "is not a section"));
        };
        section.insert(self.key.clone(), literal(&self.value));
        Ok(())
    }
}

/// A value as an operator writes it on a command line: booleans and integers as such, anything else a string.
fn literal(value: &str) -> toml::Value {
    if let Ok(b) = value.parse::<bool>() {
        return b.into();
    }
    if let Ok(i) = value.parse::<i64>() {
        return i.into();
    }
    value.to_owned().into()
}

/// Reads configuration text of `format` as `T`, with `overrides` laid over it: TOML as it is,
/// a masakarimonitors.conf through `from_ini` (the settings tree it stands for, and the keys it
/// ignored). Returns the settings and those ignored keys; `T` checks the keys and their types.
pub fn layered<T, E>(
    format: super::Format,
    text: &str,
    overrides: &[Override],
    from_ini: impl FnOnce(&str) -> Result<(toml::Table, Vec<String>), E>,
) -> Result<(T, Vec<String>), E>
where
    T: serde::de::DeserializeOwned,
    E: From<ConfError>,
{
    if format == super::Format::Toml && overrides.is_empty() {
        return Ok((parse(text)?, Vec::new()));
    }
    let (mut table, ignored) = match format {
        super::Format::Toml => (parse(text)?, Vec::new()),
        super::Format::MasakariMonitors => from_ini(text)?,
    };
    for o in overrides {
        o.apply(&mut table)?;
    }
    Ok((parse(&table.to_string())?, ignored))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ConfError> {
    toml::from_str(text).map_err(|e| ConfError::toml(&e, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_as_an_operator_writes_them() {
        let mut table = toml::Table::new();
        for text in ["a.flag=true", "a.n=42", "a.s=qemu:///system", "b.x=1=2"] {
            text.parse::<Override>().unwrap().apply(&mut table).unwrap();
        }
        assert_eq!(table["a"]["flag"], toml::Value::Boolean(true));
        assert_eq!(table["a"]["n"], toml::Value::Integer(42));
        assert_eq!(table["a"]["s"].as_str(), Some("qemu:///system"));
        assert_eq!(table["b"]["x"].as_str(), Some("1=2"));
    }

    #[test]
    fn a_malformed_override_or_a_key_as_section_is_refused() {
        let e = "nodot=1".parse::<Override>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "nodot=1 is not of the form section.key=value"
        );
        let mut table: toml::Table = toml::from_str("a = 1\n").unwrap();
        let o = Override::new("a", "b", "c");
        assert_eq!(
            o.apply(&mut table).unwrap_err().to_string(),
            "a is not a section"
        );
    }
}
