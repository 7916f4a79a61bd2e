//! Parsing a command pattern such as `"ticket close <id> <reason...>"` into pieces.

use std::ops::Range;

/// The kinds of argument, as in `webex_bot::args::ArgKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Required,
    Optional,
    Rest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    Arg { name: String, kind: Kind },
}

/// A piece and where it stands in the pattern text.
#[derive(Debug, Clone)]
pub struct Segment {
    pub piece: Piece,
    pub range: Range<usize>,
}

/// A mistake in a pattern: where, what rule it breaks, and a hint.
#[derive(Debug, Clone)]
pub struct PatternError {
    pub range: Range<usize>,
    pub message: String,
}

pub const MAX_ARGS: usize = 16;

/// Parses `pattern`, collecting every mistake.
pub fn parse(pattern: &str) -> (Vec<Segment>, Vec<PatternError>) {
    let mut segments = Vec::new();
    let mut errors = Vec::new();
    let mut err =
        |range: Range<usize>, message: String| errors.push(PatternError { range, message });

    if pattern.trim().is_empty() {
        err(0..pattern.len(), "a command pattern cannot be empty; write the words that start the command, such as \"status\"".into());
        return (segments, errors);
    }
    for (start, word) in words(pattern) {
        let range = start..start + word.len();
        let first = word.chars().next().unwrap_or(' ');
        if first == '<' || first == '[' {
            let close = if first == '<' { '>' } else { ']' };
            if !word.ends_with(close) || word.len() < 2 {
                let opened = if first == '<' { "`<`" } else { "`[`" };
                err(
                    range,
                    format!(
                        "unclosed {opened} in `{word}`: close it with `{close}` (arguments have no spaces inside)"
                    ),
                );
                continue;
            }
            let inner = &word[1..word.len() - 1];
            let (name, rest) = match inner.strip_suffix("...") {
                Some(n) => (n, true),
                None => (inner, false),
            };
            if !is_ident(name) {
                err(
                    range,
                    format!(
                        "`{word}` is not an argument: the name inside must be a Rust identifier, such as `<ticket>`"
                    ),
                );
                continue;
            }
            let kind = match (first, rest) {
                ('<', false) => Kind::Required,
                ('<', true) => Kind::Rest,
                ('[', false) => Kind::Optional,
                _ => {
                    err(
                        range,
                        format!(
                            "`{word}` is not supported: write `<{name}...>` to take the rest of the message"
                        ),
                    );
                    continue;
                }
            };
            segments.push(Segment {
                piece: Piece::Arg {
                    name: name.to_owned(),
                    kind,
                },
                range,
            });
        } else if let Some(i) = word.find(['<', '>', '[', ']']) {
            let c = &word[i..i + 1];
            err(
                range,
                format!(
                    "stray `{c}` in `{word}`: put a space before and after an argument, as in `find <ticket>`"
                ),
            );
        } else {
            segments.push(Segment {
                piece: Piece::Literal(word.to_owned()),
                range,
            });
        }
    }
    check(&segments, &mut errors);
    (segments, errors)
}

fn check(segments: &[Segment], errors: &mut Vec<PatternError>) {
    let mut push =
        |range: Range<usize>, message: String| errors.push(PatternError { range, message });
    if !segments.is_empty()
        && !segments
            .iter()
            .any(|s| matches!(s.piece, Piece::Literal(_)))
    {
        let all = segments.first().map(|s| s.range.start).unwrap_or(0)
            ..segments.last().map(|s| s.range.end).unwrap_or(0);
        push(all, "a command pattern needs at least one literal word, such as `find` in \"find <ticket>\"".into());
    }
    let mut seen: Vec<(&str, Range<usize>)> = Vec::new();
    let mut saw_optional = false;
    let mut args = 0;
    for (i, s) in segments.iter().enumerate() {
        let Piece::Arg { name, kind } = &s.piece else {
            continue;
        };
        args += 1;
        if args == MAX_ARGS + 1 {
            push(
                s.range.clone(),
                format!("a command takes at most {MAX_ARGS} arguments"),
            );
        }
        if seen.iter().any(|(n, _)| n == name) {
            push(
                s.range.clone(),
                format!("duplicate argument `{name}`: each argument name may appear once"),
            );
        }
        seen.push((name, s.range.clone()));
        match kind {
            Kind::Rest if i + 1 != segments.len() => {
                push(
                    s.range.clone(),
                    format!(
                        "rest argument `<{name}...>` must be last: it takes every remaining word"
                    ),
                );
            }
            Kind::Required if saw_optional => {
                push(
                    s.range.clone(),
                    format!(
                        "required argument `<{name}>` cannot follow an optional one: put optional arguments last"
                    ),
                );
            }
            Kind::Optional => saw_optional = true,
            _ => {}
        }
    }
}

/// The words of `s` with their byte offsets.
pub fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && s != "_"
}

/// Levenshtein distance, for "did you mean" hints.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(p: &str) -> Vec<String> {
        parse(p).1.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn good_patterns() {
        let (segs, errors) = parse("ticket close <id> [owner] ");
        assert!(errors.is_empty());
        assert_eq!(segs.len(), 4);
        assert_eq!(segs[2].range, 13..17);
        let (segs, errors) = parse("say <text...>");
        assert!(errors.is_empty());
        assert_eq!(
            segs[1].piece,
            Piece::Arg {
                name: "text".into(),
                kind: Kind::Rest
            }
        );
    }

    #[test]
    fn every_mistake_is_reported() {
        assert_eq!(errs("   ").len(), 1);
        assert!(errs("find <ticket")[0].starts_with("unclosed `<`"));
        assert!(errs("list [status")[0].starts_with("unclosed `[`"));
        assert!(errs("<a> <b>")[0].contains("at least one literal"));
        assert!(errs("say <a...> <b>")[0].contains("must be last"));
        assert!(errs("x <a> <a>")[0].contains("duplicate argument"));
        assert!(errs("x [a] <b>")[0].contains("cannot follow an optional"));
        assert!(errs("find<x>")[0].contains("stray"));
        assert!(errs("x <1a>")[0].contains("Rust identifier"));
        assert_eq!(
            errs("find <a <b").len(),
            2,
            "both unclosed arguments are reported"
        );
    }
}
