//! Secret values on one host: which rendered values are secret, and masking them in
//! everything kiln shows.
//!
//! A value is secret when it is a secret variable's (`secrets` in a manifest or inventory,
//! `--secrets-file`), when the template that made it names a secret variable, or when it
//! went through the `secret` filter (`{{ token | secret }}`): taint is decided per
//! template, so a value made from a secret is secret as a whole, whatever filters it went
//! through. Deciding by the names a template uses (minijinja's static analysis) rather than
//! by searching the output for secret strings means a secret cannot escape by being
//! transformed (`| b64encode`, `| upper`).
//!
//! [`Secrets`] holds the secret strings of one host, to mask in text made on the host or
//! from its values (relayed output, diagnostics), as a last line of defence.

use std::collections::BTreeSet;

use minijinja::{Environment, State, Value};

use crate::diagnostic::Diagnostic;
use crate::opdef::ArgValue;

/// What a masked value shows instead.
pub const MASK: &str = "***";

/// The template state entry the `secret` filter sets.
const FILTERED: &str = "kiln-secret";

/// Registers the `secret` filter: the value unchanged, the template's result secret.
pub fn add_filter(env: &mut Environment<'_>) {
    env.add_filter("secret", |state: &mut State<'_, '_>, value: Value| {
        state.set_temp(FILTERED, Value::from(true));
        value
    });
}

/// Renders `text` with `context`: the result, and whether it is secret (the template names
/// one of `secret_names`, or uses the `secret` filter). Output past `limit` bytes stops the
/// rendering with an error of kind `WriteFailure` (see [`super::template_error`]).
pub fn render(
    env: &Environment<'_>,
    text: &str,
    context: &Value,
    secret_names: &BTreeSet<String>,
    limit: usize,
) -> Result<(String, bool), minijinja::Error> {
    let template = env.template_from_str(text)?;
    let mut out = Bounded {
        bytes: Vec::new(),
        limit,
    };
    let captured = template.render_captured_to(context, &mut out)?;
    let filtered = captured.state().get_temp(FILTERED).is_some();
    let secret = filtered || names_any(&template, secret_names);
    // minijinja writes whole UTF-8 strings; the limit refuses a write rather than cut one.
    let rendered = String::from_utf8(out.bytes).expect("minijinja writes UTF-8");
    Ok((super::syntax::keep_final_newlines(text, rendered), secret))
}

/// A buffer that refuses to grow past `limit` bytes.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.limit {
            return Err(std::io::Error::other("the rendered value is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `template` names one of `names`.
pub fn names_any(template: &minijinja::Template<'_, '_>, names: &BTreeSet<String>) -> bool {
    !names.is_empty()
        && template
            .undeclared_variables(false)
            .iter()
            .any(|name| names.contains(name))
}

/// The secret strings of one host, masked as `***` wherever kiln shows text that could
/// hold them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Secrets {
    /// Longest first, so a secret that contains another is masked whole.
    strings: Vec<String>,
}

impl Secrets {
    /// Adds every string and number in a variable's value.
    pub fn add_json(&mut self, value: &serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.add(s),
            serde_json::Value::Number(n) => self.add(&n.to_string()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| self.add_json(i)),
            serde_json::Value::Object(map) => map.values().for_each(|v| self.add_json(v)),
            serde_json::Value::Bool(_) | serde_json::Value::Null => {}
        }
    }

    /// Adds every string and number in an argument's value.
    pub fn add_arg(&mut self, value: &ArgValue) {
        match value {
            ArgValue::Str(s) => self.add(s),
            ArgValue::Int(i) => self.add(&i.to_string()),
            ArgValue::List(items) => items.iter().for_each(|i| self.add_arg(&i.value)),
            ArgValue::Map(entries) => entries.iter().for_each(|(_, v)| self.add_arg(&v.value)),
            ArgValue::Bool(_) => {}
        }
    }

    /// Adds `secret`, and each line of a multi-line one (a key file's lines may be shown
    /// one by one).
    pub fn add(&mut self, secret: &str) {
        let lines = secret.lines().map(str::trim).filter(|l| l.len() >= 4);
        let parts = std::iter::once(secret).chain(lines.filter(|l| *l != secret));
        for part in parts.filter(|p| !p.is_empty()) {
            if let Err(at) = self
                .strings
                .binary_search_by(|s| part.len().cmp(&s.len()).then_with(|| s.as_str().cmp(part)))
            {
                self.strings.insert(at, part.to_owned());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// `text` with every secret in it replaced by `***`.
    pub fn mask(&self, text: &str) -> String {
        let mut masked = text.to_owned();
        for secret in &self.strings {
            if masked.contains(secret.as_str()) {
                masked = masked.replace(secret.as_str(), MASK);
            }
        }
        masked
    }

    /// A diagnostic with every secret in its texts masked.
    pub fn mask_diagnostic(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        if self.is_empty() {
            return diagnostic;
        }
        diagnostic.message = self.mask(&diagnostic.message);
        for label in &mut diagnostic.labels {
            label.text = self.mask(&label.text);
        }
        diagnostic.help = diagnostic.help.map(|help| self.mask(&help));
        diagnostic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment() -> Environment<'static> {
        let mut env = Environment::new();
        add_filter(&mut env);
        env
    }

    #[test]
    fn a_template_is_secret_when_it_names_a_secret_or_filters_one() {
        let env = environment();
        let context = minijinja::context! { token => "s3cr3t", site => "example.org" };
        let names: BTreeSet<String> = ["token".to_owned()].into();
        let render = |text: &str| render(&env, text, &context, &names, usize::MAX).unwrap();
        assert_eq!(render("{{ site }}"), ("example.org".into(), false));
        assert_eq!(
            render("Bearer {{ token | upper }}"),
            ("Bearer S3CR3T".into(), true),
            "transformed, still secret"
        );
        assert_eq!(
            render("{% if token %}set{% endif %}"),
            ("set".into(), true),
            "naming a secret taints, whatever the template does with it"
        );
        assert_eq!(render("{{ site | secret }}"), ("example.org".into(), true));
        assert_eq!(
            render("{% set t = site | secret %}x"),
            ("x".into(), true),
            "the filter marks the whole result, however it is used"
        );
    }

    #[test]
    fn output_past_the_limit_is_an_error() {
        let env = environment();
        let context = minijinja::context! { x => "0123456789" };
        let none = BTreeSet::new();
        assert!(render(&env, "{{ x }}{{ x }}", &context, &none, 20).is_ok());
        let error = render(&env, "{{ x }}{{ x }}{{ x }}", &context, &none, 20).unwrap_err();
        assert_eq!(error.kind(), minijinja::ErrorKind::WriteFailure);
    }

    #[test]
    fn masks_longest_first_and_each_line_of_a_multi_line_secret() {
        let mut secrets = Secrets::default();
        secrets.add_json(&serde_json::json!({ "a": "abc", "b": ["abcdef", 1234, true] }));
        secrets.add_arg(&ArgValue::Str(
            "-----BEGIN KEY-----\nMIIEpAIB\n-----END KEY-----\n".into(),
        ));
        assert_eq!(
            secrets.mask("x abcdef y abc z 1234 true"),
            "x *** y *** z *** true"
        );
        assert_eq!(secrets.mask("line: MIIEpAIB"), "line: ***");
        assert_eq!(Secrets::default().mask("abc"), "abc");
    }
}
