//! Custom facts (`[facts.NAME]` / `fact "NAME"`), checked into what the probe runs
//! ([`crate::facts::Custom`]): a word for a name, once in the whole project; a command
//! that is shell, not a template (facts are gathered before anything is rendered, so it
//! is the same on every host); a known parse kind; for `regex`, a `pattern` of kiln's
//! dialect.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::facts::{Custom, PARSE_KINDS, Parse};
use crate::model::{FactDecl, Value};
use crate::shell::UserShell;
use crate::source::{SourceMap, Span, Spanned};
use crate::syntax::to_model::unknown_key;

const FACT_KEYS: &[&str] = &["command", "parse", "pattern"];

/// The project's custom facts, each declaration checked; a failed one is left out.
pub fn custom_facts(
    sources: &SourceMap,
    decls: &[FactDecl],
    diagnostics: &mut Diagnostics,
) -> Vec<Custom> {
    let mut first: HashMap<&str, Span> = HashMap::new();
    let mut facts = Vec::new();
    for decl in decls {
        let name = &decl.name;
        if let Some(&span) = first.get(name.value.as_str()) {
            // The same declaration, in a file included more than once, is one fact.
            if span != name.span {
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        name.span,
                        format!("the custom fact `{}` is declared twice", name.value),
                    )
                    .label("declared again here")
                    .with_label(span, "first declared here")
                    .help("rename one of them"),
                );
            }
            continue;
        }
        first.insert(&name.value, name.span);
        if let Some(fact) = custom_fact(sources, decl, diagnostics) {
            facts.push(fact);
        }
    }
    facts
}

fn custom_fact(
    sources: &SourceMap,
    decl: &FactDecl,
    diagnostics: &mut Diagnostics,
) -> Option<Custom> {
    let mut ok = is_word(&decl.name, diagnostics);
    let (mut command, mut parse, mut pattern) = (None, None, None);
    for (key, value) in &decl.args {
        let slot = match key.value.as_str() {
            "command" => &mut command,
            "parse" => &mut parse,
            "pattern" => &mut pattern,
            _ => {
                unknown_key(key, FACT_KEYS, "a custom fact", diagnostics);
                ok = false;
                continue;
            }
        };
        match &value.value {
            Value::Str(s) => *slot = Some(Spanned::new(s.clone(), value.span)),
            _ => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::WrongType,
                        value.span,
                        format!("`{}` is a string", key.value),
                    )
                    .label("not a string"),
                );
                ok = false;
            }
        }
    }
    let Some(command) = command else {
        diagnostics.push(
            Diagnostic::new(
                Code::MissingArgument,
                decl.span,
                "a custom fact needs a `command`",
            )
            .label("no `command`")
            .help("the shell command whose output is the fact, e.g. `command = \"ssh -V 2>&1\"`"),
        );
        return None;
    };
    if ["{{", "{%"].iter().any(|t| command.value.contains(t)) {
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, command.span, "a custom fact's command is not a template")
                .label("template syntax here")
                .help("facts are gathered before anything is rendered, by the same command on every host: write the shell itself"),
        );
        ok = false;
    }
    let kind = parse.as_ref().map_or("raw", |p| p.value.as_str());
    let parse = match (kind, pattern) {
        ("regex", Some(pattern)) => regex(sources, &pattern, diagnostics).map(Parse::Regex),
        ("regex", None) => {
            let at = parse.as_ref().map_or(decl.span, |p| p.span);
            diagnostics.push(
                Diagnostic::new(Code::MissingArgument, at, "`parse = \"regex\"` needs a `pattern`")
                    .label("no `pattern`")
                    .help("the pattern whose group 1 (or whole match) is the fact, e.g. `pattern = \"OpenSSH_([0-9.]+)\"`"),
            );
            None
        }
        (_, Some(pattern)) if PARSE_KINDS.contains(&kind) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::ConflictingArguments,
                    pattern.span,
                    format!("`pattern` is for `parse = \"regex\"`, not `{kind}`"),
                )
                .label("unused")
                .help("remove `pattern`, or parse with `regex`"),
            );
            None
        }
        ("raw", None) => Some(Parse::Raw),
        ("lines", None) => Some(Parse::Lines),
        ("key_value", None) => Some(Parse::KeyValue),
        ("json", None) => Some(Parse::Json),
        (other, _) => {
            let at = parse.as_ref().map_or(decl.span, |p| p.span);
            let diagnostic = Diagnostic::new(
                Code::InvalidValue,
                at,
                format!("`{other}` is not a way to parse a fact"),
            )
            .label("unknown parse kind");
            diagnostics.push(match did_you_mean(other, PARSE_KINDS.iter().copied()) {
                Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
                None => diagnostic.help(format!(
                    "expected one of {}",
                    crate::diagnostic::quoted_list(PARSE_KINDS)
                )),
            });
            None
        }
    };
    let parse = parse?;
    ok.then(|| Custom {
        name: decl.name.value.clone(),
        command: UserShell(command.value),
        parse,
    })
}

/// Whether the name is a word that templates and `when` can write after `facts.custom.`.
fn is_word(name: &Spanned<String>, diagnostics: &mut Diagnostics) -> bool {
    let mut chars = name.value.chars();
    let word = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !word {
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, name.span, format!("`{}` is not a fact name", name.value))
                .label("not a word")
                .help("a custom fact's name is lower-case letters, digits and `_`, not starting with a digit: it is written `facts.custom.NAME`"),
        );
    }
    word
}

/// The pattern, refused where kiln's regex dialect refuses it, matched on the controller.
fn regex(
    sources: &SourceMap,
    pattern: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<regex::Regex> {
    if !super::types::valid_regex(Some(sources), &pattern.value, pattern.span, diagnostics) {
        return None;
    }
    match regex::Regex::new(&pattern.value) {
        Ok(regex) => Some(regex),
        Err(error) => {
            diagnostics.push(
                Diagnostic::new(Code::InvalidRegex, pattern.span, "this pattern cannot be matched on the controller")
                    .label(error.to_string().lines().last().unwrap_or("refused").to_owned())
                    .help("write it without this construct (`\\Z` is `$` here: a pattern is matched line by line)"),
            );
            None
        }
    }
}
