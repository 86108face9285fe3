//! `systemd.unit`: write a unit file, or a drop-in, from content or a template, checked by
//! `systemd-analyze verify` before it is installed, and reload the manager only when the
//! file changed (Ansible writes the file with `template` and reloads with `systemd_service`'s
//! `daemon_reload`; pyinfra with `files.template` and `systemd.daemon_reload`).
//!
//! Probe and act are `files.put`'s (`steps::content`) wrapped by the runtime's `k_unit`:
//! the act, which runs only when the file differs, ends with `daemon-reload`, so a unit that
//! is as wanted reloads nothing. Starting and enabling the unit is `systemd.service`'s job,
//! as it is Ansible's and pyinfra's: the two ops keep one probe each.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, OpArgs, Step};
use crate::runtime::call::{self, Manager, Unit};
use crate::steps::attrs::Attrs;
use crate::steps::content::{WriteFile, write_file};

pub(crate) const DEF: OpDef = OpDef::new(
    "systemd.unit",
    "Write a systemd unit file or drop-in, checked by `systemd-analyze verify`, and reload systemd when it changed.",
    Network::Never,
    lower,
)
.main_arg("unit")
.template_file("src")
.args(&[
    arg("unit", Str, "The unit's name with its type (`app.service`, `backup.timer`).").required(),
    arg("dropin", Str, "Write the drop-in `UNIT.d/DROPIN.conf` of the unit (`.conf` added when missing) instead of the unit file."),
    arg("content", Str, "The file's content (a template, rendered before upload)."),
    arg("src", LocalPath, "A local template file for the content, rendered as `files.template` renders it."),
    arg("dir", Path, "The directory of unit files, made when missing for a system unit; a user unit's (`~USER/.config/systemd/user`, or `/etc/systemd/user` for every user) must be given, and exist.").default(Default::Str("/etc/systemd/system")),
    arg("mode", Mode, "Mode of the file (a new one's: the umask's)."),
    arg("verify", Bool, "Install new content only when `systemd-analyze verify` accepts it (where the host has it; the commands the unit runs must exist, and a drop-in's unit must be installed).").default(Default::Bool(true)),
    arg("daemon_reload", Bool, "Run `systemctl daemon-reload` after changing the file.").default(Default::Bool(true)),
    arg("user_mode", Bool, "Reload the user manager (`systemctl --user`) of the user the op runs as.").default(Default::Bool(false)),
    arg("user", Account, "Reload this user's manager: `systemctl --user` run as the user, as `systemd.service`'s `user` does."),
])
.rules(&[Rule::OneOf(&["src", "content"]), Rule::Conflicts("user", "user_mode")])
.validate(validate);

/// The unit types systemd knows, by their file suffix.
const TYPES: &[&str] = &[
    "automount",
    "device",
    "mount",
    "path",
    "scope",
    "service",
    "slice",
    "socket",
    "swap",
    "target",
    "timer",
];

/// Refuses a unit name without its type, or one that is not a file name, a drop-in name
/// that is not one, and a user unit without its directory (the default is the system's).
fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    let user_unit = args.get("user").or_else(|| {
        args.get("user_mode")
            .filter(|flag| flag.value.as_bool() == Some(true))
    });
    if let Some(user) = user_unit
        && args.get("dir").is_none()
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                user.span,
                "a user unit needs `dir`: the default is the system's units",
            )
            .label("a user's manager")
            .help("add `dir`, e.g. `dir = \"/home/alice/.config/systemd/user\"` (made beforehand, owned by the user: `files.directory`), or `/etc/systemd/user` for every user"),
        );
    }
    if let Some(name) = args.get("unit")
        && let Some(text) = name.value.as_str()
        && !is_unit_name(text)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                name.span,
                format!("`{text}` is not a unit name with its type"),
            )
            .label("no type suffix, or not a file name")
            .help(format!(
                "write the unit's file name, e.g. `{}.service` or `{}.timer` (types: {})",
                stem(text),
                stem(text),
                TYPES.join(", ")
            )),
        );
    }
    if let Some(dropin) = args.get("dropin")
        && let Some(text) = dropin.value.as_str()
        && !is_file_name(text)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                dropin.span,
                format!("`{text}` is not a drop-in file name"),
            )
            .label("a name, not a path")
            .help("write the drop-in's name alone, e.g. `override` (written as `UNIT.d/override.conf`)"),
        );
    }
}

fn is_file_name(text: &str) -> bool {
    !text.is_empty() && !text.starts_with(['.', '-']) && !text.contains(['/', '\0'])
}

fn is_unit_name(text: &str) -> bool {
    is_file_name(text)
        && text
            .rsplit_once('.')
            .is_some_and(|(unit, kind)| !unit.is_empty() && TYPES.contains(&kind))
}

/// What the user probably meant the unit to be called, for the help.
fn stem(text: &str) -> &str {
    let base = text.rsplit('/').next().unwrap_or(text);
    let stem = base.split('.').next().unwrap_or(base);
    if stem.is_empty() { "app" } else { stem }
}

/// The drop-in's file name: `.conf` added when missing (systemd reads only `*.conf`).
fn dropin_file(name: &str) -> String {
    if name.ends_with(".conf") {
        name.to_owned()
    } else {
        format!("{name}.conf")
    }
}

fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let name = input.str("unit");
    let dropin = input.args.str("dropin").map(dropin_file);
    let dir = input.str("dir").trim_end_matches('/');
    let dest = match &dropin {
        Some(file) => format!("{dir}/{name}.d/{file}"),
        None => format!("{dir}/{name}"),
    };
    let content = match input.args.str("content") {
        Some(content) => content.to_owned(),
        None => super::super::files::template::rendered(input)?,
    };
    let mut step = write_file(&WriteFile {
        dest: &dest,
        content: content.as_bytes(),
        attrs: Attrs::of(input),
        backup: false,
        create_parent_dirs: false,
        keep: false,
        check: &[],
    });
    let manager = match input.args.str("user") {
        Some(user) => Manager::User(user),
        None if input.flag("user_mode") => Manager::OwnUser,
        None => Manager::System,
    };
    step.call = step.call.map(|write| {
        call::unit(
            &Unit {
                name,
                dir,
                dropin: dropin.as_deref(),
                verify: input.flag("verify"),
                reload: input.flag("daemon_reload"),
                manager,
            },
            &write,
        )
    });
    Ok(step)
}
