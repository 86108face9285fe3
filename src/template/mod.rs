//! Templates: the minijinja environments kiln renders with, and what counts as template
//! text.
//!
//! Checking (`check`), binding (`bind`) and the op that renders template files
//! (`files.template`) all render through [`environment`], so a filter or setting cannot differ
//! between what is checked and what runs: Ansible's white-space settings ([`syntax`]) and
//! filters, tests and lookups ([`filters`]). [`secret`] decides which rendered values are
//! secret.

mod filters;
mod python;
pub(crate) mod results;
pub mod secret;
pub(crate) mod syntax;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior};

pub(crate) use filters::LOOKUPS;
use syntax::{Setting, Syntax};

use crate::opdef::{ArgValue, OpArgs};
use crate::shell::quote;

/// Whether `s` contains template syntax at all.
pub(crate) fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// Whether `s` is one whole `{{ expression }}`, with only white space around it: such a
/// value keeps the expression's type (a list stays a list) instead of becoming text.
pub(crate) fn is_whole_expression(s: &str) -> bool {
    let trimmed = s.trim();
    trimmed
        .strip_prefix("{{")
        .and_then(|rest| rest.strip_suffix("}}"))
        .is_some_and(|inner| !inner.contains("}}") && !is_template(inner))
}

/// Whether the expression `code` (a `when`) reads the variable `name`, by minijinja's own
/// analysis (a name in a string does not count). An expression that does not parse reads
/// nothing: the checker reports it.
pub(crate) fn expression_reads(env: &Environment<'_>, code: &str, name: &str) -> bool {
    env.compile_expression(code)
        .is_ok_and(|e| e.undeclared_variables(false).contains(name))
}

/// A template environment. The shell one quotes every value it inserts, so variables in
/// commands are always single words; `| safe` opts out. Both know the `secret` filter and
/// Ansible's, and read templates with Ansible's settings ([`syntax`]).
pub(crate) fn environment(shell: bool) -> Environment<'static> {
    environment_in(shell, None)
}

/// [`environment`], its `lookup` reading relative paths from `base`.
fn environment_in(shell: bool, base: Option<PathBuf>) -> Environment<'static> {
    let mut env = Environment::new();
    secret::add_filter(&mut env);
    results::add_tests(&mut env);
    filters::add(&mut env, base);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Ansible escapes nothing, whatever a template's name (`site.html.j2`).
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_syntax(
        Syntax::default()
            .config()
            .expect("the default delimiters are valid"),
    );
    // A template that loops for ever fails instead of hanging the run.
    env.set_fuel(Some(50_000_000));
    if shell {
        env.set_formatter(|out, state, value| {
            if value.is_safe() {
                minijinja::escape_formatter(out, state, value)
            } else {
                out.write_str(&quote(&value.to_string()))?;
                Ok(())
            }
        });
    }
    env
}

/// Renders the template file `path` (its text `source`): Ansible's settings, then
/// `overrides` (`files.template`'s arguments, [`file_settings`]), then the file's own
/// `#jinja2:` header; its `lookup` reads relative paths from `base`, the directory of the
/// manifest that renders it.
pub(crate) fn render_file(
    base: Option<PathBuf>,
    path: &Path,
    source: &str,
    overrides: &[(String, Setting)],
    context: minijinja::Value,
) -> Result<String, minijinja::Error> {
    let (env, body) = file_environment(base, source, overrides)?;
    let rendered = env.render_named_str(&path.display().to_string(), body, context)?;
    Ok(syntax::keep_final_newlines(body, rendered))
}

/// The variables the template file `source` reads, read as [`render_file`] reads it; none
/// when it does not parse (rendering reports that).
pub(crate) fn file_variables(source: &str, overrides: &[(String, Setting)]) -> HashSet<String> {
    file_environment(None, source, overrides)
        .and_then(|(env, body)| Ok(env.template_from_str(body)?.undeclared_variables(false)))
        .unwrap_or_default()
}

/// The text of the template file `source` after its `#jinja2:` header, when it is read
/// with the default delimiters (neither `settings` nor the header change them); `None`
/// otherwise, or when the header is not valid (rendering reports that).
pub(crate) fn file_body<'s>(source: &'s str, settings: &[(String, Setting)]) -> Option<&'s str> {
    let header = syntax::header(source).ok()?;
    let delimiters = |(key, _): &&(String, Setting)| {
        syntax::STRINGS.contains(&key.as_str()) && key != "newline_sequence"
    };
    let own = settings
        .iter()
        .chain(&header.settings)
        .any(|s| delimiters(&s));
    (!own).then_some(header.body)
}

/// The environment a template file renders in, and its text after its header.
fn file_environment<'s>(
    base: Option<PathBuf>,
    source: &'s str,
    overrides: &[(String, Setting)],
) -> Result<(Environment<'static>, &'s str), minijinja::Error> {
    let syntax_error =
        |message: String| minijinja::Error::new(minijinja::ErrorKind::SyntaxError, message);
    let header = syntax::header(source).map_err(syntax_error)?;
    let mut syntax = Syntax::default();
    for (key, value) in overrides.iter().chain(&header.settings) {
        syntax.set(key, value.clone()).map_err(syntax_error)?;
    }
    let mut env = environment_in(false, base);
    env.set_syntax(syntax.config()?);
    env.set_formatter(python::formatter);
    Ok((env, header.body))
}

/// The settings `files.template`'s arguments give (`trim_blocks`, the delimiters, ...).
pub(crate) fn file_settings(args: &OpArgs) -> Vec<(String, Setting)> {
    syntax::FLAGS
        .iter()
        .chain(syntax::STRINGS)
        .filter_map(|name| {
            let setting = match &args.get(name)?.value {
                ArgValue::Bool(flag) => Setting::Flag(*flag),
                // `newline_sequence` is written escaped, as Ansible's is.
                ArgValue::Str(text) if *name == "newline_sequence" => {
                    Setting::Text(text.replace("\\n", "\n"))
                }
                ArgValue::Str(text) => Setting::Text(text.clone()),
                _ => return None,
            };
            Some(((*name).to_owned(), setting))
        })
        .collect()
}

/// The context a template file is rendered with: the op's `vars` on top of the context its
/// arguments were rendered with.
pub(crate) fn template_file_context(args: &OpArgs, context: &minijinja::Value) -> minijinja::Value {
    let extra: serde_json::Map<String, serde_json::Value> = match args.get("vars") {
        Some(vars) => match &vars.value {
            ArgValue::Map(entries) => entries
                .iter()
                .map(|(k, v)| {
                    let value = v.value.as_str().unwrap_or_default();
                    (k.value.clone(), serde_json::Value::from(value))
                })
                .collect(),
            _ => serde_json::Map::new(),
        },
        None => serde_json::Map::new(),
    };
    let extra = minijinja::Value::from(minijinja::value::Serde(&extra));
    // Earlier maps win: `vars` over the manifest's variables.
    minijinja::context! { ..extra, ..context.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_expressions() {
        assert!(is_whole_expression("{{ packages }}"));
        assert!(is_whole_expression("  {{- a if b else c -}}\n"));
        assert!(!is_whole_expression("{{ a }}{{ b }}"));
        assert!(!is_whole_expression("{{ a }} and {{ b }}"));
        assert!(!is_whole_expression("x {{ a }}"));
        assert!(!is_whole_expression("{% if a %}{{ a }}{% endif %}"));
        assert!(!is_whole_expression("{{}"));
    }
}
