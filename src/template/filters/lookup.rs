//! `lookup('file', path)`, `lookup('env', 'NAME')` and `lookup('template', path)`, read on
//! the controller as the template renders, as Ansible's lookups of those names (also spelt
//! `ansible.builtin.file`, ...).
//!
//! A relative path is relative to the directory of the manifest whose op renders the
//! template (as `files.template`'s `src` is); in a string argument, where the renderer does
//! not know that directory, only an absolute path is read. A file that cannot be read fails
//! the render, naming it.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, State};

use super::invalid;

/// The lookups there are, for `kiln check`'s unknown-lookup diagnostic.
pub(crate) const LOOKUPS: &[&str] = &["env", "file", "template"];

/// How deep `lookup('template')` may nest: a template that looks itself up stops here.
const MAX_DEPTH: u32 = 16;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

pub(super) fn add(env: &mut Environment<'static>, base: Option<PathBuf>) {
    env.add_function(
        "lookup",
        move |state: &State<'_, '_>, name: String, terms: &[Value], kwargs: Kwargs| {
            let name = name.strip_prefix("ansible.builtin.").unwrap_or(&name);
            let terms: Vec<String> = terms.iter().map(ToString::to_string).collect();
            let found = match name {
                "env" => env_lookup(&terms, &kwargs)?,
                "file" => {
                    let mut texts = Vec::new();
                    for term in &terms {
                        texts.push(file_lookup(base.as_deref(), term, &kwargs)?);
                    }
                    texts
                }
                "template" => {
                    let mut texts = Vec::new();
                    for term in &terms {
                        texts.push(template_lookup(state, base.as_deref(), term)?);
                    }
                    texts
                }
                other => {
                    return Err(invalid(format!(
                        "unknown lookup `{other}`: the lookups are {}",
                        LOOKUPS.join(", ")
                    )));
                }
            };
            kwargs.assert_all_used()?;
            // Several terms give their results joined by `,`, as Ansible's `lookup` does.
            Ok::<_, Error>(Value::from(found.join(",")))
        },
    );
}

/// Each variable's value, or `default` (`''` unless given) when it is not set.
fn env_lookup(terms: &[String], kwargs: &Kwargs) -> Result<Vec<String>, Error> {
    let default = kwargs.get::<Option<String>>("default")?.unwrap_or_default();
    Ok(terms
        .iter()
        .map(|name| std::env::var(name).unwrap_or_else(|_| default.clone()))
        .collect())
}

fn read(base: Option<&Path>, term: &str, what: &str) -> Result<(PathBuf, String), Error> {
    let path = Path::new(term);
    let path = match base {
        _ if path.is_absolute() => path.to_path_buf(),
        Some(base) => base.join(path),
        None => {
            return Err(invalid(format!(
                "lookup('{what}', '{term}'): a relative path is read from the manifest's directory \
                 only in template files (`files.template`); here write an absolute path"
            )));
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|error| {
        invalid(format!(
            "lookup('{what}'): cannot read {}: {error}",
            path.display()
        ))
    })?;
    Ok((path, text))
}

/// The file's text, trailing white space removed (Ansible's `rstrip`, on by default).
fn file_lookup(base: Option<&Path>, term: &str, kwargs: &Kwargs) -> Result<String, Error> {
    let rstrip = kwargs.get::<Option<bool>>("rstrip")?.unwrap_or(true);
    let lstrip = kwargs.get::<Option<bool>>("lstrip")?.unwrap_or(false);
    let (_, text) = read(base, term, "file")?;
    let text = if rstrip { text.trim_end() } else { &text };
    Ok(if lstrip { text.trim_start() } else { text }.to_owned())
}

/// The template file rendered as a template file (Ansible's settings, its own header) with
/// the variables of the template that looks it up.
fn template_lookup(
    state: &State<'_, '_>,
    base: Option<&Path>,
    term: &str,
) -> Result<String, Error> {
    let (path, source) = read(base, term, "template")?;
    let context: std::collections::BTreeMap<String, Value> = state
        .known_variables()
        .into_iter()
        .filter_map(|name| Some((name.to_string(), state.lookup(&name)?)))
        .collect();
    let depth = DEPTH.with(|depth| depth.replace(depth.get() + 1));
    let rendered = if depth >= MAX_DEPTH {
        Err(invalid(format!(
            "lookup('template'): more than {MAX_DEPTH} templates deep"
        )))
    } else {
        let nested = base.map(Path::to_path_buf);
        crate::template::render_file(nested, &path, &source, &[], Value::from(context))
            .map_err(|error| invalid(format!("lookup('template', '{term}'): {error}")))
    };
    DEPTH.with(|depth| depth.set(depth.get() - 1));
    rendered
}
