//! `server.crontab`: manage a crontab entry, like pyinfra's `server.crontab` and Ansible's
//! `cron`.

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::ArgValue;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, CronEntry};
use crate::shell::quote;
use crate::source::Span;
use crate::steps::values::{is_identifier, one_line};

pub(crate) const DEF: OpDef = OpDef::new(
    "server.crontab",
    "Ensure a command is scheduled in a user's crontab, or is not.",
    Network::Never,
    lower,
)
.main_arg("command")
.args(&[
    arg(
        "command",
        Shell,
        "The command cron runs (through `sh`). Each `%` is written `\\%` on the line, so cron passes it on instead of ending the command there (cron turns an unescaped `%` into a newline and feeds the rest to the command's standard input); a `\\` right before a `%` cannot be written for cron and is refused.",
    )
    .required(),
    arg(
        "cron_name",
        Str,
        "A name kept in a marker comment above the entry; the entry is then found by name, so changing `command` or the schedule edits it in place. Without it, the entry is found by `command`.",
    ),
    arg("minute", Str, "Minute field (0-59, `*/5`, `0,30`...).").default(Default::Str("*")),
    arg("hour", Str, "Hour field (0-23).").default(Default::Str("*")),
    arg("day_of_month", Str, "Day-of-month field (1-31).").default(Default::Str("*")),
    arg("month", Str, "Month field (1-12 or `jan`-`dec`).").default(Default::Str("*")),
    arg(
        "day_of_week",
        Str,
        "Day-of-week field (0-7, 0 and 7 being Sunday, or `sun`-`sat`).",
    )
    .default(Default::Str("*")),
    arg(
        "special_time",
        Enum(&[
            "reboot", "hourly", "daily", "weekly", "monthly", "yearly", "annually",
        ]),
        "Use an `@` schedule (`@daily`...) instead of the five time fields.",
    ),
    arg(
        "user",
        Account,
        "Whose crontab to edit; by default that of the user the op runs as.",
    ),
    arg(
        "present",
        Bool,
        "Whether the entry should be in the crontab.",
    )
    .default(Default::Bool(true)),
    arg(
        "env",
        STR_MAP,
        "Environment variables for the command, set on the entry's line (`NAME='value' command`): each value is one quoted word, with `%` escaped as in `command`.",
    ),
])
.rules(&[
    Rule::Conflicts("special_time", "minute"),
    Rule::Conflicts("special_time", "hour"),
    Rule::Conflicts("special_time", "day_of_month"),
    Rule::Conflicts("special_time", "month"),
    Rule::Conflicts("special_time", "day_of_week"),
]);

/// The crontab is read with `crontab -l` and installed with `crontab -` (as root for
/// another `user`: `crontab -u USER`), through `k_cron_entry`: with a name, the entry is
/// the line after the marker `# kiln: NAME` (edited in place); without one, the line
/// running the same job (its environment assignments and command). Environment variables
/// go on the entry's line (`NAME='value' command`, quoted for the `sh` cron runs). The job
/// is written as cron must read it (see [`for_cron`]), and the probe compares that text, so
/// a second run finds the entry it wrote.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let command = input.str("command");
    one_line(input, "command", command)?;
    let name = input.str("cron_name");
    one_line(input, "cron_name", name)?;
    let mut job = String::new();
    if let Some(env) = input.args.get("env")
        && let ArgValue::Map(entries) = &env.value
    {
        for (var, value) in entries {
            let value = value.value.as_str().unwrap_or_default();
            if !is_identifier(&var.value) || value.contains(['\n', '\r']) {
                return Err(Diagnostic::new(
                    Code::InvalidValue,
                    var.span,
                    format!("`{}` cannot be set on a crontab line", var.value),
                )
                .label("not a shell identifier, or a value with a line break")
                .help("names are letters, digits and `_`, not starting with a digit"));
            }
            let assignment = format!("{}={} ", var.value, quote(value));
            job.push_str(&for_cron(&assignment, var.span)?);
        }
    }
    job.push_str(&for_cron(command, input.span("command"))?);
    let schedule = match input.args.str("special_time") {
        Some(special) => format!("@{special}"),
        None => {
            let fields: Vec<&str> = ["minute", "hour", "day_of_month", "month", "day_of_week"]
                .iter()
                .map(|f| input.str(f))
                .collect();
            for (field, value) in ["minute", "hour", "day_of_month", "month", "day_of_week"]
                .iter()
                .zip(&fields)
            {
                if value.is_empty() || value.contains(char::is_whitespace) {
                    return Err(Diagnostic::new(
                        Code::InvalidValue,
                        input.span(field),
                        format!("`{field}` must be one word"),
                    )
                    .label("empty, or with a space")
                    .help("e.g. `*`, `*/5`, `0,30` or `1-5`"));
                }
            }
            fields.join(" ")
        }
    };
    let line = format!("{schedule} {job}");
    Ok(Step {
        call: Some(call::crontab_entry(&CronEntry {
            user: input.str("user"),
            name,
            line: &line,
            job: &job,
            absent: !input.flag("present"),
        })),
        verify: true,
        ..Step::default()
    })
}

/// `text` as it must stand in a crontab line's command field for cron to run exactly
/// `text`. vixie cron and cronie (`do_command.c`, `child_process`) end the command at the
/// first `%` that no `\` escapes and hand what follows, each later `%` made a newline, to
/// the command's standard input; `\%` becomes `%`, and any other `\` is kept together
/// with the character after it (which it thereby shields from being an escape itself).
/// So every `%` is written `\%`. A `%` after an odd run of backslashes cannot be written:
/// the run's last `\` would be taken as the escape of the `%` and vanish.
fn for_cron(text: &str, span: Span) -> Result<String, Diagnostic> {
    let mut out = String::with_capacity(text.len() + 2);
    let mut backslashes = 0;
    for c in text.chars() {
        if c == '%' {
            if backslashes % 2 == 1 {
                return Err(Diagnostic::new(
                    Code::InvalidValue,
                    span,
                    "a `\\` right before a `%` cannot be written in a crontab line",
                )
                .label("cron would take this `\\` as the escape of the `%` and drop it")
                .help("write a plain `%` (kiln escapes it for cron); a command that needs `\\%` belongs in a script that cron runs"));
            }
            out.push('\\');
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        out.push(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::for_cron;
    use crate::source::{FileId, Span};

    fn escaped(text: &str) -> Option<String> {
        for_cron(text, Span::new(FileId(0), 0..0)).ok()
    }

    #[test]
    fn percent_signs_are_escaped_for_cron() {
        assert_eq!(escaped("date +%F").as_deref(), Some("date +\\%F"));
        assert_eq!(escaped("'50%' %%").as_deref(), Some("'50\\%' \\%\\%"));
        // An even run of backslashes stays: cron keeps `\\` as it is, then reads `\%`.
        assert_eq!(escaped("a\\\\%").as_deref(), Some("a\\\\\\%"));
        assert_eq!(escaped("no percent \\n").as_deref(), Some("no percent \\n"));
    }

    #[test]
    fn a_backslash_escaping_a_percent_is_refused() {
        assert_eq!(escaped("date +\\%F"), None);
        assert_eq!(escaped("a\\\\\\%"), None);
    }
}
