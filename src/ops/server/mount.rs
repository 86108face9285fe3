//! `server.mount`: manage a filesystem mount and its `/etc/fstab` entry, like Ansible's
//! `mount` (`ansible.posix.mount`).

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::OpArgs;
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, Mount};
use crate::steps::values::int;

pub(crate) const DEF: OpDef = OpDef::new(
    "server.mount",
    "Ensure a filesystem is mounted or unmounted, and its `/etc/fstab` entry is present or absent.",
    Network::Never,
    lower,
)
.main_arg("path")
.args(&[
    arg("path", Path, "The mount point (created if missing when mounting).").required(),
    arg("src", Str, "The device or remote filesystem (`/dev/sdb1`, `UUID=...`, `LABEL=...`, `server:/export`). Required unless both `present` and `mounted` are false."),
    arg("fstype", Str, "The filesystem type (`ext4`, `xfs`, `nfs`, `tmpfs`...). Required unless both `present` and `mounted` are false."),
    arg("opts", STR_LIST, "Mount options, one per entry; `defaults` when not given."),
    arg("present", Bool, "Whether the entry should be in `/etc/fstab`.").default(Default::Bool(true)),
    arg("mounted", Bool, "Whether the filesystem should be mounted now (remounted if its options changed).").default(Default::Bool(true)),
    arg("dump", Int { min: 0, max: 1 }, "The fstab dump field (1 to have `dump` back it up).").default(Default::Int(0)),
    arg("passno", Int { min: 0, max: 2 }, "The fstab pass number for `fsck` at boot (0 never, 1 for the root filesystem, 2 for others).").default(Default::Int(0)),
])
.validate(validate);

fn validate(args: &OpArgs, diagnostics: &mut Diagnostics) {
    if !args.flag(&DEF, "present") && !args.flag(&DEF, "mounted") {
        return;
    }
    let Some(path) = args.get("path") else {
        return;
    };
    for needed in ["src", "fstype"] {
        if !args.contains(needed) {
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingArgument,
                    path.span,
                    format!("`{needed}` is required to mount or add an fstab entry"),
                )
                .label("this mount point needs a filesystem")
                .help(
                    "set `present = false` and `mounted = false` to unmount and remove the entry",
                ),
            );
        }
    }
}

/// A field of fstab (and /proc/mounts): space, tab, newline and backslash as octal escapes.
fn fstab_field(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            ' ' => out.push_str("\\040"),
            '\t' => out.push_str("\\011"),
            '\n' => out.push_str("\\012"),
            '\\' => out.push_str("\\134"),
            c => out.push(c),
        }
    }
    out
}

/// The fstab entry is the line whose mount point is `path` (edited in place, else
/// appended; removed when `present` is false). Mounted is "listed in /proc/mounts". Act:
/// the fstab entry, then `mount -t FSTYPE -o OPTS SRC PATH` (creating the mount point),
/// `umount`, or `mount -o remount` when the entry of a mounted filesystem changed.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let path = input.str("path");
    let src = input.str("src");
    let fstype = input.str("fstype");
    let opts = input.strings("opts");
    for (name, value) in [("src", src), ("fstype", fstype)]
        .into_iter()
        .chain(opts.iter().map(|o| ("opts", *o)))
    {
        if value.contains(['\n', '\r']) || (name != "src" && value.contains([' ', '\t', ','])) {
            return Err(Diagnostic::new(
                Code::InvalidValue,
                input.span(name),
                format!("`{name}` cannot be written in fstab"),
            )
            .label("a line break, or a space or comma in a type or option")
            .help("give each mount option as its own entry"));
        }
    }
    let opts = if opts.is_empty() {
        "defaults".to_owned()
    } else {
        opts.join(",")
    };
    let present = input.flag("present");
    let mounted = input.flag("mounted");
    let trimmed = path.trim_end_matches('/');
    let point = fstab_field(if trimmed.is_empty() { "/" } else { trimmed });
    let line = if !present {
        String::new()
    } else {
        format!(
            "{} {point} {} {opts} {} {}",
            fstab_field(src),
            fstab_field(fstype),
            int(input, "dump").unwrap_or(0),
            int(input, "passno").unwrap_or(0)
        )
    };
    Ok(Step {
        call: Some(call::mount(&Mount {
            path,
            point: &point,
            line: &line,
            src,
            fstype,
            opts: &opts,
            mounted,
            absent: !present,
        })),
        verify: true,
        ..Step::default()
    })
}

#[cfg(test)]
mod tests {
    use super::fstab_field;

    #[test]
    fn fstab_fields_escape_blanks_and_backslashes() {
        assert_eq!(fstab_field("/srv/my data"), "/srv/my\\040data");
        assert_eq!(fstab_field("a\tb\\c\nd"), "a\\011b\\134c\\012d");
        assert_eq!(fstab_field("UUID=0a1b"), "UUID=0a1b");
    }
}
