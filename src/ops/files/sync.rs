//! `files.sync`: make a directory on the host mirror a local directory, like pyinfra's
//! `files.sync` and Ansible's `synchronize`.

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::opdef::prelude::*;
use crate::opdef::{LowerInput, Step};
use crate::runtime::call::{self, EntryKind};
use crate::shell::Sh;
use crate::source::Span;
use crate::steps::attrs::{Attrs, normalize_mode};

pub(crate) const DEF: OpDef = OpDef::new(
    "files.sync",
    "Copy a local directory tree to the host, uploading only files that differ.",
    Network::Never,
    lower,
)
.main_arg("dest")
.args(&[
    arg("src", LocalPath, "The local directory to copy.").required(),
    arg("dest", Path, "The directory on the host to copy into.").required(),
    arg(
        "delete",
        Bool,
        "Remove files under `dest` that are not in `src` (and not excluded).",
    )
    .default(Default::Bool(false)),
    arg(
        "exclude",
        STR_LIST,
        "Glob patterns (matched against paths relative to `src`) of files to skip.",
    ),
    arg("mode", Mode, "Mode of the copied files."),
    arg(
        "dir_mode",
        Mode,
        "Mode of the copied directories, `dest` included.",
    ),
    arg(
        "owner",
        Account,
        "Owner of the copied files and directories.",
    ),
    arg(
        "group",
        Account,
        "Group of the copied files and directories.",
    ),
]);

/// One entry of the local tree, by its path relative to `src` (`/`-separated).
enum Entry {
    Dir,
    File(Vec<u8>),
    Link(String),
}

/// An `exclude` glob. `*` matches any characters (`/` included, as in `find -path` and shell
/// `case`), `?` one character, anything else itself. A pattern without `/` is matched against
/// every entry's name at any depth (`*.pyc`, `.git`); one with `/` against the path relative
/// to `src` (a leading `/` or `**/` is dropped). An excluded directory is skipped whole, and
/// with `delete`, excluded entries on the host are kept.
struct Glob {
    by_name: bool,
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    Star,
    One,
}

/// One step for the whole tree. The probe checks every entry: a directory is a directory, a
/// file a regular file whose POSIX `cksum` (CRC-32 and size, computed here at lowering) is the
/// local file's, a link a link with the same target; with `delete`, nothing extra is under
/// `dest` (`k_extras`). The act fixes only the entries that differ, so the content of each
/// file (in the script once, as `printf` lines, byte-exact) is written only when it changed.
/// Something of the wrong kind in the way (a directory where a file belongs) is replaced
/// only with `delete`; links in the way are always replaced. The diff lists the entries.
fn lower(input: &LowerInput) -> Result<Step, Diagnostic> {
    let src = input.str("src");
    let root = input.base_dir.join(src);
    if !root.is_dir() {
        return Err(Diagnostic::new(
            Code::InvalidPath,
            input.span("src"),
            format!("{} is not a directory", root.display()),
        )
        .label("this directory")
        .help("`src` is a local directory, relative to the manifest that names it"));
    }
    let delete = input.flag("delete");
    let raw_dest = input.str("dest");
    let trimmed = raw_dest.trim_end_matches('/');
    if delete && trimmed.is_empty() {
        return Err(Diagnostic::new(
            Code::InvalidPath,
            input.span("dest"),
            "refusing to delete extras under `/`",
        )
        .label("the root directory")
        .help("name the directory to mirror into"));
    }
    let dest = if trimmed.is_empty() { "/" } else { trimmed };
    let globs = globs(input)?;
    let mut entries = Vec::new();
    walk(input, &root, "", &globs, &mut entries)?;

    let owner = input.str("owner").to_owned();
    let group = input.str("group").to_owned();
    let file_attrs = Attrs {
        mode: normalize_mode(input.str("mode")),
        owner: owner.clone(),
        group: group.clone(),
    };
    let dir_attrs = Attrs {
        mode: normalize_mode(input.str("dir_mode")),
        owner: owner.clone(),
        group: group.clone(),
    };
    let link_attrs = Attrs {
        mode: String::new(),
        owner,
        group,
    };
    let keep = keep_function(&globs, &entries);

    let mut step = Step {
        verify: true,
        ..Step::default()
    };
    let mut probes: Vec<Sh> = Vec::new();
    let mut acts: Vec<Sh> = Vec::new();

    // `dest` itself: a link to a directory is fine here, as for `mkdir -p`.
    let mut probe = Sh::of("[ -d ");
    probe.arg(dest).code(" ]");
    with_attrs(&mut probe, &dir_attrs, dest);
    let mut shown = vec![format!("{dest}/")];
    let mut act = Sh::of("{ [ -d ");
    act.arg(dest)
        .code(" ] || { ")
        .push(&call::clear(dest, EntryKind::Directory, delete))
        .code(" && mkdir -p -- ")
        .arg(dest)
        .code("; }; }");
    apply_attrs(&mut act, &dir_attrs, dest);
    probes.push(probe);
    acts.push(act);

    for (rel, entry) in &entries {
        let path = if dest == "/" {
            format!("/{rel}")
        } else {
            format!("{dest}/{rel}")
        };
        let path = path.as_str();
        let (probe, act) = match entry {
            Entry::Dir => {
                let mut probe = Sh::of("[ -d ");
                probe.arg(path).code(" ] && [ ! -L ").arg(path).code(" ]");
                with_attrs(&mut probe, &dir_attrs, path);
                let mut act = call::clear(path, EntryKind::Directory, delete);
                act.code(" && { [ -d ")
                    .arg(path)
                    .code(" ] || mkdir -- ")
                    .arg(path)
                    .code("; }");
                apply_attrs(&mut act, &dir_attrs, path);
                (probe, act)
            }
            Entry::File(bytes) => {
                let sum = format!("{} {}", cksum(bytes), bytes.len());
                let same = call::cksum_is(path, &sum);
                let mut probe = same.clone();
                with_attrs(&mut probe, &file_attrs, path);
                let mut act = Sh::of("if ! ");
                act.push(&same)
                    .code("; then\n")
                    .push(&call::clear(path, EntryKind::File, delete))
                    .code(" && {\n");
                act.push(&call::content(bytes)).code("\n");
                act.code("} | ")
                    .push(&call::write(path, &file_attrs.for_call()));
                if !file_attrs.is_empty() {
                    act.code("\nelse ")
                        .push(&call::attrs(path, &file_attrs.for_call()));
                }
                act.code("\nfi");
                (probe, act)
            }
            Entry::Link(target) => {
                let same = call::link_is(path, target);
                let mut probe = same.clone();
                with_attrs(&mut probe, &link_attrs, path);
                let mut act = Sh::of("{ ");
                act.push(&same)
                    .code(" || { ")
                    .push(&call::clear(path, EntryKind::Link, delete))
                    .code(" && ")
                    .push(&call::symlink(path, target))
                    .code("; }; }");
                apply_attrs(&mut act, &link_attrs, path);
                (probe, act)
            }
        };
        shown.push(match entry {
            Entry::Dir => format!("{rel}/"),
            Entry::File(_) => rel.clone(),
            Entry::Link(target) => format!("{rel} -> {target}"),
        });
        probes.push(probe);
        acts.push(act);
    }
    // The diff names each entry that differs, then (with `delete`) each extra.
    for (i, (probe, shown)) in probes.iter().zip(&shown).enumerate() {
        if i > 0 {
            step.diff.code("\n");
        }
        step.diff
            .code("{ ")
            .push(probe)
            .code("; } || printf 'update %s\\n' ")
            .arg(shown);
    }
    if delete {
        step.probe.push(&keep).code("\n");
        let mut extras = Sh::of("[ -z \"$(");
        extras.push(&call::extras(false, dest)).code(")\" ]");
        probes.push(extras);
        step.act.push(&keep).code("\n");
        acts.push(call::extras(true, dest));
        step.diff.code("\n").push(&keep).code("\n");
        step.diff
            .code("[ ! -d ")
            .arg(dest)
            .code(" ] || ")
            .push(&call::extras(false, dest))
            .code(" | sed 's/^/remove /'");
    }
    for (i, probe) in probes.iter().enumerate() {
        if i > 0 {
            step.probe.code(" &&\n");
        }
        step.probe.push(probe);
    }
    for (i, act) in acts.iter().enumerate() {
        if i > 0 {
            step.act.code(" &&\n");
        }
        step.act.push(act);
    }
    Ok(step)
}

fn with_attrs(probe: &mut Sh, attrs: &Attrs, path: &str) {
    if !attrs.is_empty() {
        probe
            .code(" && ")
            .push(&call::attrs_ok(path, &attrs.for_call()));
    }
}

fn apply_attrs(act: &mut Sh, attrs: &Attrs, path: &str) {
    if !attrs.is_empty() {
        act.code(" && ").push(&call::attrs(path, &attrs.for_call()));
    }
}

/// `k_sync_keep REL NAME`, for `k_extras`: 0 for an excluded entry or a wanted file or link,
/// 2 for a wanted directory, 1 for an extra.
fn keep_function(globs: &[Glob], entries: &[(String, Entry)]) -> Sh {
    let glob_arm = |sh: &mut Sh, glob: &Glob| {
        sh.code("  ");
        for part in &glob.parts {
            match part {
                Part::Text(text) => sh.arg(text),
                Part::Star => sh.code("*"),
                Part::One => sh.code("?"),
            };
        }
        sh.code(") return 0 ;;\n");
    };
    let mut sh = Sh::new();
    if globs.iter().any(|g| g.by_name) {
        sh.code("  case $2 in\n");
        for glob in globs.iter().filter(|g| g.by_name) {
            glob_arm(&mut sh, glob);
        }
        sh.code("  esac\n");
    }
    // Exclusions first: `case` takes the first pattern that matches.
    sh.code("  case $1 in\n");
    for glob in globs.iter().filter(|g| !g.by_name) {
        glob_arm(&mut sh, glob);
    }
    for (rel, entry) in entries {
        sh.code("  ").arg(rel).code(match entry {
            Entry::Dir => ") return 2 ;;\n",
            _ => ") return 0 ;;\n",
        });
    }
    sh.code("  esac\n  return 1");
    call::keep_function(&sh)
}

fn globs(input: &LowerInput) -> Result<Vec<Glob>, Diagnostic> {
    let Some(list) = input.args.get("exclude").and_then(|v| v.value.as_list()) else {
        return Ok(Vec::new());
    };
    list.iter()
        .filter_map(|item| item.value.as_str().map(|s| (s, item.span)))
        .map(|(pattern, span)| glob(pattern, span))
        .collect()
}

fn glob(pattern: &str, span: Span) -> Result<Glob, Diagnostic> {
    let problem = |label: &str, help: &str| {
        Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{pattern}` is not an exclude pattern kiln supports"),
        )
        .label(label.to_owned())
        .help(help.to_owned())
    };
    if pattern.contains(['[', ']']) {
        return Err(problem(
            "bracket expression",
            "patterns support `*` and `?`; list each alternative as its own pattern",
        ));
    }
    let mut p = pattern.trim_end_matches('/');
    let anchored = p.starts_with('/');
    loop {
        if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else if let Some(rest) = p.strip_prefix("**/") {
            p = rest;
        } else {
            break;
        }
    }
    if p.is_empty() {
        return Err(problem(
            "matches nothing, or everything",
            "name files (`*.log`) or paths relative to `src` (`cache/*`)",
        ));
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Star);
            }
            '?' => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::One);
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(Glob {
        by_name: !anchored && !p.contains('/'),
        parts,
    })
}

impl Glob {
    fn excludes(&self, rel: &str, name: &str) -> bool {
        let subject: Vec<char> = if self.by_name { name } else { rel }.chars().collect();
        matches(&self.parts, &subject)
    }
}

fn matches(parts: &[Part], subject: &[char]) -> bool {
    match parts.split_first() {
        None => subject.is_empty(),
        Some((Part::Text(text), rest)) => {
            let text: Vec<char> = text.chars().collect();
            subject.starts_with(&text) && matches(rest, &subject[text.len()..])
        }
        Some((Part::One, rest)) => !subject.is_empty() && matches(rest, &subject[1..]),
        Some((Part::Star, rest)) => (0..=subject.len()).any(|i| matches(rest, &subject[i..])),
    }
}

/// The local tree under `dir`, depth first, directories before what they hold, by name.
fn walk(
    input: &LowerInput,
    dir: &Path,
    prefix: &str,
    globs: &[Glob],
    out: &mut Vec<(String, Entry)>,
) -> Result<(), Diagnostic> {
    let unreadable = |path: &Path, error: std::io::Error| {
        Diagnostic::new(
            Code::InvalidPath,
            input.span("src"),
            format!("cannot read {}: {error}", path.display()),
        )
        .label("in this directory")
        .help("every file under `src` must be readable")
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        names.push(entry.file_name());
    }
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let Some(name) = name.to_str() else {
            return Err(Diagnostic::new(
                Code::InvalidPath,
                input.span("src"),
                format!("{} is not a UTF-8 name", path.display()),
            )
            .label("in this directory")
            .help("rename it, or exclude it with `exclude`"));
        };
        let rel = format!("{prefix}{name}");
        if globs.iter().any(|g| g.excludes(&rel, name)) {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).map_err(|e| unreadable(&path, e))?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).map_err(|e| unreadable(&path, e))?;
            let Some(target) = target.to_str() else {
                return Err(Diagnostic::new(
                    Code::InvalidPath,
                    input.span("src"),
                    format!("the link {} has a target that is not UTF-8", path.display()),
                )
                .label("in this directory")
                .help("change the link, or exclude it with `exclude`"));
            };
            out.push((rel, Entry::Link(target.to_owned())));
        } else if meta.is_dir() {
            out.push((rel.clone(), Entry::Dir));
            walk(input, &path, &format!("{rel}/"), globs, out)?;
        } else if meta.is_file() {
            let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e))?;
            out.push((rel, Entry::File(bytes)));
        } else {
            return Err(Diagnostic::new(
                Code::InvalidPath,
                input.span("src"),
                format!("{} is not a file, directory or link", path.display()),
            )
            .label("in this directory")
            .help("sockets, pipes and devices cannot be copied: exclude it with `exclude`"));
        }
    }
    Ok(())
}

/// The POSIX `cksum` CRC of `bytes` (what `cksum < FILE` prints first).
fn cksum(bytes: &[u8]) -> u32 {
    const fn table() -> [u32; 256] {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = (i as u32) << 24;
            let mut bit = 0;
            while bit < 8 {
                c = if c & 0x8000_0000 != 0 {
                    (c << 1) ^ 0x04c1_1db7
                } else {
                    c << 1
                };
                bit += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    }
    const TABLE: [u32; 256] = table();
    let step = |crc: u32, byte: u8| (crc << 8) ^ TABLE[((crc >> 24) ^ u32::from(byte)) as usize];
    let mut crc = bytes.iter().fold(0, |crc, b| step(crc, *b));
    let mut len = bytes.len();
    while len != 0 {
        crc = step(crc, (len & 0xff) as u8);
        len >>= 8;
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn cksum_is_posix() {
        assert_eq!(cksum(b""), 4_294_967_295);
        assert_eq!(cksum(b"123456789"), 930_766_865);
        assert_eq!(cksum(b"hello\n"), 3_015_617_425);
    }

    #[test]
    fn globs_match_names_or_paths() {
        let span = Span::new(FileId(0), 0..0);
        let g = |p: &str| glob(p, span).ok().unwrap();
        assert!(g("*.pyc").excludes("a/b/c.pyc", "c.pyc"));
        assert!(!g("*.pyc").excludes("a.pyc.txt", "a.pyc.txt"));
        assert!(g(".git/").excludes("sub/.git", ".git"));
        assert!(g("**/node_modules").excludes("x/node_modules", "node_modules"));
        assert!(g("/cache/*").excludes("cache/a/b", "b"));
        assert!(g("/build").excludes("build", "build"));
        assert!(!g("/build").excludes("docs/build", "build"));
        assert!(!g("cache/*").excludes("sub/cache/a", "a"));
        assert!(g("file?.txt").excludes("file1.txt", "file1.txt"));
        assert!(glob("[ab].txt", span).is_err());
        assert!(glob("/", span).is_err());
    }
}
