//! Reading a manifest or inventory file into the [`SourceMap`], with the diagnostics a
//! missing or non-UTF-8 file gets.

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};

/// `path` as diagnostics show file names: without a leading `./`.
pub(crate) fn shown(path: &Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

/// Reads `path` into the source map, reporting I/O errors at `from` (or on their own).
pub(crate) fn read_source(
    sources: &mut SourceMap,
    path: &Path,
    from: Option<Span>,
    diagnostics: &mut Diagnostics,
) -> Option<FileId> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(sources.add(path, text)),
            Err(_) => {
                let file = sources.add(path, String::new());
                diagnostics.push(
                    Diagnostic::new(
                        Code::Io,
                        from.unwrap_or(Span::new(file, 0..0)),
                        format!("{} is not UTF-8 text", shown(path)),
                    )
                    .label("cannot read this file")
                    .help("manifests and inventories are UTF-8 text"),
                );
                None
            }
        },
        Err(error) => {
            let span = from.unwrap_or_else(|| Span::new(sources.add(path, String::new()), 0..0));
            diagnostics.push(
                Diagnostic::new(
                    Code::Io,
                    span,
                    format!("cannot read {}: {error}", shown(path)),
                )
                .label("could not read"),
            );
            None
        }
    }
}
