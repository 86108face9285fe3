//! The filters (`{{ x | upper }}`), tests (`x is defined`) and lookups (`lookup('file',
//! ...)`) a template or `when` names: each must exist in the environment binding renders
//! with, or checking says so, pointing at the name.
//!
//! minijinja looks filters and tests up only when a template runs, so a misspelt one would
//! otherwise pass `kiln check` and fail at emit for every host. Which filters and tests
//! exist is asked of the binding environment itself (the one source of truth); the lists
//! below only supply did-you-mean suggestions, and a test keeps them honest. A lookup's name
//! is a string argument, checked against `crate::template::LOOKUPS`.

use std::ops::Range;

use minijinja::{Environment, ErrorKind};

use super::tokens::{Token, tokens};

/// What a name after `|` or `is` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    Filter,
    Test,
    Lookup,
}

impl Callee {
    pub fn noun(self) -> &'static str {
        match self {
            Callee::Filter => "filter",
            Callee::Test => "test",
            Callee::Lookup => "lookup",
        }
    }

    /// The names suggested for a misspelt one.
    pub fn suggestions(self) -> &'static [&'static str] {
        match self {
            Callee::Filter => FILTERS,
            Callee::Test => TESTS,
            Callee::Lookup => crate::template::LOOKUPS,
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
            // A lookup is one function, `lookup`, whose first argument names it.
            Callee::Lookup => {
                let name = name.strip_prefix("ansible.builtin.").unwrap_or(name);
                return crate::template::LOOKUPS.contains(&name);
            }
        };
        !matches!(
            kind,
            Some(ErrorKind::UnknownFilter | ErrorKind::UnknownTest)
        )
    }
}

/// minijinja's built-in filters, minijinja-contrib's, kiln's `secret` and Ansible's
/// (`crate::template::filters`).
const FILTERS: &[&str] = &[
    "abs",
    "attr",
    "b64decode",
    "b64encode",
    "basename",
    "batch",
    "bool",
    "capitalize",
    "chain",
    "combine",
    "comment",
    "count",
    "d",
    "default",
    "dict2items",
    "dictsort",
    "difference",
    "dirname",
    "e",
    "escape",
    "filesizeformat",
    "first",
    "flatten",
    "float",
    "format",
    "from_json",
    "from_yaml",
    "groupby",
    "hash",
    "indent",
    "int",
    "intersect",
    "items",
    "items2dict",
    "join",
    "last",
    "length",
    "lines",
    "list",
    "lower",
    "mandatory",
    "map",
    "max",
    "min",
    "password_hash",
    "pluralize",
    "pprint",
    "quote",
    "regex_escape",
    "regex_findall",
    "regex_replace",
    "regex_search",
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
    "splitext",
    "string",
    "striptags",
    "sum",
    "symmetric_difference",
    "ternary",
    "title",
    "to_json",
    "to_nice_json",
    "to_nice_yaml",
    "to_uuid",
    "to_yaml",
    "tojson",
    "trim",
    "truncate",
    "union",
    "unique",
    "upper",
    "zip",
];

/// minijinja's built-in tests, and Ansible's `version`.
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
    "version",
    "version_compare",
];

/// Each filter, test and lookup named in `text[region]`, with its byte range in `text`: the
/// name after `|`, after `is` (or `is not`), and the string that starts the arguments of
/// `lookup(` (without its quotes). Other string literals are skipped.
pub fn callees(text: &str, region: Range<usize>) -> Vec<(Callee, Range<usize>)> {
    let code = &text[region.clone()];
    let mut found = Vec::new();
    // What the next identifier names, after `|` or `is`.
    let mut expecting: Option<Callee> = None;
    let tokens = tokens(code);
    for (at, token) in tokens.iter().enumerate() {
        if let [Token::Word(word), Token::Punct('('), Token::Str(name), ..] = &tokens[at..]
            && &code[word.clone()] == "lookup"
            && name.len() >= 2
        {
            let inner = name.start + 1..name.end - 1;
            found.push((
                Callee::Lookup,
                region.start + inner.start..region.start + inner.end,
            ));
        }
        expecting = match token.clone() {
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
            Token::Str(_) | Token::Punct(_) => None,
        };
    }
    found
}

/// The relative paths in `text[region]` that `lookup('file', ...)` or `lookup('template',
/// ...)` is given as a literal, by their byte range in `text` (without quotes). In a string
/// argument these cannot be read: the renderer knows the manifest's directory only for
/// template files.
pub fn relative_lookup_paths(text: &str, region: Range<usize>) -> Vec<Range<usize>> {
    let code = &text[region.clone()];
    let tokens = tokens(code);
    let mut found = Vec::new();
    for at in 0..tokens.len() {
        if let [
            Token::Word(word),
            Token::Punct('('),
            Token::Str(name),
            Token::Punct(','),
            Token::Str(path),
            ..,
        ] = &tokens[at..]
            && &code[word.clone()] == "lookup"
            && ["file", "template"].contains(&code[name.clone()].trim_matches(['\'', '"']))
            && path.len() >= 2
            && !code[path.start + 1..].starts_with('/')
        {
            found.push(region.start + path.start + 1..region.start + path.end - 1);
        }
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
            names("lookup('fiel', 'a') ~ lookup(x) ~ 'lookup(\\'y\\')'"),
            vec![(Callee::Lookup, "fiel")]
        );
        assert_eq!(
            names("x is divisibleby 3"),
            vec![(Callee::Test, "divisibleby")]
        );
        assert!(names("this or island").is_empty(), "`is` is a whole word");
    }

    #[test]
    fn relative_lookup_paths_are_found() {
        let text = "{{ lookup('file', 'a/b') ~ lookup('file', '/abs') ~ lookup('env', 'HOME') }}";
        let found: Vec<&str> = relative_lookup_paths(text, 0..text.len())
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(found, ["a/b"]);
    }

    #[test]
    fn suggestions_exist_in_the_binding_environment() {
        let env = crate::template::environment(false);
        for callee in [Callee::Filter, Callee::Test, Callee::Lookup] {
            for name in callee.suggestions() {
                assert!(callee.exists(&env, name), "{} `{name}`", callee.noun());
            }
            assert!(!callee.exists(&env, "fiel"));
        }
    }
}
