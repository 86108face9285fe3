//! `edits.sh` and `edit_programs.sh`: line edits (`files.line`, `files.block`,
//! `files.replace`, `files.ini`), run as their steps run them, through `k_edit`.

use kiln::regex::{Regex, Replacement};
use kiln::shell::quote;

use super::{Case, case, functions};

/// A call built at run time (regexes' matcher programs), for a case.
fn call(text: String) -> Case {
    case(Box::leak(text.into_boxed_str()))
}

fn regex(pattern: &str) -> Regex {
    Regex::parse(pattern, false).unwrap()
}

/// The matcher program of `pattern`, quoted.
fn program(pattern: &str) -> String {
    quote(&regex(pattern).program().unwrap())
}

/// `text` as a replacement for `pattern`, encoded and quoted.
fn replacement(text: &str, pattern: &str) -> String {
    quote(&Replacement::parse(text, &regex(pattern)).unwrap().encode())
}

/// `k_replace` of `pattern` by `text`, between `after` and `before` (unless empty), applied
/// to `f`.
fn replace(pattern: &str, text: &str, after: &str, before: &str) -> Case {
    let mut call_text = format!(
        "k_edit act --path f -- k_replace --program {} --replacement {}",
        program(pattern),
        replacement(text, pattern)
    );
    for (option, pattern) in [("--after", after), ("--before", before)] {
        if !pattern.is_empty() {
            call_text.push_str(&format!(" {option} {}", program(pattern)));
        }
    }
    call(call_text)
}

/// A file `f` of three lines, mode 0640.
const THREE: &str = "umask 022; printf 'a\\nb\\nc\\n' > f; chmod 640 f";

functions! {
    k_edit => [
        // ok: whether the edit would change nothing (and the mode holds).
        case("k_edit ok --path f -- k_line --line b && echo holds; k_edit ok --path f -- k_line --line d || echo differs; k_edit ok --path f --mode 0600 -- k_line --line b || echo mode")
            .given(THREE)
            .prints("holds\ndiffers\nmode\n"),
        // --validate: the new file ($1) must pass, else the file stays (the same inode);
        // diff validates a candidate first.
        case("ls -i f > inode; k_edit act --path f --validate '! grep -q d \"$1\"' -- k_line --line d; echo \"$?\"; cat f; ls -i f | cmp -s - inode && echo same; k_edit act --path f --validate 'grep -q d \"$1\"' -- k_line --line d; cat f")
            .given(THREE)
            .prints("1\na\nb\nc\nsame\na\nb\nc\nd\n")
            .says("kiln: f: the new content is invalid, not installed\n"),
        case("k_edit diff --path f --validate 'false' -- k_line --line d; echo \"$?\"; k_edit diff --path f --validate 'true' -- k_line --line d")
            .given(THREE)
            .prints("1\n--- f\n+++ f (desired)\n@@ -1,3 +1,4 @@\n a\n b\n c\n+d\n")
            .says("kiln: would fail validation\n"),
        // act: written beside, renamed over, the mode kept.
        case("k_edit act --path f -- k_line --line d; cat f; stat -c %a f")
            .given(THREE)
            .prints("a\nb\nc\nd\n640\n")
            .leaves("ls -A", "f\n"),
        case("k_edit act --path f --mode 0600 --backup -- k_line --line d; cat f.20240102030405~; stat -c %a f")
            .given(THREE)
            .stub("date", "echo 20240102030405")
            .prints("a\nb\nc\n600\n"),
        case("k_edit diff --path f -- k_line --line d")
            .given(THREE)
            .prints("--- f\n+++ f (desired)\n@@ -1,3 +1,4 @@\n a\n b\n c\n+d\n"),
        // A missing file: empty when it may be created (with its directory), else an error
        // (silent for the probe).
        case("k_edit act --path new/f --missing empty -- k_line --line d; cat new/f").prints("d\n"),
        case("k_edit ok --path f --missing fail-create -- k_line --line d || echo probe-fails").prints("probe-fails\n"),
        case("k_edit act --path f --missing fail-create -- k_line --line d")
            .status(1)
            .says("kiln: f does not exist (create = true creates it)\n"),
        case("k_edit diff --path f -- k_line --line d").status(1).says("kiln: f does not exist\n"),
        case("k_edit act --path d -- k_line --line d")
            .given("mkdir d")
            .status(1)
            .says("kiln: d is a directory, not a file\n"),
        case("k_edit act --path p -- k_line --line d")
            .given("mkfifo p")
            .status(1)
            .says("kiln: p is not a regular file\n"),
        // A link is followed: its target is edited, and stays a link.
        case("k_edit act --path d/l -- k_line --line d; cat f; [ -L d/l ] && echo link")
            .given("printf 'a\\n' > f; mkdir d; ln -s ../f d/l")
            .prints("a\nd\nlink\n"),
        case("k_edit act --path l -- k_line --line d")
            .given("ln -s l l")
            .status(1)
            .says("kiln: l: too many levels of symbolic links\n"),
        case("k_edit act --path l -- k_line --line d")
            .given("printf 'a\\n' > f; ln -s f l; chown -h 65534 l")
            .root()
            .status(1)
            .says("kiln: l: l is a symbolic link owned by user 65534: not following it\n")
            .leaves("cat f", "a\n"),
        // A last line without its newline gets one before what follows it.
        case("k_edit act --path f -- k_line --line b; od -c f | sed 1q")
            .given("printf a > f")
            .prints("0000000   a  \\n   b  \\n\n"),
    ],
    k_edit_err => [
        case("k_edit_verb=act; k_edit_err 'f: no'").says("kiln: f: no\n"),
        case("k_edit_verb=ok; k_edit_err 'f: no'"),
    ],
    k_edit_run => [
        // The edit's values reach awk in its environment alone.
        case("k_edit_run line K_LINE K_RE K_PRESENT K_FIRST K_WHERE K_AT K_RX K_REPL; echo \"${K_LINE-unset}\"")
            .given("printf 'x\\n' > f; k_edit_src=f k_edit_op=want k_edit_path=f k_edit_noeol=0 K_LINE=y K_RE='' K_PRESENT=1 K_FIRST=0 K_WHERE=eof K_AT='' K_RX='' K_REPL=''")
            .prints("x\ny\nunset\n"),
        // For a fused run, they are only handed on, under the member's number.
        case("k_edit_op=member k_edit_member=2; k_edit_run line K_LINE; env | grep '^K_2_' | sort")
            .given("K_LINE='a b'")
            .prints("K_2_EDIT=line\nK_2_LINE=a b\n"),
    ],
    k_line => [
        // An exact line is looked for by the shell alone: no command runs (the system has
        // none but `printf`, a program under mksh), in a CRLF file too, and without a last
        // newline.
        case("k_edit ok --path f -- k_line --line b && k_edit ok --path f -- k_line --line d --absent && ! k_edit ok --path f -- k_line --line d && echo holds")
            .given("printf 'a\\r\\nb\\r\\nc' > f")
            .only(&["printf"])
            .prints("holds\n"),
        case("k_edit act --path f -- k_line --line b; k_edit act --path f -- k_line --line d; cat f")
            .given(THREE)
            .prints("a\nb\nc\nd\n"),
        // The last line matching REGEXP is replaced (the first, with FIRST); when the new
        // line does not match, the next one too (where repeated runs would end).
        case("k_edit act --path f -- k_line --line a2 --regexp '^[ab]'; cat f").given(THREE).prints("a\na2\nc\n"),
        case("k_edit act --path f -- k_line --line a2 --regexp '^[ab]' --first; cat f").given(THREE).prints("a2\nb\nc\n"),
        case("k_edit act --path f -- k_line --line X --regexp '^[ab]'; cat f").given(THREE).prints("X\nX\nc\n"),
        // A new line goes after or before the anchor, at the start, or at the end.
        case("k_edit act --path f -- k_line --line X --where after --anchor '^a'; cat f").given(THREE).prints("a\nX\nb\nc\n"),
        case("k_edit act --path f -- k_line --line X --where before --anchor '^c'; cat f").given(THREE).prints("a\nb\nX\nc\n"),
        case("k_edit act --path f -- k_line --line X --where bof; cat f").given(THREE).prints("X\na\nb\nc\n"),
        case("k_edit act --path f -- k_line --line X --where after --anchor '^none'; cat f").given(THREE).prints("a\nb\nc\nX\n"),
        // Absent: every line matching (or equal to LINE) goes.
        case("k_edit act --path f -- k_line --regexp '^[ab]' --absent; cat f").given(THREE).prints("c\n"),
        case("k_edit act --path f -- k_line --line b --absent; cat f").given(THREE).prints("a\nc\n"),
        // A CRLF file keeps its line endings.
        case("k_edit act --path f -- k_line --line X --regexp '^b'; k_edit act --path f -- k_line --line Y; od -An -c f")
            .given("printf 'a\\r\\nb\\r\\n' > f")
            .prints("   a  \\r  \\n   X  \\r  \\n   Y  \\r  \\n\n"),
        // Back-references: the matching line becomes the replacement expanded.
        call(format!(
            "k_edit act --path f -- k_line --line 'v=\\1' --regexp '^version ([0-9]+)' --program {} --replacement {}; cat f",
            program("^version ([0-9]+)"),
            replacement("v=\\1", "^version ([0-9]+)")
        ))
        .given("printf 'version 12\\nx\\n' > f")
        .prints("v=12\nx\n"),
    ],
    k_block => [
        // Inserted at the end, between its markers.
        case("k_edit act --path f --missing empty -- k_block --begin '# BEGIN' --end '# END' --count 2 --lines 'x\ny'; cat f")
            .given(THREE)
            .prints("a\nb\nc\n# BEGIN\nx\ny\n# END\n"),
        // Rewritten in place; a second copy goes.
        case("k_edit act --path f --missing empty -- k_block --begin '# BEGIN' --end '# END' --count 1 --lines 'new'; cat f")
            .given("printf 'a\\n# BEGIN\\nold\\n# END\\nb\\n# BEGIN\\nold\\n# END\\n' > f")
            .prints("a\n# BEGIN\nnew\n# END\nb\n"),
        case("k_edit act --path f --missing empty -- k_block --begin '# BEGIN' --end '# END' --count 0 --lines '' --absent; cat f")
            .given("printf 'a\\n# BEGIN\\nold\\n# END\\nb\\n' > f")
            .prints("a\nb\n"),
        // Blank lines kept before and after it, and placed after the first anchor match.
        case("k_edit act --path f --missing empty -- k_block --begin '# BEGIN' --end '# END' --count 1 --lines 'x' --first --blank-before --blank-after --where after --anchor '^[ab]'; cat f")
            .given(THREE)
            .prints("a\n\n# BEGIN\nx\n# END\n\nb\nc\n"),
        case("k_edit act --path f --missing empty -- k_block --begin '# BEGIN' --end '# END' --count 1 --lines 'x'")
            .given("printf '# BEGIN\\nx\\n' > f")
            .status(1)
            .says("kiln: f: line 1: an opening marker without a closing marker (fix the file by hand)\n"),
    ],
    k_replace => [
        replace("b+", "B", "", "")
            .given("printf 'abbcb\\nb\\n' > f")
            .leaves("cat f", "aBcB\nB\n"),
        replace("(\\w+)@", "\\1 at ", "", "")
            .given("printf 'me@x you@y\\n' > f")
            .leaves("cat f", "me at x you at y\n"),
        // Only between AFTER and BEFORE; nothing when one is not found.
        replace("x", "y", "<", ">")
            .given("printf 'x<x\\nx>x\\n' > f")
            .leaves("cat f", "x<y\ny>x\n"),
        replace("x", "y", "none", "").given("printf 'x\\n' > f").leaves("cat f", "x\n"),
        // A replacement that would change again fails before anything is written.
        replace("1\\.0", "1.0.0", "", "")
            .given("printf 'v1.0\\n' > f")
            .status(1)
            .says("kiln: f: line 1: the replacement does not settle: the result still matches, and the next run would make \"v1.0.0.0\" of it; nothing was written\n")
            .leaves("cat f", "v1.0\n"),
    ],
    k_ini => [
        // Set in place (a commented-out setting too), its other lines removed.
        case("k_edit act --path f -- k_ini --section s --option o --value 2; cat f")
            .given("printf '[s]\\n;o = 0\\nx = 1\\no=1\\n[t]\\no = 3\\n' > f")
            .prints("[s]\no = 2\nx = 1\n[t]\no = 3\n"),
        // Added after the section's last setting (not after its trailing comments and
        // blank lines); a missing section at the end; without a section, before the first.
        case("k_edit act --path f -- k_ini --section s --option o --value 2 --tight; cat f")
            .given("printf '[s]\\nx = 1\\n# c\\n\\n[t]\\n' > f")
            .prints("[s]\nx = 1\no=2\n# c\n\n[t]\n"),
        case("k_edit act --path f -- k_ini --section u --option o --no-value; k_edit act --path f -- k_ini --option g --value 1; cat f")
            .given("printf '[s]\\n' > f")
            .prints("g = 1\n[s]\n[u]\no\n"),
        // Absent: the option's lines (only VALUE's, with --keep-others), or the section.
        case("k_edit act --path f -- k_ini --section s --option o --value 1 --absent --keep-others; cat f")
            .given("printf '[s]\\no = 1\\no = 2\\n[t]\\nx = 1\\n' > f")
            .prints("[s]\no = 2\n[t]\nx = 1\n"),
        case("k_edit act --path f -- k_ini --section s --absent; cat f")
            .given("printf 'g = 1\\n[s]\\no = 1\\n[t]\\nx = 1\\n' > f")
            .prints("g = 1\n[t]\nx = 1\n"),
        // Nothing to change: the probe holds.
        case("k_edit ok --path f -- k_ini --section s --option o --value 1")
            .given("printf '[s]\\no = 1\\n' > f")
            .prints(""),
    ],
}
