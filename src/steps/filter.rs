//! Owning some lines of a file that kiln does not own whole: the desired content is the
//! current content passed through a filter of the runtime library (`k_keyed`,
//! `k_locale_gen`, `k_auth_keys`, `k_cron_entry` in `emit/lib.sh`: fixed awk programs that
//! know their file's format and get the user's values in their environment, never in their
//! text). Shared by the system ops that keep entries in shared files: `apt.repo`,
//! `server.authorized_keys`, `server.sysctl`, `server.mount`, `server.locale`, and (with a
//! crontab instead of a file) `server.crontab`. (`lower::edit` is the line editor of the
//! `files` ops, driven by the user's regexes.)
//!
//! `k_filter_file ok|act|diff FILE MODE OWNER GROUP FILTER...` is the probe (the file is
//! what the filter makes of it; a missing file counts as empty, so removing a line from a
//! missing file is already done), the act (an atomic `k_write` when it is not, keeping the
//! old file's mode and owner unless told) and the diff. awk ends every line it prints, so
//! a last line without a newline is never glued to.

use crate::shell::Sh;

use crate::opdef::Step;

/// A call of a library filter with its arguments.
pub struct Filter {
    call: Sh,
}

impl Filter {
    /// `function` is a library filter (`k_keyed`, ...).
    pub fn new(function: &'static str) -> Filter {
        Filter {
            call: Sh::of(function),
        }
    }

    /// Appends a quoted argument.
    pub fn arg(mut self, value: &str) -> Filter {
        self.call.code(" ").arg(value);
        self
    }

    /// `k_keyed FORMAT KEY LINE PRESENT`.
    pub fn keyed(format: &str, key: &str, line: &str, present: bool) -> Filter {
        Filter::new("k_keyed")
            .arg(format)
            .arg(key)
            .arg(line)
            .arg(if present { "1" } else { "0" })
    }

    pub fn command(&self) -> &Sh {
        &self.call
    }
}

/// A file to filter: `path` is one shell word (a quoted path, or `"$k_f"` computed by a
/// setup line), `attrs` the words `MODE OWNER GROUP` for `k_write` (empty words keep
/// the old file's).
pub struct Filtered<'a> {
    pub path: &'a Sh,
    pub filter: &'a Filter,
    pub attrs: &'a Sh,
}

impl Filtered<'_> {
    fn call(&self, what: &'static str) -> Sh {
        let mut sh = Sh::of("k_filter_file ");
        sh.code(what)
            .code(" ")
            .push(self.path)
            .code(" ")
            .push(self.attrs)
            .code(" ")
            .push(self.filter.command());
        sh
    }

    /// Succeeds when the file already has the desired content.
    pub fn same(&self) -> Sh {
        self.call("ok")
    }

    /// Writes the desired content if the file does not have it.
    pub fn update(&self) -> Sh {
        self.call("act")
    }

    pub fn diff(&self) -> Sh {
        self.call("diff")
    }

    /// The whole step.
    pub fn step(&self) -> Step {
        Step {
            probe: self.same(),
            act: self.update(),
            diff: self.diff(),
            verify: true,
            data: Sh::new(),
        }
    }
}

/// `'MODE' 'OWNER' 'GROUP'`.
pub fn attr_words(mode: &str, owner: &str, group: &str) -> Sh {
    let mut sh = Sh::new();
    sh.arg(mode).code(" ").arg(owner).code(" ").arg(group);
    sh
}

/// A quoted path as a word.
pub fn path_word(path: &str) -> Sh {
    let mut sh = Sh::new();
    sh.arg(path);
    sh
}
