//! Inventory programs: an executable given as `-i` is run with `--list` (as Ansible does) and
//! must print the inventory as JSON, in the same shape as a TOML inventory:
//! `{"vars": {...}, "hosts": {"web1": {"address": "...", "vars": {...}}}, "groups": {...}}`.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::value::{NullValue, from_json};
use crate::model::{InventoryFile, Value};
use crate::source::{FileId, SourceMap, Span, Spanned};
use crate::syntax::to_model;

/// An inventory program that has not answered by then is killed.
const TIMEOUT: Duration = Duration::from_secs(60);

pub(super) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// Runs the program and reads its inventory. Its output becomes a source file, so errors in
/// it are shown like errors in any inventory file.
pub(super) fn run(
    sources: &mut SourceMap,
    program: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<InventoryFile> {
    let name = Path::new(&format!("{} --list", program.display())).to_path_buf();
    let text = match list(program) {
        Ok(text) => text,
        Err(why) => {
            let file = sources.add(&name, String::new());
            diagnostics.push(
                Diagnostic::new(
                    Code::DynamicInventory,
                    Span::new(file, 0..0),
                    format!("inventory program `{}` failed: {why}", name.display()),
                )
                .help("an inventory program prints the inventory as JSON on stdout and exits 0"),
            );
            return None;
        }
    };
    let file = sources.add(&name, text);
    let root = json(
        sources,
        file,
        (Code::DynamicInventory, "inventory program printed"),
        diagnostics,
    )?;
    Some(to_model::inventory(root, diagnostics))
}

/// What `program --list` prints, or why it printed nothing usable: it could not start,
/// took longer than [`TIMEOUT`], failed, or printed what is not UTF-8.
fn list(program: &Path) -> Result<String, String> {
    let program_path = if program.is_absolute() || program.components().count() > 1 {
        program.to_path_buf()
    } else {
        Path::new(".").join(program)
    };
    let mut child = Command::new(&program_path)
        .arg("--list")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| error.to_string())?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut output = Vec::new();
        stdout.read_to_end(&mut output).map(|_| output)
    });
    let status = wait(&mut child)?;
    let output = match reader.join() {
        Ok(Ok(output)) => output,
        _ => return Err("could not read its output".into()),
    };
    if !status.success() {
        return Err(match status.code() {
            Some(code) => format!("it exited with status {code}"),
            None => format!("it was killed ({status})"),
        });
    }
    String::from_utf8(output).map_err(|_| "its output is not UTF-8".into())
}

/// The program's exit status; killed once [`TIMEOUT`] has passed.
fn wait(child: &mut std::process::Child) -> Result<std::process::ExitStatus, String> {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {}s", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => return Err(error.to_string()),
        }
    }
}

/// The JSON document in `file` as a [`Value`] spanning the whole file, or `None` (reported
/// with `code`, as what `printed` says: "inventory program printed invalid JSON").
pub(super) fn json(
    sources: &SourceMap,
    file: FileId,
    (code, printed): (Code, &str),
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<Value>> {
    let text = &sources.file(file).text;
    let whole = Span::new(file, 0..text.len());
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(json) => match from_json(json, whole) {
            Ok(root) => Some(root),
            Err(NullValue) => {
                diagnostics.push(
                    Diagnostic::new(code, whole, format!("{printed} `null`"))
                        .label("in this output")
                        .help("leave the key out instead"),
                );
                None
            }
        },
        Err(error) => {
            let offset = line_offset(text, error.line(), error.column());
            diagnostics.push(
                Diagnostic::new(
                    code,
                    Span::new(file, offset..offset),
                    format!("{printed} invalid JSON: {error}"),
                )
                .label("here"),
            );
            None
        }
    }
}

fn line_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}
