//! What an op's templates read: the variables named by its arguments, its `name` and
//! become users, its `when` conditions, what its loops go over and their labels, a define's probe and apply, and the template file it
//! renders, by minijinja's own analysis of each ("undeclared variables"), so a word in a
//! comment, a string or a command never counts and a use is never missed because of how it
//! is spelled. Which hosts need facts ([`super::needs_facts`]) and which ops bind alike on
//! every host ([`super::shared`]) are both decided from this one answer.

use std::collections::BTreeSet;

use minijinja::Environment;

use crate::check::{OpKind, TypedOp};
use crate::source::{SourceMap, Span};
use crate::template::is_template;

/// The names `op`'s templates read; none when that cannot be known: the template file it
/// renders cannot be read, or its path is itself a template.
pub(crate) fn op_reads(
    env: &Environment<'_>,
    sources: &SourceMap,
    op: &TypedOp,
) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let mut strings = Vec::new();
    for (_, value) in op.args.iter() {
        value.value.strings(value.span, &mut strings);
    }
    let globals = &op.globals;
    for looped in &globals.loops {
        looped.over.value.strings(looped.over.span, &mut strings);
    }
    let labels = globals.loops.iter().filter_map(|l| l.label.as_ref());
    strings.extend(labels.map(|label| (label.value.as_str(), label.span)));
    let named = [&globals.name, &globals.sudo_user, &globals.su_user];
    strings.extend(
        named
            .into_iter()
            .flatten()
            .map(|s| (s.value.as_str(), s.span)),
    );
    if let OpKind::User(user) = &op.kind {
        strings.extend(
            user.probe
                .iter()
                .chain([&user.apply])
                .map(|t| (t.value.as_str(), t.span)),
        );
    }
    names.extend(strings_read(env, &strings));
    for condition in &globals.when {
        if let Ok(expression) = env.compile_expression(&condition.value) {
            names.extend(expression.undeclared_variables(false));
        }
    }
    names.extend(template_file_reads(sources, op)?);
    Some(names)
}

/// The names the templates among `strings` read.
pub(crate) fn strings_read(env: &Environment<'_>, strings: &[(&str, Span)]) -> BTreeSet<String> {
    strings
        .iter()
        .filter(|(text, _)| is_template(text))
        .flat_map(|(text, _)| template_names(env, text))
        .collect()
}

/// The names the template `text` reads; none when it does not parse (the checker reports
/// that).
fn template_names(env: &Environment<'_>, text: &str) -> BTreeSet<String> {
    env.template_from_str(text)
        .map(|t| t.undeclared_variables(false).into_iter().collect())
        .unwrap_or_default()
}

/// The names the template file the op renders reads ([`OpDef::template_file`](crate::opdef::OpDef));
/// none when that cannot be known.
fn template_file_reads(sources: &SourceMap, op: &TypedOp) -> Option<BTreeSet<String>> {
    let Some(arg) = op.kind.template_file() else {
        return Some(BTreeSet::new());
    };
    let src = op.args.str(arg)?;
    if is_template(src) {
        return None;
    }
    let dir = sources.dir_of(op.origin.file);
    let text = std::fs::read_to_string(dir.join(src)).ok()?;
    // Read with its own settings: a `#jinja2:` header may change its delimiters.
    let settings = crate::template::file_settings(&op.args);
    Some(
        crate::template::file_variables(&text, &settings)
            .into_iter()
            .collect(),
    )
}
