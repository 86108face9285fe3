//! Writing a whole file's content: shared by `files.put`, `files.template` and
//! `server.sudoers`, as one call of the runtime's `k_put` (`src/runtime/files.sh`).
//!
//! The content travels byte-exact in the script. Text (printable ASCII, tabs, newlines, up
//! to 16 KiB: `call::text`) is one quoted value the step's text function sets, `k_text`,
//! which the shell compares and writes with builtins: no process decides a file that is as
//! asked. Other content (see `shell::content`) reaches probe, act and diff on standard
//! input, and the probe compares it with `cmp`. Probe: same bytes and attributes. Act: an
//! atomic write (`k_write`), whose success is the state (no second probe). Diff: `diff -u`
//! against the current file.
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

/// The step writing `file`: the runtime's `k_put`, reading the content as its data (text
/// as `k_text`, see the module doc).
pub(crate) fn write_file(file: &WriteFile) -> Step {
    let text = call::text(file.content);
    Step {
        call: Some(call::put(&Put {
            dest: file.dest,
            attributes: file.attrs.for_call(),
            backup: file.backup,
            parents: file.create_parent_dirs,
            keep: file.keep,
            check: file.check,
            text: text.is_some(),
        })),
        text: text.is_some(),
        data: text.unwrap_or_else(|| call::content(file.content)),
        content: Some(file.content.to_vec()),
        // The write is atomic: its success is the state.
        verify: false,
        ..Step::default()
    }
}
