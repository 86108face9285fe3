//! Building shell text from typed words.
//!
//! [`Sh`] only accepts three kinds of input: `code`, which must be a `&'static str` written
//! in kiln's own source (so no user value can ever be pasted in as code); `arg`/`secret`,
//! which go through [`quote`]; and [`UserShell`], shell that the user wrote *as shell*
//! (a `server.shell` command, an `unless` guard), inserted as they wrote it. Secrets render
//! as `***` in the display form used for plans, logs and reports.

use super::quote::quote;

/// Shell code the user wrote as shell (never a value that merely ends up in a command).
#[derive(Clone, Debug, PartialEq)]
pub struct UserShell(pub String);

/// A fragment of shell text, with a display form that masks secrets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sh {
    text: String,
    display: String,
}

impl Sh {
    pub fn new() -> Self {
        Sh::default()
    }

    /// Starts a fragment with trusted code.
    pub fn of(code: &'static str) -> Self {
        let mut sh = Sh::new();
        sh.code(code);
        sh
    }

    /// Appends trusted code, verbatim.
    pub fn code(&mut self, code: &'static str) -> &mut Self {
        self.text.push_str(code);
        self.display.push_str(code);
        self
    }

    /// Appends `value` as one quoted word.
    pub fn arg(&mut self, value: &str) -> &mut Self {
        let quoted = quote(value);
        self.text.push_str(&quoted);
        self.display.push_str(&quoted);
        self
    }

    /// Appends an integer (which needs no quoting).
    pub fn int(&mut self, value: i64) -> &mut Self {
        let text = value.to_string();
        self.text.push_str(&text);
        self.display.push_str(&text);
        self
    }

    /// Appends `value` as one quoted word, shown as `***`.
    pub fn secret(&mut self, value: &str) -> &mut Self {
        self.text.push_str(&quote(value));
        self.display.push_str("'***'");
        self
    }

    /// Appends shell the user wrote as shell.
    pub fn user(&mut self, shell: &UserShell) -> &mut Self {
        self.text.push_str(&shell.0);
        self.display.push_str(&shell.0);
        self
    }

    /// Appends another fragment.
    pub fn push(&mut self, other: &Sh) -> &mut Self {
        self.text.push_str(&other.text);
        self.display.push_str(&other.display);
        self
    }

    /// Appends another fragment as one quoted word (e.g. a script for `sh -c`).
    pub fn quoted(&mut self, other: &Sh) -> &mut Self {
        self.text.push_str(&quote(&other.text));
        self.display.push_str(&quote(&other.display));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The shell text to run.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text to show people: secrets masked.
    pub fn display(&self) -> &str {
        &self.display
    }
}
