//! Mode, owner and group of a path, as the file ops take them, for the runtime calls that
//! check and set them (`k_attrs_ok`, `k_attrs`: a symbolic link at the path is managed as
//! itself, owner and group going on the link, or with `-L` followed). An op that sets a
//! mode where a link may be must follow it or refuse the link: `chmod` always follows one,
//! so the link's own mode (which Linux ignores) would be read and never change.

use crate::opdef::LowerInput;
use crate::runtime::call::Attributes;

/// The `mode`, `owner` and `group` arguments of an op; empty means "leave as is".
pub(crate) struct Attrs {
    /// Octal modes normalized to four digits; symbolic modes as written.
    pub mode: String,
    pub owner: String,
    pub group: String,
}

impl Attrs {
    pub(crate) fn of(input: &LowerInput) -> Attrs {
        Attrs {
            mode: normalize_mode(input.str("mode")),
            owner: input.str("owner").to_owned(),
            group: input.str("group").to_owned(),
        }
    }

    /// The attributes as runtime calls take them.
    pub(crate) fn for_call(&self) -> Attributes<'_> {
        Attributes {
            mode: &self.mode,
            owner: &self.owner,
            group: &self.group,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.mode.is_empty() && self.owner.is_empty() && self.group.is_empty()
    }
}

/// `"644"` → `"0644"`; symbolic modes unchanged.
pub(crate) fn normalize_mode(mode: &str) -> String {
    if !mode.is_empty() && mode.len() < 4 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        format!("{mode:0>4}")
    } else {
        mode.to_owned()
    }
}
