//! Renderers: human (miette's graphical report), JSON, and GitHub workflow annotations.
//! All three read the same [`Diagnostic`]s; none of them decides anything.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_json::json;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// How the human renderer draws.
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

/// The graphical report of each diagnostic, in order.
pub fn human(sources: &SourceMap, diagnostics: &[Diagnostic], style: HumanStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = MietteReport::new(sources, diagnostic);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
    }
    out
}

/// `N errors, M warnings`, for the end of a human run.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning")
    )
}

/// A JSON array, one object per diagnostic, with 1-based lines and columns.
pub fn json(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let labels: Vec<serde_json::Value> = d
                .labels
                .iter()
                .map(|label| {
                    let mut location = location(sources, label.span);
                    location["label"] = json!(label.text);
                    location
                })
                .collect();
            let mut object = location(sources, d.primary_span());
            object["code"] = json!(d.code.name());
            object["severity"] = json!(d.severity.as_str());
            object["message"] = json!(d.message);
            object["help"] = json!(d.help);
            object["labels"] = json!(labels);
            object
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("JSON values always serialize")
}

fn location(sources: &SourceMap, span: Span) -> serde_json::Value {
    let (line, column) = sources.line_col(span.file, span.start as usize);
    let (end_line, end_column) = sources.line_col(span.file, span.end as usize);
    json!({
        "file": sources.file(span.file).name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

/// GitHub Actions workflow commands: `::error file=…,line=…::message`.
pub fn github(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let span = d.primary_span();
        let (line, column) = sources.line_col(span.file, span.start as usize);
        let (end_line, end_column) = sources.line_col(span.file, span.end as usize);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}\n",
            escape_property(&sources.file(span.file).name),
            escape_property(d.code.name()),
            escape_data(&message),
        ));
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A [`Diagnostic`] in the shape miette renders. Labels in files other than the primary
/// one become related reports, since a miette report shows one source.
#[derive(Debug)]
struct MietteReport {
    message: String,
    code: Option<&'static str>,
    severity: miette::Severity,
    help: Option<String>,
    /// `None` when the snippet cannot be drawn (see [`MAX_SNIPPET_LINE`]).
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<MietteReport>,
}

/// Lines longer than this (minified or generated input) are not drawn: the report names the
/// position instead. miette cannot lay out columns past 65535, and nobody can read them.
const MAX_SNIPPET_LINE: usize = 2000;

fn drawable(sources: &SourceMap, span: Span) -> bool {
    let text = &sources.file(span.file).text;
    if text.is_empty() {
        return false;
    }
    let span = sources.snap(span);
    let (start, end) = (span.start as usize, span.end as usize);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    line_end - line_start <= MAX_SNIPPET_LINE
}

impl MietteReport {
    fn new(sources: &SourceMap, diagnostic: &Diagnostic) -> Self {
        if !diagnostic.labels.iter().all(|l| drawable(sources, l.span)) {
            let span = diagnostic.primary_span();
            let (line, column) = sources.line_col(span.file, span.start as usize);
            let file = sources.file(span.file);
            // A problem with a whole file (missing, unreadable) has nothing to point into.
            let message = if file.text.is_empty() {
                diagnostic.message.clone()
            } else {
                format!("{} (at {}:{line}:{column})", diagnostic.message, file.name)
            };
            return MietteReport {
                message,
                code: Some(diagnostic.code.name()),
                severity: severity(diagnostic.severity),
                help: diagnostic.help.clone(),
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            };
        }
        let primary = diagnostic.primary_span().file;
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for label in &diagnostic.labels {
            let span = sources.snap(label.span);
            let labeled = LabeledSpan::new_with_span(
                (!label.text.is_empty()).then(|| label.text.clone()),
                source_span(span),
            );
            if label.span.file == primary {
                labels.push(labeled);
            } else {
                related.push(MietteReport {
                    message: label.text.clone(),
                    code: None,
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(named_source(sources, label.span)),
                    labels: vec![LabeledSpan::new_with_span(None, source_span(span))],
                    related: Vec::new(),
                });
            }
        }
        MietteReport {
            message: diagnostic.message.clone(),
            code: Some(diagnostic.code.name()),
            severity: severity(diagnostic.severity),
            help: diagnostic.help.clone(),
            source: Some(named_source(sources, diagnostic.primary_span())),
            labels,
            related,
        }
    }
}

fn severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    }
}

fn named_source(sources: &SourceMap, span: Span) -> NamedSource<Arc<str>> {
    let file = sources.file(span.file);
    NamedSource::new(&file.name, file.text.clone())
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new(
        (span.start as usize).into(),
        (span.end - span.start) as usize,
    )
}

impl fmt::Display for MietteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport {}

impl miette::Diagnostic for MietteReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}
