//! `--secrets-file FILE`: secret variables given on the command line without ever being in
//! kiln's own arguments (which every user of the machine sees in `ps`).
//!
//! The file is a table of variables: TOML (`token = "..."`), KDL (`token "..."`) or JSON
//! (`{"token": "..."}`), by its extension. `-` reads standard input, so a password manager
//! can hand secrets over without a file (`pass show deploy | kiln apply --secrets-file -`);
//! a name without one of those extensions (`-`, `/dev/fd/3`, a process substitution) is
//! JSON when it starts with `{`, TOML otherwise. Its variables are at the `-e` level, and
//! secret.

use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};
use crate::syntax::{self, Format};

use super::ExtraVar;

/// The variables of the secrets file `spec`; none (reported) when it cannot be read.
pub fn read(sources: &mut SourceMap, spec: &str, diagnostics: &mut Diagnostics) -> Vec<ExtraVar> {
    let read = if spec == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map(|_| text)
    } else {
        std::fs::read_to_string(spec)
    };
    let text = match read {
        Ok(text) => text,
        Err(error) => {
            unreadable(sources, spec, &error.to_string(), diagnostics);
            return Vec::new();
        }
    };
    let name = if spec == "-" {
        "<standard input>"
    } else {
        spec
    };
    let path = Path::new(name);
    let json = path.extension().is_some_and(|e| e == "json")
        || (Format::of(path).is_none() && text.trim_start().starts_with('{'));
    let format = Format::of(path).unwrap_or(Format::Toml);
    let file = sources.add(path, text);
    let mut found = Diagnostics::default();
    let table = if json {
        super::dynamic::json(
            sources,
            file,
            (Code::Syntax, "the secrets file holds"),
            &mut found,
        )
        .map(|root| crate::syntax::to_model::into_table(root, &mut found))
    } else {
        syntax::vars(sources, file, format, &mut found)
    };
    // Shown without the file's lines, which hold secrets: at the argument, with where.
    let problems = found.sorted();
    if !problems.is_empty() {
        let argument = sources.add(Path::new("<command line>"), spec.to_owned());
        for problem in problems {
            let at = problem.primary_span();
            let (line, column) = sources.line_col(at.file, at.start as usize);
            diagnostics.push(
                Diagnostic::new(
                    problem.code,
                    Span::new(argument, 0..spec.len()),
                    format!("{name}:{line}:{column}: {}", problem.message),
                )
                .label("--secrets-file")
                .help("the file's lines are not shown, as they hold secrets"),
            );
        }
    }
    table
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| ExtraVar {
            name: name.value,
            value: value.value,
            secret: true,
        })
        .collect()
}

fn unreadable(sources: &mut SourceMap, spec: &str, why: &str, diagnostics: &mut Diagnostics) {
    let file = sources.add(Path::new("<command line>"), spec.to_owned());
    diagnostics.push(
        Diagnostic::new(
            Code::Io,
            Span::new(file, 0..spec.len()),
            format!("cannot read the secrets file {spec}: {why}"),
        )
        .label("--secrets-file")
        .help("a secrets file is a TOML, KDL or JSON table of variables; `-` reads standard input"),
    );
}
