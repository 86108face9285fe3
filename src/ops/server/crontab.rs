//! `server.crontab`: manage a crontab entry, like pyinfra's `server.crontab` and Ansible's
//! `cron`.

use crate::ops::def::prelude::*;

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
    lower: None,
};
