//! Writing a whole file's content: shared by `files.put` and `files.template`.
//!
//! The content travels byte-exact in the script (see `shell::content`) and reaches probe,
//! act and diff on standard input. Probe: same bytes (`cmp`) and attributes. Act: an atomic
//! write (`k_write`). Diff: `diff -u` against the current file.
//!
//! A symbolic link at `dest` is replaced by the file, never written through (Ansible's
//! `copy` with its default `follow: no`); a directory at `dest` is an error.

use crate::shell::content::byte_lines;

use super::Step;
use super::attrs::Attrs;

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
