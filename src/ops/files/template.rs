//! `files.template`: render a local minijinja template and write the result to the host, like
//! pyinfra's `files.template` and Ansible's `template`: with Ansible's white-space settings
//! and the same arguments to change them (see `crate::template::syntax`).

use std::path::Path;

use minijinja::ErrorKind;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::steps::attrs::Attrs;
use crate::steps::content::{WriteFile, write_file};
use crate::steps::validator;
use crate::template::syntax;

pub(crate) const DEF: OpDef = OpDef::new(
    "files.template",
    "Render a local minijinja template with the manifest's variables and facts, and write it to the host.",
    Network::Never,
    lower,
)
.main_arg("dest")
.template_file("src")
.args(&[
    arg("src", LocalPath, "The local template file.").required(),
    arg("dest", Path, "The file to write on the host.").required(),
    arg("mode", Mode, "Mode of the file."),
    arg("owner", Account, "Owner of the file."),
    arg("group", Account, "Group of the file."),
    arg(
        "backup",
        Bool,
        "Keep a timestamped copy of the previous file before replacing it.",
    )
    .default(Default::Bool(false)),
    arg(
        "vars",
        STR_MAP,
        "Extra variables for this template only, on top of the manifest's variables.",
    ),
    arg(
        "trim_blocks",
        Bool,
        "Drop the newline after a block tag (`{% ... %}`), as Ansible does by default.",
    )
    .default(Default::Bool(true)),
    arg(
        "lstrip_blocks",
        Bool,
        "Strip the spaces and tabs before a block tag at the start of a line.",
    )
    .default(Default::Bool(false)),
    arg("block_start_string", Str, "The string that opens a block (`{%`)."),
    arg("block_end_string", Str, "The string that closes a block (`%}`)."),
    arg("variable_start_string", Str, "The string that opens an expression (`{{`)."),
    arg("variable_end_string", Str, "The string that closes an expression (`}}`)."),
    arg("comment_start_string", Str, "The string that opens a comment (`{#`)."),
    arg("comment_end_string", Str, "The string that closes a comment (`#}`)."),
    arg(
        "newline_sequence",
        Str,
        "Ansible's line-ending conversion: only `\\n` (no conversion) is supported.",
    ),
    arg(
        "output_encoding",
        Str,
        "Ansible's output encoding: only `utf-8` is supported.",
    ),
    validator::ARG,
])
.validate(validate);

/// Checks `validate`, and refuses the Ansible arguments kiln takes but cannot honour,
/// pointing at them.
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    validator::check(args, diagnostics);
    if let Some(given) = args.get("newline_sequence")
        && given.value.as_str() != Some("\n")
    {
        diagnostics.push(
            Diagnostic::new(Code::Unsupported, given.span, "only the default `newline_sequence`, a line feed (no conversion), is supported")
                .label("not converted")
                .help("kiln writes the template's line endings as they are: write them into the template file"),
        );
    }
    if let Some(given) = args.get("output_encoding")
        && !given
            .value
            .as_str()
            .is_some_and(|e| ["utf-8", "utf8"].contains(&e.to_lowercase().as_str()))
    {
        diagnostics.push(
            Diagnostic::new(
                Code::Unsupported,
                given.span,
                "only `output_encoding = \"utf-8\"` is supported",
            )
            .label("not converted")
            .help("kiln renders templates to UTF-8 text; leave the argument out"),
        );
    }
}

/// The template is rendered here, per host, with the context its op's arguments were
/// rendered with (variables, `facts`, `host`) and `vars` on top; the result is written like
/// `files.put` content. Errors point at `src`, naming the template's `file:line:col`.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let content = rendered(input)?;
    let validator = validator::words(input);
    Ok(write_file(&WriteFile {
        dest: input.str("dest"),
        content: content.as_bytes(),
        attrs: Attrs::of(input),
        backup: input.flag("backup"),
        create_parent_dirs: false,
        keep: false,
        check: &validator.iter().map(String::as_str).collect::<Vec<_>>(),
    }))
}

/// The op's template file `src` rendered (see [`lower`]); also how `systemd.unit` renders
/// its `src`.
pub(crate) fn rendered(input: &LowerInput) -> Result<String, Diagnostic> {
    let src = input.str("src");
    let path = input.base_dir.join(src);
    let source = std::fs::read_to_string(&path).map_err(|error| {
        Diagnostic::new(
            Code::Io,
            input.span("src"),
            format!("cannot read template {}: {error}", path.display()),
        )
        .label("this template")
        .help("`src` is relative to the manifest that names it, and must be UTF-8 text")
    })?;
    render(input, &path, &source)
}

fn render(input: &LowerInput, path: &Path, source: &str) -> Result<String, Diagnostic> {
    let context = crate::template::template_file_context(input.args, input.context);
    crate::template::render_file(
        Some(input.base_dir.to_path_buf()),
        path,
        source,
        &crate::template::file_settings(input.args),
        context,
    )
    .map_err(|error| template_error(input, &path.display().to_string(), source, &error))
}

/// The `SourceMap` is fixed by now, so the diagnostic points at `src` and names the place
/// inside the template as `file:line:col`, with the line itself.
fn template_error(
    input: &LowerInput,
    name: &str,
    source: &str,
    error: &minijinja::Error,
) -> Diagnostic {
    let detail = error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned);
    // minijinja's positions are in the text after a `#jinja2:` header line.
    let skipped = syntax::header(source).map_or(0, |header| source.len() - header.body.len());
    let (line, col) = match (error.range(), error.line()) {
        (Some(range), _) => {
            let before = &source[..(skipped + range.start).min(source.len())];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            (
                before.matches('\n').count() + 1,
                before[line_start..].chars().count() + 1,
            )
        }
        (None, Some(line)) => (line + usize::from(skipped > 0), 1),
        (None, None) => (1, 1),
    };
    let text = source.lines().nth(line - 1).unwrap_or_default().trim_end();
    let code = match error.kind() {
        ErrorKind::SyntaxError => Code::TemplateSyntax,
        ErrorKind::UndefinedError => Code::UndefinedVariable,
        _ => Code::InvalidValue,
    };
    let help = match error.kind() {
        ErrorKind::UndefinedError => {
            "every variable must be defined for this host: check the inventory, `-e` and this op's `vars`"
        }
        ErrorKind::SyntaxError => "templates use minijinja (Jinja2) syntax",
        _ => "the template is rendered with this host's variables, `facts` and `host`",
    };
    Diagnostic::new(
        code,
        input.span("src"),
        format!("cannot render template {name}:{line}:{col}: {detail}"),
    )
    .label(format!("{name}:{line}:{col}"))
    .help(format!("{line} | {text}\n{help}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opdef::{ArgValue, OpArgs};
    use crate::source::{FileId, Span, Spanned};

    fn lower_template(text: &str, context: &minijinja::Value) -> Result<Step, Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.j2"), text).unwrap();
        let span = Span::new(FileId(0), 10..16);
        let mut args = OpArgs::default();
        for (name, value) in [("src", "t.j2"), ("dest", "/etc/t")] {
            args.insert(name.into(), Spanned::new(ArgValue::Str(value.into()), span));
        }
        lower(&LowerInput {
            def: &DEF,
            args: &args,
            base_dir: dir.path(),
            origin: span,
            context,
        })
    }

    #[test]
    fn renders_with_the_context() {
        let context = minijinja::context! { name => "web1" };
        let step = lower_template("host {{ name }}\n", &context).unwrap();
        assert!(step.data.text().contains("k_text='host web1\n'"));
    }

    #[test]
    fn errors_point_into_the_template() {
        let context = minijinja::context! { name => "web1" };
        let error = lower_template("ok\n  {{ name }} {{ missing }}\n", &context).unwrap_err();
        assert_eq!(error.code, Code::UndefinedVariable);
        assert!(
            error.message.ends_with("t.j2:2:17: `missing` is undefined"),
            "{}",
            error.message
        );
        assert_eq!(error.primary_span(), Span::new(FileId(0), 10..16));
        let error = lower_template("{% for x in %}", &context).unwrap_err();
        assert_eq!(error.code, Code::TemplateSyntax);
        let error = lower_template(
            "#jinja2: lstrip_blocks: True\nok\n{{ missing }}\n",
            &context,
        )
        .unwrap_err();
        assert!(
            error.message.ends_with("t.j2:3:4: `missing` is undefined"),
            "{}",
            error.message
        );
        let error = lower_template("#jinja2: lstrip: True\n", &context).unwrap_err();
        assert!(
            error.message.contains("did you mean `lstrip_blocks`"),
            "{}",
            error.message
        );
    }
}
