//! masakari-monitors' `process_list.yaml`, for `check`: which of the processes its
//! processmonitor watched no watched Pacemaker resource covers.
//!
//! The file is a YAML sequence of mappings, one per process; of each only `process_name` (the
//! string processmonitor looks for in `ps -ef`, often a path) matters here. processmonitor
//! sends the part after the last `/` as the notification's `process_name`, so that is what a
//! watched resource's process name must equal to cover it.
//!
//! Read as hostile: at most [`MAX_BYTES`], nesting at most [`MAX_DEPTH`] deep, and no aliases
//! (a YAML loader expands each alias into a copy, so a few lines of them can fill memory).

use std::path::Path;

use masakari_client::check::{Finding, Verdict};
use yaml_rust2::parser::Parser;
use yaml_rust2::{Event, ScanError, Yaml, YamlLoader};

/// The largest file read.
pub const MAX_BYTES: usize = 1024 * 1024;
/// The deepest nesting of sequences and mappings read.
pub const MAX_DEPTH: usize = 32;

/// Why a process list cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessListError {
    /// Larger than [`MAX_BYTES`].
    #[error("larger than {MAX_BYTES} bytes")]
    TooLarge,
    /// Not YAML.
    #[error("not YAML: {0}")]
    Yaml(#[from] ScanError),
    /// An alias (`*name`), which this reader refuses.
    #[error("uses a YAML alias (*name), which is not read here")]
    Alias,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Not a sequence of mappings.
    #[error("is not a list of processes (a YAML sequence of mappings)")]
    NotAList,
}

/// One process the list names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// `process_name` as written.
    pub written: String,
    /// What processmonitor sends as the notification's `process_name`: the part after the
    /// last `/`.
    pub name: String,
}

/// The processes a `process_list.yaml` names, in order (entries without a `process_name`
/// string are skipped: processmonitor cannot use them either).
pub fn parse(text: &str) -> Result<Vec<Listed>, ProcessListError> {
    if text.len() > MAX_BYTES {
        return Err(ProcessListError::TooLarge);
    }
    screen(text)?;
    let docs = YamlLoader::load_from_str(text)?;
    let entries = match docs.first() {
        None | Some(Yaml::Null) => return Ok(Vec::new()),
        Some(Yaml::Array(entries)) => entries,
        Some(_) => return Err(ProcessListError::NotAList),
    };
    let listed = entries.iter().filter_map(|entry| match entry {
        Yaml::Hash(_) => entry["process_name"].as_str().map(str::trim),
        _ => None,
    });
    Ok(listed
        .filter(|written| !written.is_empty())
        .map(|written| Listed {
            written: written.to_owned(),
            name: written.rsplit('/').next().unwrap_or(written).to_owned(),
        })
        .collect())
}

/// Refuses aliases and deep nesting before anything is built.
fn screen(text: &str) -> Result<(), ProcessListError> {
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0_usize;
    loop {
        let (event, _) = parser.next_token()?;
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Alias(_) => return Err(ProcessListError::Alias),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ProcessListError::TooDeep);
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

/// The listed processes no covered name stands for.
pub fn uncovered<'l>(listed: &'l [Listed], covered: &[&str]) -> Vec<&'l Listed> {
    listed
        .iter()
        .filter(|l| !covered.contains(&l.name.as_str()))
        .collect()
}

/// The finding on the process list at `path` (`text`: its content, `None` when there is no such
/// file), given the process names watched resources in the CIB stand for.
pub fn judge(path: &Path, text: Option<&str>, covered: &[&str]) -> Finding {
    let subject = "processes";
    let path = path.display();
    let Some(text) = text else {
        let detail = format!("no masakari-monitors process list at {path} (nothing to compare)");
        return Finding::new(subject, Verdict::Ok, detail);
    };
    let listed = match parse(text) {
        Ok(listed) => listed,
        Err(e) => return Finding::new(subject, Verdict::Warn, format!("{path}: {e}")),
    };
    let left = uncovered(&listed, covered);
    if left.is_empty() {
        let detail = format!(
            "every process of {path} is a watched Pacemaker resource's ({})",
            covered.join(", ")
        );
        return Finding::new(subject, Verdict::Ok, detail);
    }
    let names: Vec<String> = left
        .iter()
        .map(|l| format!("{} ({})", l.name, l.written))
        .collect();
    let detail = format!(
        "{path}: no watched Pacemaker resource covers {}; run them as resources on the computes \
         and name them in [processes], or they go unwatched",
        names.join(", ")
    );
    Finding::new(subject, Verdict::Warn, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// masakari-monitors' own sample (`etc/masakarimonitors/process_list.yaml.sample`, 22.0.0).
    const SAMPLE: &str = include_str!("../../../tests/data/process_list.yaml");

    fn names(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(listed) => listed.into_iter().map(|l| l.name).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn reads_masakari_monitors_sample() {
        let listed = parse(SAMPLE).unwrap_or_else(|e| panic!("{e}"));
        let written: Vec<&str> = listed.iter().map(|l| l.written.as_str()).collect();
        assert_eq!(written.first(), Some(&"/usr/sbin/libvirtd"));
        assert!(
            names(SAMPLE).contains(&"nova-compute".to_owned()),
            "{written:?}"
        );
    }

    #[test]
    fn what_the_covered_names_leave_out() {
        let listed = parse(SAMPLE).unwrap_or_else(|e| panic!("{e}"));
        let left: Vec<&str> = uncovered(&listed, &["libvirtd", "nova-compute"])
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert!(
            !left.contains(&"libvirtd") && !left.contains(&"nova-compute"),
            "{left:?}"
        );
        assert_eq!(uncovered(&listed, &[]).len(), listed.len());
    }

    #[test]
    fn odd_entries_are_skipped_and_odd_files_refused() {
        assert_eq!(names(""), Vec::<String>::new());
        assert_eq!(
            names("- process_name: a/b\n- x: 1\n- 7\n- process_name: ''\n"),
            ["b"]
        );
        let refused = [
            ("process_name: x\n", "a list of processes"),
            ("- &a [1]\n- *a\n", "alias"),
            (
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
                "deeper",
            ),
            ("- [unclosed\n", "not YAML"),
        ];
        for (text, why) in refused {
            let error = parse(text).map(|_| ()).unwrap_err().to_string();
            assert!(error.contains(why), "{text:?}: {error}");
        }
        assert!(matches!(
            parse(&" ".repeat(MAX_BYTES + 1)),
            Err(ProcessListError::TooLarge)
        ));
    }

    #[test]
    fn the_finding_names_what_is_left_uncovered() {
        let path = Path::new("/etc/masakarimonitors/process_list.yaml");
        let none = judge(path, None, &[]);
        assert_eq!(none.verdict, Verdict::Ok);
        assert!(
            none.detail
                .contains("no masakari-monitors process list at /etc/"),
            "{}",
            none.detail
        );
        let some = judge(path, Some(SAMPLE), &["libvirtd", "nova-compute"]);
        assert_eq!(some.verdict, Verdict::Warn);
        assert!(
            some.detail.contains("covers masakari-instancemonitor (/usr/bin/python /usr/local/bin/masakari-instancemonitor), masakari-hostmonitor"),
            "{}",
            some.detail
        );
        assert!(
            some.detail.contains("sshd (/usr/sbin/sshd)") && !some.detail.contains("libvirtd"),
            "{}",
            some.detail
        );
        let all = [
            "libvirtd",
            "nova-compute",
            "masakari-instancemonitor",
            "masakari-hostmonitor",
            "sshd",
        ];
        assert_eq!(judge(path, Some(SAMPLE), &all).verdict, Verdict::Ok);
        assert_eq!(judge(path, Some("- *a\n"), &[]).verdict, Verdict::Warn);
    }
}
