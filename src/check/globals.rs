//! Global op arguments, typed, with include inheritance.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::opdef::{ArgValue, OpArgs};
use crate::source::Spanned;

/// Global arguments an `include` may set for everything it includes.
pub const INHERITABLE: &[&str] = &[
    "when",
    "tags",
    "sudo",
    "sudo_user",
    "su_user",
    "ignore_errors",
    "sensitive",
    "hosts",
    "groups",
];

/// How many hosts run an op at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serial {
    Count(u32),
    Percent(u8),
}

/// The typed global arguments of one op, after include inheritance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Globals {
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub sudo: bool,
    pub sudo_user: Option<Spanned<String>>,
    pub su_user: Option<Spanned<String>>,
    /// Every condition that must hold: the enclosing includes' first, then the op's own.
    pub when: Vec<Spanned<String>>,
    pub tags: Vec<String>,
    /// The name the op's result is kept under on the host (`check::registered`).
    pub register: Option<Spanned<String>>,
    /// For a command: whether it changed or failed, decided from its result.
    pub changed_when: Option<Spanned<String>>,
    pub failed_when: Option<Spanned<String>>,
    pub notify: Vec<Spanned<String>>,
    pub ignore_errors: bool,
    /// Never show the op's content, diff or output.
    pub sensitive: bool,
    pub retries: i64,
    /// Seconds.
    pub retry_delay: i64,
    /// Only on the first host of the run the op applies to.
    pub run_once: bool,
    pub hosts: Vec<Spanned<String>>,
    pub groups: Vec<Spanned<String>>,
    pub serial: Option<Serial>,
    /// The loops the op repeats in: its includes', outermost first, then its own
    /// (`super::loops`).
    pub loops: Vec<super::loops::Loop>,
}

impl Globals {
    /// Applies typed global arguments on top of (inherited) `self`: the op's own value wins,
    /// except `when` and `tags`, which accumulate.
    pub fn apply(&mut self, args: &OpArgs, diagnostics: &mut Diagnostics) {
        for (name, value) in args.iter() {
            let strings = || strings(&value.value);
            match name {
                "id" => self.id = string(value),
                "name" => self.name = string(value),
                "sudo" => self.sudo = value.value.as_bool().unwrap_or(false),
                "sudo_user" => {
                    self.sudo_user = string(value);
                    self.sudo = true;
                }
                "su_user" => self.su_user = string(value),
                "when" => self.when.extend(string(value)),
                "tags" => {
                    for tag in strings() {
                        if !self.tags.contains(&tag.value) {
                            self.tags.push(tag.value);
                        }
                    }
                }
                "register" => self.register = string(value),
                "changed_when" => self.changed_when = string(value),
                "failed_when" => self.failed_when = string(value),
                "notify" => self.notify = strings(),
                "ignore_errors" => self.ignore_errors = value.value.as_bool().unwrap_or(false),
                "sensitive" => self.sensitive = value.value.as_bool().unwrap_or(false),
                "retries" => self.retries = value.value.as_int().unwrap_or(0),
                "retry_delay" => self.retry_delay = value.value.as_int().unwrap_or(0),
                "run_once" => self.run_once = value.value.as_bool().unwrap_or(false),
                "hosts" => self.hosts = strings(),
                "groups" => self.groups = strings(),
                "serial" => self.serial = serial(value, diagnostics),
                _ => {}
            }
        }
        if let (Some(su), true) = (&self.su_user, self.sudo) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ConflictingArguments,
                    su.span,
                    "`su_user` and `sudo` cannot both be used",
                )
                .label("switches user with su")
                .help("choose one way to change user: `sudo_user` or `su_user`"),
            );
        }
    }
}

fn string(value: &Spanned<ArgValue>) -> Option<Spanned<String>> {
    value
        .value
        .as_str()
        .map(|s| Spanned::new(s.to_owned(), value.span))
}

fn strings(value: &ArgValue) -> Vec<Spanned<String>> {
    value
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(string)
        .collect()
}

/// `serial = 2` or `serial = "25%"`.
fn serial(value: &Spanned<ArgValue>, diagnostics: &mut Diagnostics) -> Option<Serial> {
    let text = value.value.as_str()?;
    let parsed = match text.strip_suffix('%') {
        Some(percent) => percent
            .parse::<u8>()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .map(Serial::Percent),
        None => text
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Serial::Count),
    };
    if parsed.is_none() {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                value.span,
                format!("`{text}` is not a batch size"),
            )
            .label("expected a count or a percentage")
            .help(
                "write a whole number of hosts (`serial = 2`) or a percentage (`serial = \"25%\"`)",
            ),
        );
    }
    parsed
}
