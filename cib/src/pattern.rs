//! A small regular-expression matcher for fencing-topology `target-pattern`s.
//!
//! Pacemaker matches these with POSIX extended regexes (unanchored). Node-name patterns
//! use a small subset; this supports literals, `.`, bracket classes, `*`, `+`, `?`, `^`,
//! `$` and top-level `|`. Anything else (groups, braces, backreferences) is reported as
//! unsupported rather than guessed. Matching is bounded: a step budget stops pathological
//! backtracking.

/// Why a pattern could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Any,
    Char(char),
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    One,
    ZeroOrOne,
    ZeroOrMore,
    OneOrMore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Branch {
    anchored_start: bool,
    anchored_end: bool,
    items: Vec<(Atom, Repeat)>,
}

const STEP_BUDGET: usize = 100_000;

/// Whether `pattern` matches anywhere in `text`.
pub(crate) fn is_match(pattern: &str, text: &str) -> Result<bool, Unsupported> {
    let branches = pattern
        .split('|')
        .map(parse_branch)
        .collect::<Result<Vec<_>, _>>()?;
    let chars: Vec<char> = text.chars().collect();
    let mut steps = 0;
    Ok(branches
        .iter()
        .any(|b| branch_matches(b, &chars, &mut steps)))
}

fn parse_branch(source: &str) -> Result<Branch, Unsupported> {
    let mut chars = source.chars().peekable();
    let anchored_start = chars.next_if_eq(&'^').is_some();
    let mut items: Vec<(Atom, Repeat)> = Vec::new();
    let mut anchored_end = false;
    while let Some(c) = chars.next() {
        let atom = match c {
            '$' if chars.peek().is_none() => {
                anchored_end = true;
                break;
            }
            '.' => Atom::Any,
            '[' => parse_class(&mut chars)?,
            '\\' => Atom::Char(chars.next().ok_or(Unsupported)?),
            '(' | ')' | '{' | '}' | '^' | '$' | '*' | '+' | '?' => return Err(Unsupported),
            other => Atom::Char(other),
        };
        let repeat = match chars.peek() {
            Some('*') => Repeat::ZeroOrMore,
            Some('+') => Repeat::OneOrMore,
            Some('?') => Repeat::ZeroOrOne,
            _ => Repeat::One,
        };
        if repeat != Repeat::One {
            chars.next();
        }
        items.push((atom, repeat));
    }
    Ok(Branch {
        anchored_start,
        anchored_end,
        items,
    })
}

fn parse_class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Atom, Unsupported> {
    let negated = chars.next_if_eq(&'^').is_some();
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = chars.next().ok_or(Unsupported)?;
        if c == ']' && !first {
            break;
        }
        if c == '[' && chars.peek() == Some(&':') {
            return Err(Unsupported);
        }
        first = false;
        if chars.peek() == Some(&'-') {
            chars.next();
            match chars.next().ok_or(Unsupported)? {
                ']' => {
                    ranges.push((c, c));
                    ranges.push(('-', '-'));
                    break;
                }
                end => ranges.push((c, end)),
            }
        } else {
            ranges.push((c, c));
        }
    }
    Ok(Atom::Class { negated, ranges })
}

fn atom_matches(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Any => true,
        Atom::Char(a) => *a == c,
        Atom::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
    }
}

fn branch_matches(branch: &Branch, text: &[char], steps: &mut usize) -> bool {
    let last_start = if branch.anchored_start { 0 } else { text.len() };
    (0..=last_start).any(|start| {
        text.get(start..)
            .is_some_and(|rest| match_here(&branch.items, rest, branch.anchored_end, steps))
    })
}

fn match_here(
    items: &[(Atom, Repeat)],
    text: &[char],
    anchored_end: bool,
    steps: &mut usize,
) -> bool {
    *steps += 1;
    if *steps > STEP_BUDGET {
        return false;
    }
    let Some(((atom, repeat), rest)) = items.split_first() else {
        return !anchored_end || text.is_empty();
    };
    let (min, max) = match repeat {
        Repeat::One => (1, 1),
        Repeat::ZeroOrOne => (0, 1),
        Repeat::ZeroOrMore => (0, usize::MAX),
        Repeat::OneOrMore => (1, usize::MAX),
    };
    let available = text
        .iter()
        .take_while(|c| atom_matches(atom, **c))
        .count()
        .min(max);
    if available < min {
        return false;
    }
    (min..=available).rev().any(|n| {
        text.get(n..)
            .is_some_and(|t| match_here(rest, t, anchored_end, steps))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_of_posix_ere() {
        assert_eq!(is_match("compute-[0-9]+", "compute-12"), Ok(true));
        assert_eq!(is_match("^compute-[0-9]+$", "xcompute-12"), Ok(false));
        assert_eq!(is_match("node", "my-node-1"), Ok(true));
        assert_eq!(is_match("^a.c$", "abc"), Ok(true));
        assert_eq!(is_match("^ctl|^cmp", "cmp1"), Ok(true));
        assert_eq!(is_match("[^a-z]$", "node1"), Ok(true));
        assert_eq!(is_match("colou?r", "color"), Ok(true));
        assert_eq!(is_match("(a)", "a"), Err(Unsupported));
        assert_eq!(is_match("[a", "a"), Err(Unsupported));
    }

    #[test]
    fn pathological_patterns_stay_bounded() {
        let text = "a".repeat(200);
        assert_eq!(is_match("a*a*a*a*a*a*a*b", &text), Ok(false));
    }
}
