//! Template and `when` checks: syntax errors and undefined variables, pointing inside the
//! string that holds them.
//!
//! Strings are minijinja templates, compiled here only to be checked (binding renders them
//! later with real values). A string with no `{{`, `{%` or `{#` is plain text and costs
//! nothing: most strings in real manifests are.

use std::collections::HashSet;
use std::ops::Range;

use minijinja::Environment;

use super::filters;
use super::tokens::{Token, tokens};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};
use crate::template::is_template;

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
    /// Checks against the environment binding renders with: the same filters and tests.
    fn default() -> Self {
        TemplateChecker {
            env: crate::template::environment(false),
        }
    }
}

impl TemplateChecker {
    /// Checks the template `text` written at `span`. `included` is the include that brought
    /// the file in, when the file is included more than once: whether a variable is defined
    /// then depends on the inclusion, and undefined-variable errors point at it.
    pub fn template(
        &self,
        sources: &SourceMap,
        text: &str,
        span: Span,
        known: &Known,
        included: Option<Span>,
        diagnostics: &mut Diagnostics,
    ) {
        if !is_template(text) {
            return;
        }
        let written = Written {
            text,
            span,
            expression: false,
        };
        match self.env.template_from_str(text) {
            Ok(template) => {
                self.unknown_callees(sources, &written, diagnostics);
                Self::relative_lookups(sources, &written, diagnostics);
                undefined(
                    sources,
                    self.variables(template.undeclared_variables(false)),
                    written,
                    known,
                    included,
                    diagnostics,
                );
            }
            Err(error) => diagnostics.push(
                syntax_error(sources, Code::TemplateSyntax, &error, text, span).help(
                    "strings are minijinja templates: `{{ expr }}`, `{% if cond %}...{% endif %}`; \
                     write `{{ '{{' }}` for a literal `{{`",
                ),
            ),
        }
    }

    /// The variables the template `text` names (none when it does not compile: that is
    /// reported by [`TemplateChecker::template`]).
    pub fn names(&self, text: &str) -> HashSet<String> {
        if !is_template(text) {
            return HashSet::new();
        }
        self.env
            .template_from_str(text)
            .map(|template| template.undeclared_variables(false))
            .unwrap_or_default()
    }

    /// Checks the `when` expression `text` written at `span` (`included` as for
    /// [`TemplateChecker::template`]).
    pub fn expression(
        &self,
        sources: &SourceMap,
        text: &str,
        span: Span,
        known: &Known,
        included: Option<Span>,
        diagnostics: &mut Diagnostics,
    ) {
        let written = Written {
            text,
            span,
            expression: true,
        };
        match self.env.compile_expression(text) {
            Ok(expression) => {
                self.unknown_callees(sources, &written, diagnostics);
                Self::relative_lookups(sources, &written, diagnostics);
                undefined(
                    sources,
                    self.variables(expression.undeclared_variables(false)),
                    written,
                    known,
                    included,
                    diagnostics,
                );
            }
            Err(error) => {
                let at = error.range().and_then(|r| text.get(r)).unwrap_or_default();
                let help = if text.trim_start().starts_with("{{") {
                    "`when` is an expression already: leave out the `{{ }}`"
                } else if at == "=" {
                    "to compare, write `==`"
                } else {
                    "`when` is a minijinja expression, e.g. `facts.os.family == 'debian'`"
                };
                diagnostics
                    .push(syntax_error(sources, Code::InvalidWhen, &error, text, span).help(help));
            }
        }
    }
}

impl TemplateChecker {
    /// The names among `used` that are variables: not the environment's global functions
    /// (`range`, `dict`, `namespace`), which minijinja lists with them.
    fn variables(&self, mut used: HashSet<String>) -> HashSet<String> {
        for (global, _) in self.env.globals() {
            used.remove(global);
        }
        used
    }

    /// Reports each relative path a `lookup` in `written` is given: it would fail for every
    /// host when the string renders.
    fn relative_lookups(sources: &SourceMap, written: &Written<'_>, diagnostics: &mut Diagnostics) {
        let text = written.text;
        for region in code_regions(text, written.expression) {
            for range in filters::relative_lookup_paths(text, region) {
                let at = locate(sources, written.span, text, range).unwrap_or(written.span);
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        at,
                        "a relative path in a lookup of a string argument",
                    )
                    .label("no directory to read it from")
                    .help(
                        "write an absolute path, or render a template file with `files.template`: \
                             there a relative path is read from the manifest's directory",
                    ),
                );
            }
        }
    }

    /// Reports each filter, test and lookup in `written` that the binding environment lacks.
    fn unknown_callees(
        &self,
        sources: &SourceMap,
        written: &Written<'_>,
        diagnostics: &mut Diagnostics,
    ) {
        let text = written.text;
        for (callee, range) in self.unknown(text, written.expression) {
            let name = &text[range.clone()];
            let at = locate(sources, written.span, text, range).unwrap_or(written.span);
            let noun = callee.noun();
            diagnostics.push(unknown_callee(
                Diagnostic::new(Code::UnknownFilter, at, format!("unknown {noun} `{name}`")),
                callee,
                name,
            ));
        }
    }

    /// The filters, tests and lookups `text` calls that the binding environment lacks.
    fn unknown(&self, text: &str, expression: bool) -> Vec<(filters::Callee, Range<usize>)> {
        code_regions(text, expression)
            .into_iter()
            .flat_map(|region| filters::callees(text, region))
            .filter(|(callee, range)| !callee.exists(&self.env, &text[range.clone()]))
            .collect()
    }

    /// Checks the template file `name` (`source`, its text, read with `settings`) of the op
    /// argument at `at`, which diagnostics point at, naming the place in the file: its
    /// syntax, and that every filter, test and lookup it calls exists. A file that sets its
    /// own delimiters is checked when it renders.
    pub(crate) fn template_file(
        &self,
        (name, source): (&str, &str),
        settings: &[(String, crate::template::syntax::Setting)],
        at: Span,
        diagnostics: &mut Diagnostics,
    ) {
        let Some(body) = crate::template::file_body(source, settings) else {
            return;
        };
        let place = |offset: usize| {
            let before = &source[..offset];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{name}:{line}:{col}")
        };
        let header = source.len() - body.len();
        if let Err(error) = self.env.template_from_str(body) {
            let offset = error.range().map_or(0, |r| r.start);
            diagnostics.push(
                Diagnostic::new(
                    Code::TemplateSyntax,
                    at,
                    format!(
                        "invalid template at {}: {}",
                        place(header + offset),
                        detail(&error)
                    ),
                )
                .label("this template")
                .help(
                    "template files are minijinja (Jinja2) templates, read with Ansible's settings",
                ),
            );
            return;
        }
        for (callee, range) in self.unknown(body, false) {
            let called = &body[range.clone()];
            let noun = callee.noun();
            let message = format!(
                "unknown {noun} `{called}` at {}",
                place(header + range.start)
            );
            diagnostics.push(unknown_callee(
                Diagnostic::new(Code::UnknownFilter, at, message),
                callee,
                called,
            ));
        }
    }
}

/// `diagnostic`, about the unknown `callee` `name`, with its label and a did-you-mean.
fn unknown_callee(diagnostic: Diagnostic, callee: filters::Callee, name: &str) -> Diagnostic {
    let noun = callee.noun();
    let diagnostic = diagnostic.label(format!("no such {noun}"));
    match crate::diagnostic::did_you_mean(name, callee.suggestions().iter().copied()) {
        Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
        None => diagnostic.help(format!(
            "the {noun}s kiln knows are listed in docs/templates.md"
        )),
    }
}

fn syntax_error(
    sources: &SourceMap,
    code: Code,
    error: &minijinja::Error,
    text: &str,
    span: Span,
) -> Diagnostic {
    let at = error
        .range()
        .and_then(|range| locate(sources, span, text, range))
        .unwrap_or(span);
    let detail = detail(error);
    let what = if code == Code::InvalidWhen {
        "expression"
    } else {
        "template"
    };
    Diagnostic::new(code, at, format!("invalid {what}: {detail}")).label(detail)
}

/// What went wrong, as minijinja says it.
fn detail(error: &minijinja::Error) -> String {
    error
        .detail()
        .map(str::to_owned)
        .unwrap_or_else(|| error.kind().to_string())
}

/// A string as decoded, and the literal it was written as.
struct Written<'a> {
    text: &'a str,
    span: Span,
    /// The whole text is one expression (`when`), not a template.
    expression: bool,
}

/// Warns about each `{{ }}` inside quotes in the shell command `text` written at `span`.
pub fn lint_quoted(sources: &SourceMap, text: &str, span: Span, diagnostics: &mut Diagnostics) {
    for range in quoted_templates(text) {
        let at = locate(sources, span, text, range).unwrap_or(span);
        diagnostics.push(
            Diagnostic::new(Code::QuotedTemplate, at, "this value is quoted twice")
                .label("kiln quotes inserted values already")
                .help("remove the quotes around `{{ }}`: the value is inserted as one quoted word"),
        );
    }
}

/// Byte ranges of `{{ ... }}` in the shell command `text` that stand inside single or double
/// quotes (see `Code::QuotedTemplate`). `{{ x | safe }}` is left alone: it is code. A command
/// substitution `$( )` starts afresh, even inside double quotes: `"$(stat {{ f }})"` inserts
/// the value as a word of the inner command, unquoted by the outer quotes.
pub fn quoted_templates(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut quote: Option<u8> = None;
    // The quoting around each command substitution we are inside of.
    let mut outer: Vec<Option<u8>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") {
            let end = text[i..].find("}}").map_or(text.len(), |e| i + e + 2);
            if quote.is_some() && !text[i..end].contains("safe") {
                found.push(i..end);
            }
            i = end;
            continue;
        }
        match (quote, bytes[i]) {
            (None | Some(b'"'), b'$') if bytes.get(i + 1) == Some(&b'(') => {
                outer.push(quote);
                quote = None;
                i += 1;
            }
            (None, b')') if !outer.is_empty() => quote = outer.pop().flatten(),
            (None, b'\\') => i += 1,
            (None, q @ (b'\'' | b'"')) => quote = Some(q),
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    found
}

/// Whether `text` is written for `name` to be undefined: it tests `name is defined` (or
/// `is not defined`, `is undefined`) somewhere, or every use goes through
/// `| default(...)` (or `| d(...)`), possibly after attribute access (`name.x | default`).
/// Such a template renders with the variable left out, so leaving it out is no error.
fn guarded(text: &str, name: &str) -> bool {
    let mut uses = 0;
    let mut defaulted = 0;
    let mut tested = false;
    let mut from = 0;
    while let Some(found) = text[from..].find(name) {
        let start = from + found;
        let end = start + name.len();
        from = end;
        let before = text[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = &text[end..];
        if rest
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        uses += 1;
        // Skip attribute and item access, then look at what follows.
        let rest = rest.trim_start_matches(|c: char| c.is_alphanumeric() || "_.[]'\"".contains(c));
        let rest = rest.trim_start();
        let filter = rest.strip_prefix('|').map(str::trim_start);
        let is_default = filter.is_some_and(|f| {
            f.strip_prefix("default")
                .or_else(|| f.strip_prefix("d"))
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        });
        let test = rest.strip_prefix("is ").map(str::trim_start);
        let is_test = test.is_some_and(|t| {
            let t = t.strip_prefix("not ").map_or(t, str::trim_start);
            t.starts_with("defined") || t.starts_with("undefined")
        });
        tested |= is_test;
        if is_default {
            defaulted += 1;
        }
    }
    tested || (uses > 0 && defaulted == uses)
}

fn undefined(
    sources: &SourceMap,
    used: HashSet<String>,
    written: Written<'_>,
    known: &Known,
    included: Option<Span>,
    diagnostics: &mut Diagnostics,
) {
    let mut used: Vec<String> = used
        .into_iter()
        .filter(|name| !known.contains(name) && !guarded(written.text, name))
        .collect();
    used.sort();
    for name in used {
        let at = variable_use(written.text, &name, written.expression)
            .and_then(|range| locate(sources, written.span, written.text, range))
            .unwrap_or(written.span);
        let mut diagnostic = Diagnostic::new(
            Code::UndefinedVariable,
            at,
            format!("undefined variable `{name}`"),
        )
        .label("not defined anywhere");
        if let Some(include) = included {
            diagnostic = diagnostic.with_label(
                include,
                format!("`{name}` is not defined for the file included here"),
            );
        }
        let diagnostic = match crate::diagnostic::did_you_mean(
            &name,
            known.iter().map(String::as_str),
        ) {
            Some(best) => diagnostic.help(format!("did you mean `{best}`?")),
            None if included.is_some() => diagnostic.help(
                "pass it in this include's `vars`, or define it under `vars` in the manifest or the inventory",
            ),
            None => diagnostic.help(
                "define it under `vars` in the manifest or the inventory, or pass `-e NAME=VALUE`",
            ),
        };
        diagnostics.push(diagnostic);
    }
}

/// Where the variable `name` is used in the template `text` written at `span` (the whole
/// string when it cannot be found).
pub fn variable_span(sources: &SourceMap, text: &str, span: Span, name: &str) -> Span {
    variable_use(text, name, false)
        .and_then(|range| locate(sources, span, text, range))
        .unwrap_or(span)
}

/// Where `name` is used as a variable in `text`: a whole word inside a `{{ }}` or `{% %}`
/// tag (or anywhere in an expression), outside string literals, and not an attribute
/// (`host.name`). The plain text around tags may contain the same word.
fn variable_use(text: &str, name: &str, expression: bool) -> Option<Range<usize>> {
    code_regions(text, expression)
        .into_iter()
        .find_map(|region| word_in_code(text, region, name))
}

/// The byte ranges of `text` that are code: all of an expression, a template's tags.
fn code_regions(text: &str, expression: bool) -> Vec<Range<usize>> {
    if expression {
        std::iter::once(0..text.len()).collect()
    } else {
        tags(text)
    }
}

/// The byte ranges of the insides of `{{ }}` and `{% %}` tags (comments skipped).
pub(super) fn tags(text: &str) -> Vec<Range<usize>> {
    let mut regions = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find('{').map(|i| at + i) {
        let close = match text.get(open + 1..open + 2) {
            Some("{") => "}}",
            Some("%") => "%}",
            Some("#") => "#}",
            _ => {
                at = open + 1;
                continue;
            }
        };
        let start = open + 2;
        let end = text[start..].find(close).map_or(text.len(), |i| start + i);
        if close != "#}" {
            regions.push(start..end);
        }
        at = (end + 2).min(text.len());
    }
    regions
}

/// How many times the template `text` uses the variable `name`.
pub fn variable_uses(text: &str, name: &str) -> usize {
    code_regions(text, false)
        .into_iter()
        .map(|region| words_in_code(text, region, name).len())
        .sum()
}

/// The first use of the identifier `name` in `text[region]`, skipping string literals and
/// attributes.
fn word_in_code(text: &str, region: Range<usize>, name: &str) -> Option<Range<usize>> {
    words_in_code(text, region, name).into_iter().next()
}

/// Each use of the identifier `name` in `text[region]`, skipping string literals and
/// attributes.
fn words_in_code(text: &str, region: Range<usize>, name: &str) -> Vec<Range<usize>> {
    let code = &text[region.clone()];
    let mut found = Vec::new();
    // An identifier after `.` is an attribute, not a variable.
    let mut after_dot = false;
    for token in tokens(code) {
        if let Token::Word(word) = &token
            && &code[word.clone()] == name
            && !after_dot
        {
            found.push(region.start + word.start..region.start + word.end);
        }
        after_dot = token == Token::Punct('.');
    }
    found
}

/// The span of `range` (bytes of the decoded string `text`) in the literal written at
/// `span`. The literal may differ from the text by its quotes, escapes (`\"`, `\n`,
/// `\u{..}`), line continuations and, in KDL multi-line strings, the indentation removed
/// from every line; `None` if the two cannot be matched up.
pub(crate) fn locate(
    sources: &SourceMap,
    span: Span,
    text: &str,
    range: Range<usize>,
) -> Option<Span> {
    let literal = sources.text(span);
    if let Some(at) = literal.find(text) {
        return Some(sources.snap(span.subspan(at + range.start..at + range.end)));
    }
    // The engine's error positions may fall inside a character it does not accept.
    let range = crate::source::whole_chars(text, range);
    let offsets = align(literal, text)?;
    let start = *offsets.get(range.start)?;
    // The end of the last character in the range, so a range ending on an escape covers it.
    let end = if range.end > range.start {
        let last = text.get(..range.end)?.char_indices().next_back()?.0;
        let last_start = offsets[last];
        let last_len = escape(&literal[last_start..]).map_or_else(
            || {
                literal[last_start..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8)
            },
            |(_, len)| len,
        );
        last_start + last_len
    } else {
        start
    };
    Some(sources.snap(span.subspan(start..end.max(start))))
}

/// For each byte offset of `text` (and its end), the offset in `literal` where it was
/// written. Characters of the literal that produce nothing (quotes, indentation, line
/// continuations) are skipped; an escape matches the character it stands for.
fn align(literal: &str, text: &str) -> Option<Vec<usize>> {
    let mut offsets = vec![0; text.len() + 1];
    let mut j = 0;
    for (i, c) in text.char_indices() {
        loop {
            let rest = literal.get(j..).filter(|r| !r.is_empty())?;
            if let Some((decoded, len)) = escape(rest) {
                j += len;
                if decoded == Some(c) {
                    offsets[i..i + c.len_utf8()].fill(j - len);
                    break;
                }
                continue;
            }
            let l = rest.chars().next()?;
            j += l.len_utf8();
            if l == c {
                offsets[i..i + c.len_utf8()].fill(j - l.len_utf8());
                break;
            }
        }
    }
    offsets[text.len()] = j;
    Some(offsets)
}

/// The escape at the start of `rest` (TOML or KDL): the character it stands for (`None`
/// for a line continuation) and its length. `None` if `rest` does not start with one.
fn escape(rest: &str) -> Option<(Option<char>, usize)> {
    let mut chars = rest.strip_prefix('\\')?.chars();
    let next = chars.next()?;
    let simple = match next {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'e' => Some('\u{1b}'),
        's' => Some(' '),
        '\\' | '"' | '/' => Some(next),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((Some(c), 2));
    }
    let hex = |digits: &str| {
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
    };
    match next {
        'u' if rest[2..].starts_with('{') => {
            let close = rest.find('}')?;
            Some((hex(&rest[3..close]), close + 1))
        }
        'u' => Some((hex(rest.get(2..6)?), 6)),
        'U' => Some((hex(rest.get(2..10)?), 10)),
        'x' => Some((hex(rest.get(2..4)?), 4)),
        c if c.is_whitespace() => {
            let skipped = rest[1..].len() - rest[1..].trim_start().len();
            Some((None, 1 + skipped))
        }
        _ => None,
    }
}

/// Each attribute the template `text` (an expression with `expression`) takes of the
/// variable `name`, by its name and where it is written in `text`: `item.line`, not
/// `item.get(...)` (a method) nor `x.item.line` (an attribute of another value).
pub fn attributes_of(text: &str, name: &str, expression: bool) -> Vec<(String, Range<usize>)> {
    let mut found = Vec::new();
    for region in code_regions(text, expression) {
        let code = &text[region.clone()];
        let tokens = tokens(code);
        for (i, token) in tokens.iter().enumerate() {
            let Token::Word(word) = token else { continue };
            let after_dot = i > 0 && tokens[i - 1] == Token::Punct('.');
            if after_dot || &code[word.clone()] != name {
                continue;
            }
            if let (Some(Token::Punct('.')), Some(Token::Word(attribute))) =
                (tokens.get(i + 1), tokens.get(i + 2))
                && tokens.get(i + 3) != Some(&Token::Punct('('))
            {
                let at = region.start + attribute.start..region.start + attribute.end;
                found.push((code[attribute.clone()].to_owned(), at));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_templates_in_commands() {
        assert_eq!(quoted_templates("rm -- '{{ path }}'"), vec![7..17]);
        assert_eq!(quoted_templates("echo \"{{ a }}\" {{ b }}"), vec![6..13]);
        assert!(quoted_templates("rm -- {{ path }} 'it''s'").is_empty());
        assert!(
            quoted_templates("echo \\'{{ a }}").is_empty(),
            "an escaped quote opens nothing"
        );
        assert!(quoted_templates("echo '{{ a | safe }}'").is_empty());
        assert!(
            quoted_templates("echo \"$(stat -c %a {{ f }})\"").is_empty(),
            "a command substitution inside double quotes starts unquoted"
        );
        assert_eq!(
            quoted_templates("echo \"$(cat '{{ f }}')\" \"{{ g }}\""),
            vec![13..20, 25..32],
            "quotes inside the substitution count, and the outer ones resume after it"
        );
        assert!(quoted_templates("a=\"$(echo \"$(id {{ u }})\")\"").is_empty());
    }

    #[test]
    fn guarded_uses() {
        assert!(guarded("{{ tz | default('UTC') }}", "tz"));
        assert!(guarded("{{ tz|d('UTC') }}", "tz"));
        assert!(guarded(
            "{% if tz is defined %}{{ tz | default('') }}{% endif %}",
            "tz"
        ));
        assert!(guarded("{{ cfg.port | default(80) }}", "cfg"));
        assert!(guarded("tz is not defined or tz is undefined", "tz"));
        assert!(
            guarded("{% if tz is defined %}{{ tz }}{% endif %}", "tz"),
            "the idiom of optional variables"
        );
        assert!(
            !guarded("{{ tz | default('x') }} {{ tz }}", "tz"),
            "one use is unguarded"
        );
        assert!(!guarded("{{ tz | upper }}", "tz"));
        assert!(!guarded("{{ tz | dict }}", "tz"));
        assert!(!guarded("{{ other }}", "tz"));
    }

    #[test]
    fn variables_are_found_inside_tags() {
        let text = "owner {{ owner }} of {{ host.owner }}";
        assert_eq!(variable_use(text, "owner", false), Some(9..14));
        assert_eq!(variable_use("{{ 'x' ~ x }}", "x", false), Some(9..10));
        assert_eq!(variable_use("{{ host.x }}", "x", false), None);
        assert_eq!(variable_use("a == 'a' or a", "a", true), Some(0..1));
        assert_eq!(variable_use("'a' or a", "a", true), Some(7..8));
        assert_eq!(variable_use("{# a #}{% if a %}", "a", false), Some(13..14));
    }

    #[test]
    fn escapes_and_indentation_are_aligned() {
        // KDL `"a\"{{ x }}\""` decodes to `a"{{ x }}"`.
        let offsets = align(r#""a\"{{ x }}\"""#, "a\"{{ x }}\"").unwrap();
        assert_eq!(offsets[5], 7);
        // A dedented multi-line string.
        let literal = "\"\"\"\n    one\n      {{ x }}\n    \"\"\"";
        let offsets = align(literal, "one\n  {{ x }}").unwrap();
        assert_eq!(&literal[offsets[9]..offsets[9] + 1], "x");
    }
}
