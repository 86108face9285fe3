//! Source files and spans.
//!
//! Every value kiln reads keeps a [`Span`] into the [`SourceMap`], so any stage can point a
//! diagnostic at the exact bytes that caused it. A span is byte offsets into one file's text;
//! files are never mutated once added, so spans stay valid for the whole run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Self {
        Span {
            file,
            start: u32::try_from(range.start).unwrap_or(u32::MAX),
            end: u32::try_from(range.end).unwrap_or(u32::MAX),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A sub-range of this span, given relative to its start, clamped to it.
    pub fn subspan(self, range: std::ops::Range<usize>) -> Span {
        let len = (self.end - self.start) as usize;
        let start = range.start.min(len);
        let end = range.end.clamp(start, len);
        Span::new(
            self.file,
            self.start as usize + start..self.start as usize + end,
        )
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// Spans are where a value came from, not what it is: equality ignores them, so the same
/// manifest in TOML and in KDL compares equal.
impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// One source file's text and the name diagnostics show for it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub name: String,
    pub text: Arc<str>,
    /// Byte offsets where lines start, computed on first use: every op's `file:line` is
    /// looked up per host, so this must not rescan the file.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }
}

/// All the files read in one run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// The directory of the project's entry manifest, which origins are written relative to.
    project_dir: Option<PathBuf>,
}

impl SourceMap {
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Adds a file under `path`; `name` is what diagnostics print (usually the path as given).
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4G source files"));
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            name: path.strip_prefix(".").unwrap_or(path).display().to_string(),
            text: Arc::from(text),
            line_starts: std::sync::OnceLock::new(),
        });
        id
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Sets the project's directory (its entry manifest's), see [`SourceMap::origin_name`].
    pub fn set_project_dir(&mut self, dir: &Path) {
        self.project_dir = Some(dir.to_path_buf());
    }

    /// The name an op's origin (`file:line`, in scripts and reports) gives file `id`: its
    /// path within the project's directory, the same wherever kiln runs from and whatever
    /// path the project was named by; a file outside that directory keeps its own name.
    pub fn origin_name(&self, id: FileId) -> String {
        let file = self.file(id);
        match self
            .project_dir
            .as_deref()
            .and_then(|dir| file.path.strip_prefix(dir).ok())
        {
            Some(inside) => inside.display().to_string(),
            None => file.name.clone(),
        }
    }

    /// The directory local paths written in `id` are relative to (its parent, or `.`).
    pub fn dir_of(&self, id: FileId) -> &Path {
        self.file(id).path.parent().unwrap_or(Path::new("."))
    }

    pub fn text(&self, span: Span) -> &str {
        self.file(span.file)
            .text
            .get(span.range())
            .unwrap_or_default()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let source = self.file(file);
        let text = &source.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = source.line_starts();
        let line = starts.partition_point(|start| *start <= offset);
        let line_start = starts[line - 1];
        (line, text[line_start..offset].chars().count() + 1)
    }

    /// The span of `inner` inside the literal at `span`, when the literal spells it verbatim
    /// (no escapes): lets a template error point inside a quoted string.
    pub fn locate_within(&self, span: Span, inner: &str) -> Option<Span> {
        let literal = self.text(span);
        let at = literal.find(inner)?;
        Some(span.subspan(at..at + inner.len()))
    }

    /// `span` widened to whole characters of its file. Offsets computed inside a string
    /// (a template engine's error position, say) may fall inside a multi-byte character;
    /// every span a diagnostic points at goes through this, so no renderer slices one.
    pub fn snap(&self, span: Span) -> Span {
        let text = &self.file(span.file).text;
        Span::new(span.file, whole_chars(text, span.range()))
    }
}

/// `range` widened to whole characters of `text` (and clamped to it).
pub fn whole_chars(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = range.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("m.toml"), "ab\néx\n\nz".into());
        assert_eq!(sources.line_col(file, 0), (1, 1));
        assert_eq!(sources.line_col(file, 2), (1, 3));
        assert_eq!(sources.line_col(file, 3), (2, 1));
        assert_eq!(
            sources.line_col(file, 5),
            (2, 2),
            "columns count characters"
        );
        assert_eq!(
            sources.line_col(file, 4),
            (2, 1),
            "inside a character: its start"
        );
        assert_eq!(sources.line_col(file, 8), (4, 1));
        assert_eq!(sources.line_col(file, 100), (4, 2), "past the end: the end");
    }

    #[test]
    fn spans_snap_to_whole_characters() {
        let mut sources = SourceMap::new();
        let file = sources.add(Path::new("m.toml"), "a\u{a0}é".into());
        let inside = Span::new(file, 2..2);
        assert_eq!(
            sources.snap(inside).range(),
            1..3,
            "inside the NBSP: all of it"
        );
        assert_eq!(sources.snap(Span::new(file, 4..100)).range(), 3..5);
        assert_eq!(sources.snap(Span::new(file, 0..1)).range(), 0..1);
    }
}
