//! Template and `when` checks: syntax errors and undefined variables, pointing inside the
//! string that holds them.
//!
//! Strings are minijinja templates, compiled here only to be checked (binding renders them
//! later with real values). A string with no `{{`, `{%` or `{#` is plain text and costs
//! nothing: most strings in real manifests are.

use std::collections::HashSet;

use minijinja::{Environment, UndefinedBehavior};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};

/// Whether `s` contains template syntax at all.
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// The names a template may use at one place: everything defined anywhere a value could
/// come from, plus [`BUILTIN_VARIABLES`].
pub type Known = HashSet<String>;

/// Always defined: host facts, and the host's name, address and groups.
pub const BUILTIN_VARIABLES: &[&str] = &["facts", "host"];

/// Compiles templates and expressions for checking.
pub struct TemplateChecker {
    env: Environment<'static>,
}

impl Default for TemplateChecker {
    fn default() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        TemplateChecker { env }
    }
}

impl TemplateChecker {
    /// Checks the template `text` written at `span`.
    pub fn template(
        &self,
        sources: &SourceMap,
        text: &str,
        span: Span,
        known: &Known,
        diagnostics: &mut Diagnostics,
    ) {
        if !is_template(text) {
            return;
        }
        match self.env.template_from_str(text) {
            Ok(template) => undefined(
                sources,
                template.undeclared_variables(false),
                text,
                span,
                known,
                diagnostics,
            ),
            Err(error) => diagnostics.push(syntax_error(
                sources,
                Code::TemplateSyntax,
                &error,
                text,
                span,
            )),
        }
    }

    /// Checks the `when` expression `text` written at `span`.
    pub fn expression(
        &self,
        sources: &SourceMap,
        text: &str,
        span: Span,
        known: &Known,
        diagnostics: &mut Diagnostics,
    ) {
        match self.env.compile_expression(text) {
            Ok(expression) => undefined(
                sources,
                expression.undeclared_variables(false),
                text,
                span,
                known,
                diagnostics,
            ),
            Err(error) => diagnostics.push(
                syntax_error(sources, Code::InvalidWhen, &error, text, span)
                    .help("`when` is a minijinja expression, e.g. `facts.os.family == 'debian'`"),
            ),
        }
    }
}

fn syntax_error(
    sources: &SourceMap,
    code: Code,
    error: &minijinja::Error,
    text: &str,
    span: Span,
) -> Diagnostic {
    let inner = sources.locate_within(span, text);
    let at = match (inner, error.range()) {
        (Some(inner), Some(range)) => inner.subspan(range),
        (Some(inner), None) => inner,
        (None, _) => span,
    };
    let detail = error
        .detail()
        .map(str::to_owned)
        .unwrap_or_else(|| error.kind().to_string());
    let what = if code == Code::InvalidWhen {
        "expression"
    } else {
        "template"
    };
    Diagnostic::new(code, at, format!("invalid {what}: {detail}")).label(detail)
}

fn undefined(
    sources: &SourceMap,
    used: HashSet<String>,
    text: &str,
    span: Span,
    known: &Known,
    diagnostics: &mut Diagnostics,
) {
    let mut used: Vec<String> = used
        .into_iter()
        .filter(|name| !known.contains(name))
        .collect();
    used.sort();
    for name in used {
        let at = sources
            .locate_within(span, text)
            .and_then(|inner| sources.locate_within(inner, &name))
            .unwrap_or(span);

        let diagnostic = Diagnostic::new(
            Code::UndefinedVariable,
            at,
            format!("undefined variable `{name}`"),
        )
        .label("not defined anywhere");
        let diagnostic = match crate::diagnostic::did_you_mean(
            &name,
            known.iter().map(String::as_str),
        ) {
            Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
            None => diagnostic.help(
                "define it under `vars` in the manifest or the inventory, or pass `-e NAME=VALUE`",
            ),
        };
        diagnostics.push(diagnostic);
    }
}
