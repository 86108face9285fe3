//! The filters (`{{ x | upper }}`) and tests (`x is defined`) a template or `when` names:
//! each must exist in the environment binding renders with, or checking says so, pointing
//! at the name.
//!
//! minijinja looks filters and tests up only when a template runs, so a misspelt one would
//! otherwise pass `kiln check` and fail at emit for every host. Which names exist is asked
//! of the binding environment itself (the one source of truth); the lists below only
//! supply did-you-mean suggestions, and a test keeps them honest.

use std::ops::Range;

use minijinja::{Environment, ErrorKind};

use super::tokens::{Token, tokens};

/// What a name after `|` or `is` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    Filter,
    Test,
}

impl Callee {
    pub fn noun(self) -> &'static str {
        match self {
            Callee::Filter => "filter",
            Callee::Test => "test",
        }
    }

    /// The names suggested for a misspelt one.
    pub fn suggestions(self) -> &'static [&'static str] {
        match self {
            Callee::Filter => FILTERS,
            Callee::Test => TESTS,
        }
    }

    /// Whether `env` knows `name`.
    pub fn exists(self, env: &Environment<'_>, name: &str) -> bool {
        let mut state = env.empty_state();
        // Called without arguments, a known one fails for want of them (or returns), and
        // has no side effect; only an unknown one fails as unknown.
        let kind = match self {
            Callee::Filter => state.apply_filter(name, &[]).err().map(|e| e.kind()),
            Callee::Test => state.perform_test(name, &[]).err().map(|e| e.kind()),
        };
        !matches!(
            kind,
            Some(ErrorKind::UnknownFilter | ErrorKind::UnknownTest)
        )
    }
}

/// minijinja's built-in filters, and kiln's `secret`.
const FILTERS: &[&str] = &[
    "abs",
    "attr",
    "batch",
    "bool",
    "capitalize",
    "chain",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "format",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "lines",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "pprint",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "secret",
    "select",
    "selectattr",
    "slice",
    "sort",
    "split",
    "string",
    "sum",
    "title",
    "tojson",
    "trim",
    "unique",
    "upper",
    "zip",
];

/// minijinja's built-in tests.
const TESTS: &[&str] = &[
    "boolean",
    "change",
    "changed",
    "defined",
    "divisibleby",
    "endingwith",
    "eq",
    "equalto",
    "escaped",
    "even",
    "failed",
    "failure",
    "false",
    "filter",
    "float",
    "ge",
    "greaterthan",
    "gt",
    "in",
    "int",
    "integer",
    "iterable",
    "le",
    "lessthan",
    "lower",
    "lt",
    "mapping",
    "ne",
    "none",
    "number",
    "odd",
    "safe",
    "sameas",
    "sequence",
    "skip",
    "skipped",
    "startingwith",
    "string",
    "succeeded",
    "success",
    "test",
    "true",
    "undefined",
    "upper",
];

/// Each filter and test named in `text[region]`, with its byte range in `text`: the name
/// after `|`, and after `is` (or `is not`). String literals are skipped.
pub fn callees(text: &str, region: Range<usize>) -> Vec<(Callee, Range<usize>)> {
    let code = &text[region.clone()];
    let mut found = Vec::new();
    // What the next identifier names, after `|` or `is`.
    let mut expecting: Option<Callee> = None;
    for token in tokens(code) {
        expecting = match token {
            Token::Word(word) => match (expecting, &code[word.clone()]) {
                (Some(Callee::Test), "not") => Some(Callee::Test),
                (Some(callee), _) => {
                    found.push((callee, region.start + word.start..region.start + word.end));
                    None
                }
                (None, "is") => Some(Callee::Test),
                (None, _) => None,
            },
            Token::Punct('|') => Some(Callee::Filter),
            Token::Str | Token::Punct(_) => None,
        };
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(Callee, &str)> {
        callees(text, 0..text.len())
            .into_iter()
            .map(|(callee, range)| (callee, &text[range]))
            .collect()
    }

    #[test]
    fn filters_and_tests_are_found() {
        assert_eq!(
            names("x | upper|comment('#') ~ '| not' is not defined"),
            vec![
                (Callee::Filter, "upper"),
                (Callee::Filter, "comment"),
                (Callee::Test, "defined"),
            ]
        );
        assert_eq!(
            names("x is divisibleby 3"),
            vec![(Callee::Test, "divisibleby")]
        );
        assert!(names("this or island").is_empty(), "`is` is a whole word");
    }

    #[test]
    fn suggestions_exist_in_the_binding_environment() {
        let env = crate::template::environment(false);
        for callee in [Callee::Filter, Callee::Test] {
            for name in callee.suggestions() {
                assert!(callee.exists(&env, name), "{} `{name}`", callee.noun());
            }
            assert!(!callee.exists(&env, "comment"));
        }
    }
}
