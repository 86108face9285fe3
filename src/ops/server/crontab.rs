//! `server.crontab`: manage a crontab entry, like pyinfra's `server.crontab` and Ansible's
//! `cron`.

use crate::diagnostic::{Code, Diagnostic};
use crate::lower::filter::Filter;
use crate::lower::values::{is_identifier, one_line};
use crate::lower::{LowerInput, Step};
use crate::ops::args::ArgValue;
use crate::ops::def::prelude::*;
use crate::shell::{Sh, quote};

pub const DEF: OpDef = OpDef {
    name: "server.crontab",
    summary: "Ensure a command is scheduled in a user's crontab, or is not.",
    main_arg: Some("command"),
    args: &[
        arg("command", Str, "The command cron runs (through `sh`).").required(),
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
            "Environment variables for the command, set on the entry's line (`NAME=value command`).",
        ),
    ],
    rules: &[
        Rule::Conflicts("special_time", "minute"),
        Rule::Conflicts("special_time", "hour"),
        Rule::Conflicts("special_time", "day_of_month"),
        Rule::Conflicts("special_time", "month"),
        Rule::Conflicts("special_time", "day_of_week"),
    ],
    facts: &[],
    validate: None,
    lower: Some(lower),
};

/// The crontab is read with `crontab -l` and installed with `crontab -` (as root for
/// another `user`: `crontab -u USER`), through `k_cron_entry`: with a name, the entry is
/// the line after the marker `# kiln: NAME` (edited in place); without one, the line
/// running the same job (its environment assignments and command). Environment variables
/// go on the entry's line (`NAME='value' command`, quoted for the `sh` cron runs).
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
            job.push_str(&format!("{}={} ", var.value, quote(value)));
        }
    }
    job.push_str(command);
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
    let present = input.flag("present");
    let filter = Filter::new("k_cron_entry")
        .arg(name)
        .arg(&line)
        .arg(&job)
        .arg(if present { "1" } else { "0" });
    let user = input.str("user");
    let call = |what: &'static str| {
        let mut sh = Sh::of("k_crontab_entry ");
        sh.code(what)
            .code(" ")
            .arg(user)
            .code(" ")
            .push(filter.command());
        sh
    };
    let step = Step {
        probe: call("ok"),
        act: call("act"),
        diff: call("diff"),
        verify: true,
        data: Sh::new(),
    };
    Ok(step)
}
