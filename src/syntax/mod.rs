//! Reading manifest and inventory files: format detection and the two front ends.
//!
//! The format is chosen by extension (`.toml`, `.kdl`); both front ends feed the shared
//! [`to_model`] rules and produce the same model.

pub(crate) mod kdl;
mod read;
pub(crate) mod to_model;
pub(crate) mod toml;

pub(crate) use read::{read_source, shown};

use std::path::Path;

use crate::diagnostic::Diagnostics;
use crate::model::{InventoryFile, Manifest, Table};
use crate::source::{FileId, SourceMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Kdl,
}

impl Format {
    pub(crate) fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "toml" => Some(Format::Toml),
            "kdl" => Some(Format::Kdl),
            _ => None,
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Kdl => "kdl",
        }
    }
}

/// Parses the manifest in `file`; `None` if it has syntax errors (already reported).
pub(crate) fn manifest(
    sources: &SourceMap,
    file: FileId,
    diagnostics: &mut Diagnostics,
) -> Option<Manifest> {
    let source = sources.file(file);
    match Format::of(&source.path)? {
        Format::Toml => {
            let root = toml::parse(file, &source.text, diagnostics)?;
            Some(to_model::manifest(file, root, diagnostics))
        }
        Format::Kdl => {
            let document = kdl::parse(file, &source.text, diagnostics)?;
            Some(kdl::manifest(file, &source.text, &document, diagnostics))
        }
    }
}

/// Parses the file of variables in `file` (a table in TOML, top-level nodes in KDL);
/// `None` if it has syntax errors (already reported).
pub(crate) fn vars(
    sources: &SourceMap,
    file: FileId,
    format: Format,
    diagnostics: &mut Diagnostics,
) -> Option<Table> {
    let text = &sources.file(file).text;
    match format {
        Format::Toml => {
            let root = toml::parse(file, text, diagnostics)?;
            Some(to_model::into_table(root, diagnostics))
        }
        Format::Kdl => {
            let document = kdl::parse(file, text, diagnostics)?;
            Some(kdl::vars(file, text, &document, diagnostics))
        }
    }
}

/// Parses the inventory in `file`; `None` if it has syntax errors (already reported).
pub(crate) fn inventory(
    sources: &SourceMap,
    file: FileId,
    diagnostics: &mut Diagnostics,
) -> Option<InventoryFile> {
    let source = sources.file(file);
    match Format::of(&source.path)? {
        Format::Toml => {
            let root = toml::parse(file, &source.text, diagnostics)?;
            Some(to_model::inventory(root, diagnostics))
        }
        Format::Kdl => {
            let document = kdl::parse(file, &source.text, diagnostics)?;
            Some(kdl::inventory(file, &source.text, &document, diagnostics))
        }
    }
}
