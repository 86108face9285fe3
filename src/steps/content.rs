//! Writing a whole file's content: shared by `files.put`, `files.template` and
//! `server.sudoers`, as one call of the runtime's `k_put` (`src/runtime/files.sh`).
//!
//! The content travels byte-exact in the script (see `shell::content`) and reaches probe,
//! act and diff on standard input. Probe: same bytes (`cmp`) and attributes. Act: an atomic
//! write (`k_write`). Diff: `diff -u` against the current file.
//!
//! A symbolic link at `dest` is replaced by the file, never written through (Ansible's
//! `copy` with its default `follow: no`); a directory at `dest` is an error.
//!
//! `keep` makes the write one that never replaces anything (Ansible's `force: no`): a
//! regular file or a link already at `dest` is kept whatever its content;
//! mode, owner and group are still set on a regular file, and refused on a link.

use super::attrs::Attrs;
use crate::opdef::Step;
use crate::runtime::call::{self, Put};

/// A whole file to write.
pub(crate) struct WriteFile<'a> {
    pub dest: &'a str,
    pub content: &'a [u8],
    pub attrs: Attrs,
    pub backup: bool,
    pub create_parent_dirs: bool,
    /// A file or link already at `dest` is kept whatever it holds (see the module doc).
    pub keep: bool,
    /// A command that must accept the new file (its path appended) before it is installed.
    pub check: &'a [&'a str],
}

/// The step writing `file`: the runtime's `k_put`, reading the content as its data.
pub(crate) fn write_file(file: &WriteFile) -> Step {
    Step {
        call: Some(call::put(&Put {
            dest: file.dest,
            attributes: file.attrs.for_call(),
            backup: file.backup,
            parents: file.create_parent_dirs,
            keep: file.keep,
            check: file.check,
        })),
        data: call::content(file.content),
        verify: true,
        ..Step::default()
    }
}
