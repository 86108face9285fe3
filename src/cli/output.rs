//! Printing diagnostics in the chosen format, and the exit code they imply.

use super::{out, outln};
use std::io::IsTerminal;

use crate::diagnostic::render::{self, HumanStyle};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

use super::Format;

/// Prints `diagnostics` (sorted) and returns them for the caller's summary.
pub(super) fn print(sources: &SourceMap, diagnostics: &[Diagnostic], format: Format) {
    match format {
        Format::Human => {
            let stderr = std::io::stderr();
            let color =
                stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(100);
            eprint!(
                "{}",
                render::human(sources, diagnostics, HumanStyle { color, width })
            );
        }
        Format::Json => outln!("{}", render::json(sources, diagnostics)),
        Format::Github => out!("{}", render::github(sources, diagnostics)),
    }
}

/// 1 if there are errors, or warnings under `deny_warnings`; else 0.
pub(super) fn exit_code(diagnostics: &[Diagnostic], deny_warnings: bool) -> u8 {
    let failing = diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    });
    u8::from(failing)
}
