//! Writing a whole file's content: shared by `files.put` and `files.template`.
//!
//! The content travels byte-exact in the script (see `shell::content`) and reaches probe,
//! act and diff on standard input. Probe: same bytes (`cmp`) and attributes. Act: an atomic
//! write (`k_write`). Diff: `diff -u` against the current file.
//!
//! A symbolic link at `dest` is replaced by the file, never written through (Ansible's
//! `copy` with its default `follow: no`); a directory at `dest` is an error.
//!
//! `create_only` turns such a write into one that never replaces anything (Ansible's
//! `force: no`): a regular file or a link already at `dest` is kept whatever its content;
//! mode, owner and group are still set on a regular file, and refused on a link.

use crate::shell::Sh;
use crate::shell::content::byte_lines;

use super::attrs::Attrs;
use crate::opdef::Step;

pub struct WriteFile<'a> {
    pub dest: &'a str,
    pub content: &'a [u8],
    pub attrs: Attrs,
    pub backup: bool,
    pub create_parent_dirs: bool,
}

pub fn write_file(file: &WriteFile) -> Step {
    let dest = file.dest;
    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    for line in byte_lines(file.content) {
        step.data.push(&line).code("\n");
    }
    if file.content.is_empty() {
        step.data.code(":");
    }
    step.probe
        .code("[ -f ")
        .arg(dest)
        .code(" ] && [ ! -L ")
        .arg(dest)
        .code(" ] && cmp -s - ")
        .arg(dest);
    if !file.attrs.is_empty() {
        step.probe.code(" && ");
        file.attrs.probe(&mut step.probe, dest);
    }
    if file.create_parent_dirs {
        step.act
            .code("mkdir -p -- \"$(dirname -- ")
            .arg(dest)
            .code(")\" &&\n");
    }
    if file.backup {
        step.act
            .code("{ [ ! -f ")
            .arg(dest)
            .code(" ] || cp -p -- ")
            .arg(dest)
            .code(" ")
            .arg(dest);
        step.act.code("\".$(date +%Y%m%d%H%M%S)~\"; } &&\n");
    }
    step.act.code("k_write ").arg(dest).code(" ");
    file.attrs.args(&mut step.act);
    step.diff.code("k_diffu ").arg(dest);
    step
}

/// `write` (from `write_file` for `dest`, with `attrs`) done only when nothing is at
/// `dest`; what is there is kept (see the module doc).
pub fn create_only(write: Step, dest: &str, attrs: &Attrs) -> Step {
    let mut exists = Sh::of("[ -L ");
    exists.arg(dest).code(" ] || [ -f ").arg(dest).code(" ]");
    let mut is_link = Sh::of("[ -L ");
    is_link.arg(dest).code(" ]");
    let mut step = Step {
        data: write.data,
        verify: true,
        ..Step::default()
    };
    step.probe.code("{ ").push(&exists).code("; }");
    step.act.code("if ").push(&exists).code("; then\n  ");
    step.diff.code("if ").push(&exists).code("; then ");
    if attrs.is_empty() {
        step.act.code(":");
        step.diff.code(":");
    } else {
        step.probe.code(" && ! ").push(&is_link).code(" && ");
        attrs.probe(&mut step.probe, dest);
        step.act.code("if ").push(&is_link).code("; then k_err ");
        step.act
            .arg(&format!("{dest} {KEPT_LINK}"))
            .code("; false; else ");
        attrs.apply(&mut step.act, dest);
        step.act.code("; fi");
        step.diff
            .code("printf 'set mode/owner of %s\\n' ")
            .arg(dest);
    }
    step.act.code("\nelse\n").push(&write.act).code("\nfi");
    step.diff.code("\nelse\n").push(&write.diff).code("\nfi");
    step
}

/// Why attributes are refused on a link kept by `create_only`.
const KEPT_LINK: &str = "is a symbolic link, kept as it is (force = false): its mode and ownership are never set through it";
