//! Mode, owner and group of a path: the probe and the act every file op shares.
//!
//! A symbolic link at the path is either managed as itself (`probe`, `apply`: owner and
//! group go on the link, `chown -h`) or followed (`probe_target`, `apply_target`: all three
//! go on the file it points to). An op that sets a mode where a link may be must follow it
//! or refuse the link: `chmod` always follows one, so the link's own mode (which Linux
//! ignores) would be read and never change.

use crate::shell::Sh;

use crate::opdef::LowerInput;

/// The `mode`, `owner` and `group` arguments of an op; empty means "leave as is".
pub struct Attrs {
    /// Octal modes normalized to four digits; symbolic modes as written.
    pub mode: String,
    pub owner: String,
    pub group: String,
}

impl Attrs {
    pub fn of(input: &LowerInput) -> Attrs {
        Attrs {
            mode: normalize_mode(input.str("mode")),
            owner: input.str("owner").to_owned(),
            group: input.str("group").to_owned(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.mode.is_empty() && self.owner.is_empty() && self.group.is_empty()
    }

    /// `k_attrs_ok PATH MODE OWNER GROUP`: succeeds when `path` has them.
    pub fn probe(&self, sh: &mut Sh, path: &str) {
        self.call(sh, "k_attrs_ok ", path);
    }

    /// `k_attrs PATH MODE OWNER GROUP`: sets them.
    pub fn apply(&self, sh: &mut Sh, path: &str) {
        self.call(sh, "k_attrs ", path);
    }

    /// As `probe`, of the file a symbolic link at `path` points to.
    pub fn probe_target(&self, sh: &mut Sh, path: &str) {
        self.call(sh, "k_attrs_ok -L ", path);
    }

    /// As `apply`, to the file a symbolic link at `path` points to.
    pub fn apply_target(&self, sh: &mut Sh, path: &str) {
        self.call(sh, "k_attrs -L ", path);
    }

    /// Whether the mode is symbolic (`u+rwX`): what it asks for depends on each file's
    /// type and current mode.
    pub fn mode_is_symbolic(&self) -> bool {
        self.mode.bytes().any(|b| !b.is_ascii_digit())
    }

    /// The arguments `MODE OWNER GROUP` for library functions that take them.
    pub fn args(&self, sh: &mut Sh) {
        sh.arg(&self.mode)
            .code(" ")
            .arg(&self.owner)
            .code(" ")
            .arg(&self.group);
    }

    fn call(&self, sh: &mut Sh, function: &'static str, path: &str) {
        sh.code(function).arg(path).code(" ");
        self.args(sh);
    }
}

/// A test that nothing is at `path`, not even a dangling symlink (`-e` follows links).
pub fn absent(path: &str) -> Sh {
    let mut test = Sh::of("[ ! -e ");
    test.arg(path).code(" ] && [ ! -L ").arg(path).code(" ]");
    test
}

/// `"644"` → `"0644"`; symbolic modes unchanged.
pub fn normalize_mode(mode: &str) -> String {
    if !mode.is_empty() && mode.len() < 4 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        format!("{mode:0>4}")
    } else {
        mode.to_owned()
    }
}
