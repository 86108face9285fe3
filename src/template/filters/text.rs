//! Filters of text and paths: `comment`, `basename`, `dirname`, `splitext`, `quote`,
//! `b64encode`, `b64decode`, and the value helpers `bool`, `ternary`, `mandatory`; each as
//! Ansible's `plugins/filter/core.py` (and Python's `posixpath`, `shlex`) computes it.

use base64::Engine;
use base64::engine::GeneralPurpose;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error};

use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("comment", comment);
    env.add_filter("basename", |path: String| {
        path.rsplit('/').next().unwrap_or_default().to_owned()
    });
    env.add_filter("dirname", |path: String| dirname(&path).to_owned());
    env.add_filter("splitext", |path: String| {
        let (root, ext) = splitext(&path);
        vec![root.to_owned(), ext.to_owned()]
    });
    env.add_filter("quote", |value: Value| {
        let text = if value.is_none() {
            String::new()
        } else {
            value.to_string()
        };
        shlex_quote(&text)
    });
    env.add_filter("b64encode", b64encode);
    env.add_filter("b64decode", b64decode);
    env.add_filter("bool", to_bool);
    env.add_filter("ternary", ternary);
    env.add_filter("mandatory", mandatory);
}

/// `posixpath.dirname`: everything before the last `/`, trailing slashes removed unless
/// that leaves nothing but slashes.
fn dirname(path: &str) -> &str {
    let head = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    if head.bytes().all(|b| b == b'/') {
        head
    } else {
        head.trim_end_matches('/')
    }
}

/// `posixpath.splitext`: the last `.` of the last component starts the extension, unless
/// only dots come before it there (`.bashrc` has none).
fn splitext(path: &str) -> (&str, &str) {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    match path.rfind('.') {
        Some(dot) if dot > name_start && path[name_start..dot].bytes().any(|b| b != b'.') => {
            path.split_at(dot)
        }
        _ => (path, ""),
    }
}

/// `shlex.quote`: unchanged when every character is safe, else single-quoted with each `'`
/// written `'"'"'`. This is template output (Ansible's text, byte for byte), not how kiln
/// puts values into its own commands (that is `shell::quote`); the result is marked safe, so
/// a shell-command argument inserts it as it is instead of quoting it twice.
fn shlex_quote(text: &str) -> Value {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    let quoted = if text.is_empty() {
        "''".to_owned()
    } else if text.chars().all(safe) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\"'\"'"))
    };
    Value::from_safe_string(quoted)
}

fn b64encode(text: String, kwargs: Kwargs) -> Result<String, Error> {
    Ok(base64_engine(&kwargs)?.encode(text.as_bytes()))
}

/// The alphabet `urlsafe=true` asks for (Ansible's argument), else the standard one.
fn base64_engine(kwargs: &Kwargs) -> Result<GeneralPurpose, Error> {
    let urlsafe: Option<bool> = kwargs.get("urlsafe")?;
    kwargs.assert_all_used()?;
    Ok(if urlsafe.unwrap_or(false) {
        URL_SAFE
    } else {
        STANDARD
    })
}

fn b64decode(text: String, kwargs: Kwargs) -> Result<String, Error> {
    let engine = base64_engine(&kwargs)?;
    let bytes = engine
        .decode(text.trim().as_bytes())
        .map_err(|error| invalid(format!("b64decode: {error}")))?;
    String::from_utf8(bytes).map_err(|_| invalid("b64decode: the decoded bytes are not UTF-8 text"))
}

/// Ansible's `bool`: `yes`, `on`, `true`, `1` (any case, or the number 1, or `true`) are
/// true; `no`, `off`, `false`, `0` false; anything else an error (Ansible deprecates
/// guessing it).
fn to_bool(value: Value) -> Result<bool, Error> {
    if value.kind() == minijinja::value::ValueKind::Bool {
        return Ok(value.is_true());
    }
    let text = value.to_string().to_lowercase();
    match text.as_str() {
        "yes" | "on" | "true" | "1" => Ok(true),
        "no" | "off" | "false" | "0" => Ok(false),
        _ => Err(invalid(format!(
            "bool: `{value}` is not yes/no, on/off, true/false or 1/0"
        ))),
    }
}

/// `value ? true_value : false_value`, and `none_value` for `none` when given.
fn ternary(value: Value, yes: Value, no: Value, none: Option<Value>) -> Value {
    match none {
        Some(none) if value.is_none() => none,
        _ if value.is_true() => yes,
        _ => no,
    }
}

/// The value, or an error when it is undefined (with `msg` when given).
fn mandatory(value: Value, msg: Option<String>) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(invalid(
            msg.unwrap_or_else(|| "Mandatory variable not defined.".to_owned()),
        ));
    }
    Ok(value)
}

/// Ansible's `comment` styles: (beginning, decoration, end).
const STYLES: &[(&str, &str, &str, &str)] = &[
    ("plain", "", "# ", ""),
    ("erlang", "", "% ", ""),
    ("c", "", "// ", ""),
    ("cblock", "/*", " * ", " */"),
    ("xml", "<!--", " - ", "-->"),
];

/// Ansible's `comment`: the text as a comment block, each line decorated, between a
/// prefix and a postfix line (the decoration without its trailing space).
fn comment(text: String, style: Option<String>, kwargs: Kwargs) -> Result<String, Error> {
    let style = style.unwrap_or_else(|| "plain".to_owned());
    let Some(&(_, beginning, decoration, end)) = STYLES.iter().find(|s| s.0 == style) else {
        let names: Vec<&str> = STYLES.iter().map(|s| s.0).collect();
        return Err(invalid(format!(
            "comment: invalid style `{style}`; the styles are {}",
            names.join(", ")
        )));
    };
    let text_or = |key: &str, default: &str| -> Result<String, Error> {
        Ok(kwargs
            .get::<Option<String>>(key)?
            .unwrap_or_else(|| default.to_owned()))
    };
    let newline = text_or("newline", "\n")?;
    let beginning = text_or("beginning", beginning)?;
    let decoration = text_or("decoration", decoration)?;
    // The prefix and postfix lines are the decoration without its trailing space.
    let prefix = text_or("prefix", decoration.trim_end())?;
    let postfix = text_or("postfix", decoration.trim_end())?;
    let end = text_or("end", end)?;
    let prefix_count = kwargs.get::<Option<usize>>("prefix_count")?.unwrap_or(1);
    let postfix_count = kwargs.get::<Option<usize>>("postfix_count")?.unwrap_or(1);
    kwargs.assert_all_used()?;

    let mut out = String::new();
    if !beginning.is_empty() {
        out.push_str(&beginning);
        out.push_str(&newline);
    }
    if !prefix.is_empty() {
        let one = if prefix == newline {
            newline.clone()
        } else {
            format!("{prefix}{newline}")
        };
        out.push_str(&one.repeat(prefix_count));
    }
    let decorated = format!(
        "{decoration}{}",
        text.replace(&newline, &format!("{newline}{decoration}"))
    );
    out.push_str(&decorated.replace(
        &format!("{decoration}{newline}"),
        &format!("{}{newline}", decoration.trim_end()),
    ));
    for _ in 0..postfix_count {
        out.push_str(&newline);
        out.push_str(&postfix);
    }
    if !end.is_empty() {
        out.push_str(&newline);
        out.push_str(&end);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_posixpath() {
        assert_eq!(dirname("/etc/ssh/sshd_config"), "/etc/ssh");
        assert_eq!(dirname("/etc"), "/");
        assert_eq!(dirname("//x"), "//");
        assert_eq!(dirname("a"), "");
        assert_eq!(splitext("/a/b.tar.gz"), ("/a/b.tar", ".gz"));
        assert_eq!(splitext("/a/.bashrc"), ("/a/.bashrc", ""));
        assert_eq!(splitext("a.d/b"), ("a.d/b", ""));
    }

    #[test]
    fn quote_as_shlex() {
        assert_eq!(shlex_quote("a-b/c.d").to_string(), "a-b/c.d");
        assert_eq!(shlex_quote("").to_string(), "''");
        assert_eq!(shlex_quote("it's").to_string(), "'it'\"'\"'s'");
    }
}
