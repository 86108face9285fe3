//! Adding one entry to a sorted list of lines in a source file (the op catalog, a module's
//! `mod` lines), so the scaffold edits the files a person would, where a person would.
//!
//! A list is a run of lines that `key` recognises; comment and attribute lines directly
//! above an entry belong to it (they move with it and do not end the run).

/// `text` with `entry` (one or more lines, the last one recognised by `key`) inserted into
/// the last run of `key`'s lines, keeping the run sorted by key. Refuses an entry whose
/// key is already there, and a text without such a run.
pub(crate) fn insert(
    text: &str,
    key: impl Fn(&str) -> Option<String>,
    entry: &str,
) -> Result<String, String> {
    let new_key = entry
        .lines()
        .last()
        .and_then(&key)
        .ok_or_else(|| format!("`{entry}` is not an entry of this list"))?;
    let lines: Vec<&str> = text.lines().collect();
    let run = last_run(&lines, &key).ok_or("no list to add to")?;
    let mut at = None;
    for index in run.clone() {
        let Some(existing) = key(lines[index]) else {
            continue;
        };
        if existing == new_key {
            return Err(format!("`{new_key}` is already listed"));
        }
        if existing > new_key && at.is_none() {
            at = Some(attached_start(&lines, index));
        }
    }
    let at = at.unwrap_or(run.end);
    let mut out: Vec<&str> = lines[..at].to_vec();
    out.extend(entry.lines());
    out.extend(&lines[at..]);
    Ok(out.join("\n") + "\n")
}

/// The lines of the last run: from its first entry's attached lines to just after its
/// last entry.
fn last_run(
    lines: &[&str],
    key: impl Fn(&str) -> Option<String>,
) -> Option<std::ops::Range<usize>> {
    let last = lines.iter().rposition(|l| key(l).is_some())?;
    let mut start = last;
    let mut index = last;
    while index > 0 {
        index -= 1;
        if key(lines[index]).is_some() {
            start = index;
        } else if !attached(lines[index]) {
            break;
        }
    }
    Some(attached_start(lines, start)..last + 1)
}

/// Where the entry on line `index` starts, counting the lines attached above it.
fn attached_start(lines: &[&str], index: usize) -> usize {
    let mut start = index;
    while start > 0 && attached(lines[start - 1]) {
        start -= 1;
    }
    start
}

fn attached(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("//") && !line.starts_with("//!") || line.starts_with("#[")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(line: &str) -> Option<String> {
        let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
        Some(name.to_owned())
    }

    #[test]
    fn inserts_in_order_in_the_last_run() {
        let text = "mod common;\npub mod globals;\n\nmod apk;\nmod files;\n\nuse x;\n";
        assert_eq!(
            insert(text, module, "mod brew;").unwrap(),
            "mod common;\npub mod globals;\n\nmod apk;\nmod brew;\nmod files;\n\nuse x;\n"
        );
        assert_eq!(
            insert(text, module, "mod zypper;").unwrap(),
            "mod common;\npub mod globals;\n\nmod apk;\nmod files;\nmod zypper;\n\nuse x;\n"
        );
        assert_eq!(
            insert(text, module, "mod a;").unwrap(),
            "mod common;\npub mod globals;\n\nmod a;\nmod apk;\nmod files;\n\nuse x;\n"
        );
    }

    #[test]
    fn attached_lines_move_with_their_entry() {
        let text = "mod a;\n// why\n#[allow(x)]\nmod c;\n";
        assert_eq!(
            insert(text, module, "#[allow(y)]\nmod b;").unwrap(),
            "mod a;\n#[allow(y)]\nmod b;\n// why\n#[allow(x)]\nmod c;\n"
        );
        assert_eq!(
            insert(text, module, "mod d;").unwrap(),
            "mod a;\n// why\n#[allow(x)]\nmod c;\nmod d;\n"
        );
    }

    #[test]
    fn refuses_a_duplicate_or_a_missing_list() {
        assert_eq!(
            insert("mod a;\n", module, "mod a;").unwrap_err(),
            "`a` is already listed"
        );
        assert_eq!(
            insert("use x;\n", module, "mod a;").unwrap_err(),
            "no list to add to"
        );
    }
}
