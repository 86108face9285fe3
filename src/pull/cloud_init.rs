//! A host's script as cloud-config user-data: `write_files` writes it (root's, mode 0700)
//! and `runcmd` runs it once, at the end of the first boot. The user-data carries the
//! script whole, its secrets too.
//!
//! The script is a YAML literal block, as readable as the script itself, when YAML can
//! hold it as it is (printable characters, no other line break than `\n`); else it is
//! base64 (`encoding: b64`). Either way cloud-init writes the same bytes.

use std::fmt::Write;

use base64::Engine;

/// Where the user-data writes the script on the host.
const SCRIPT_PATH: &str = "/var/lib/kiln/script.sh";

/// The cloud-config user-data installing and running `script`, the script of `host`.
pub fn cloud_init(host: &str, script: &[u8]) -> String {
    let mut out = String::from("#cloud-config\n");
    let _ = writeln!(
        out,
        "# kiln: the script of {}, written and run once at first boot.\n\
         # It holds the script's secrets: keep this user-data as private as the script.",
        host.replace(|c: char| c.is_control(), " ")
    );
    let _ = write!(
        out,
        "write_files:\n  - path: {SCRIPT_PATH}\n    owner: root:root\n    permissions: '0700'\n"
    );
    match std::str::from_utf8(script).ok().filter(|s| literal(s)) {
        Some(text) => {
            // Indented two spaces more than the key: the indicator says so, whatever the
            // first line starts with; the chomping keeps exactly the script's last newlines.
            let chomp = match text.len() - text.trim_end_matches('\n').len() {
                0 => "-",
                1 => "",
                _ => "+",
            };
            let _ = writeln!(out, "    content: |2{chomp}");
            for line in text.trim_end_matches('\n').split('\n') {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "      {line}");
                }
            }
            for _ in 1..(text.len() - text.trim_end_matches('\n').len()) {
                out.push('\n');
            }
        }
        None => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(script);
            let _ = writeln!(out, "    encoding: b64\n    content: {encoded}");
        }
    }
    let _ = writeln!(out, "runcmd:\n  - [sh, {SCRIPT_PATH}]");
    out
}

/// Whether `text` can be a YAML literal block as it is: YAML's printable characters only,
/// without the line breaks other than `\n` that YAML 1.1 readers honour (a line's leading
/// white space is kept by the block's explicit indentation).
fn literal(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| match c {
            '\t' | '\n' | ' '..='~' => true,
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => false,
            c => c >= '\u{a0}',
        })
}
