//! `files.sh`: modes, owners, paths and atomic writes.

use super::{case, functions};

/// A file `f` (0640), a link `l` to it, a directory `d` (0750).
const FILES: &str = "umask 022; echo content > f; chmod 640 f; ln -s f l; mkdir -m 750 d";

/// The same, with `f` and `d` given to user and group 65534 (root only).
const THEIRS: &str =
    "umask 022; echo content > f; chmod 640 f; ln -s f l; mkdir -m 750 d; chown 65534:65534 f d";

functions! {
    k_stat => [
        case("k_stat f; echo \"$k_stat_mode\"; [ \"$k_stat_owner\" = \"$(id -u):$(id -g)\" ] && echo owner")
            .given(FILES)
            .prints("0640\nowner\n"),
        // Special bits, read from the `ls -l` mode string.
        case("for m in 4755 2750 1777 4644 6000 0; do chmod $m f; k_stat f; echo \"$k_stat_mode\"; done")
            .given(FILES)
            .prints("4755\n2750\n1777\n4644\n6000\n0000\n"),
        // A link as itself, or with -L as the file it points to.
        case("k_stat l; echo \"$k_stat_mode\"; k_stat -L l; echo \"$k_stat_mode\"; k_stat -L d; echo \"$k_stat_mode\"")
            .given(FILES)
            .prints("0777\n0640\n0750\n"),
        case("k_stat f; echo \"$k_stat_owner\"").given(THEIRS).root().prints("65534:65534\n"),
        case("k_stat missing").status(1),
    ],
    k_follows => [
        case("k_follows f && k_follows l && k_follows missing && echo follows").given(FILES).prints("follows\n"),
        case("k_follows l")
            .given("echo x > f; ln -s f l; chown -h 65534 l")
            .root()
            .status(1)
            .says("kiln: l is a symbolic link owned by user 65534: not following it (follow = false, force = true replaces it)\n"),
    ],
    k_mode_of => [
        case("k_mode_of f; k_mode_of l; k_mode_of -L l; k_mode_of d").given(FILES).prints("0640\n0777\n0640\n0750\n"),
        case("k_mode_of missing").status(1),
    ],
    k_mode_want => [
        case("k_mode_want f 0600; k_mode_want f u+x; k_mode_want f a+X; k_mode_want d a+X; k_mode_want d go=; k_mode_want -L l o+r")
            .given(FILES)
            .prints("0600\n0740\n0640\n0751\n0700\n0644\n"),
        case("k_mode_want f u+s,g-r,+t").given(FILES).prints("5600\n"),
    ],
    k_attrs_ok => [
        case("k_attrs_ok f 0640 '' '' && k_attrs_ok f g+r '' '' && k_attrs_ok f '' \"$(id -un)\" \"$(id -gn)\" && k_attrs_ok f '' '' '' && echo holds")
            .given(FILES)
            .prints("holds\n"),
        case("k_attrs_ok f 0600 '' '' || echo mode; k_attrs_ok f o+r '' '' || echo symbolic; k_attrs_ok missing 0600 '' '' || echo missing")
            .given(FILES)
            .prints("mode\nsymbolic\nmissing\n"),
        case("k_attrs_ok f '' 65534 65534 && echo theirs; k_attrs_ok f '' 0 '' || echo not-root; k_attrs_ok f '' '' 0 || echo not-group")
            .given(THEIRS)
            .root()
            .prints("theirs\nnot-root\nnot-group\n"),
        // A link as itself, or with -L as the file it points to.
        case("k_attrs_ok -L l 0640 '' '' && echo target; k_attrs_ok l 0640 '' '' || echo link; k_attrs_ok -L l '' 65534 '' && echo target-owner; k_attrs_ok l '' 65534 '' || echo link-owner")
            .given(THEIRS)
            .root()
            .prints("target\nlink\ntarget-owner\nlink-owner\n"),
    ],
    k_attrs => [
        case("k_attrs f 0600 '' ''; stat -c %a f; k_attrs f u+x,go= '' ''; stat -c %a f; k_attrs f '' '' ''; stat -c %a f")
            .given(FILES)
            .prints("600\n700\n700\n"),
        // Owner and group go on a link itself, or with -L on what it points to; the mode
        // always on what it points to.
        case("k_attrs l 0600 65534 65534; stat -c '%u %g' l f; stat -c %a f; k_attrs -L l '' 65534 ''; stat -c %u f")
            .given(FILES)
            .root()
            .prints("65534 65534\n0 0\n600\n65534\n"),
        case("k_attrs missing 0600 '' ''").noisy().status(1),
        case("k_attrs f '' no-such-user-here ''").given(FILES).noisy().status(1),
    ],
    k_tree_modes_ok => [
        case("k_tree_modes_ok d u=rwX,go=rX && echo settled; k_tree_modes_ok d 0755 || echo files-differ; k_tree_modes_ok d a-w || echo writable")
            .given("umask 022; mkdir -p d/e; echo x > d/f; echo y > d/e/g; ln -s /etc/passwd d/l")
            .prints("settled\nfiles-differ\nwritable\n"),
        case("k_tree_modes_ok d 0700 && echo settled")
            .given("mkdir -m 700 d; (umask 077; echo x > d/f); chmod 700 d/f")
            .prints("settled\n"),
        case("k_tree_modes_ok missing 0755").status(1),
    ],
    k_split => [
        case("for p in /a/b /a/b/ /a//b /x / rel rel/x \"/a b/c'd\" /a/-b a/ //; do k_split \"$p\"; printf '%s\\n' \"$k_split_dir\"; done")
            .prints("/a\n/a\n/a/\n/\n/\n.\nrel\n/a b\n/a\n.\n/\n"),
        // As dirname, but for `//` runs inside (the same directory).
        case("for p in /a/b /a/b/ /x / rel rel/x \"/a b/c'd\" /a/-b ./x ../x x//; do k_split \"$p\"; [ \"$k_split_dir\" = \"$(dirname -- \"$p\")\" ] || echo \"$p: $k_split_dir\"; done"),
    ],
    k_keep_attrs => [
        case("k_keep_attrs f new '' '' ''; stat -c %a new").given("umask 022; echo x > f; chmod 751 f; (umask 077; : > new)").prints("751\n"),
        // A mode given is not kept from OLD (the caller sets it).
        case("k_keep_attrs f new 0700 '' ''; stat -c %a new").given("echo x > f; chmod 751 f; (umask 077; : > new)").prints("600\n"),
        // No OLD: the umask's mode.
        case("k_keep_attrs missing new '' '' ''; stat -c %a new").given("umask 027; (umask 077; : > new)").prints("640\n"),
        // OLD owned as NEW is (this user, this group): no chown.
        case("k_keep_attrs f new '' '' ''; stat -c %a new").given("echo x > f; chmod 640 f; (umask 077; : > new)").root().stub("chown", "exit 1").prints("640\n"),
        // As root, OLD's owner and group too, and its setuid bit after them.
        case("k_keep_attrs f new '' '' ''; stat -c '%u %g %a' new")
            .given("echo x > f; chown 65534:65534 f; chmod 4750 f; (umask 077; : > new)")
            .root()
            .prints("65534 65534 4750\n"),
        case("k_keep_attrs f new '' 0 ''; stat -c '%u %a' new")
            .given("echo x > f; chown 65534:65534 f; chmod 750 f; (umask 077; : > new)")
            .root()
            .prints("0 750\n"),
    ],
    k_owned_alike => [
        case("k_owned_alike f new && echo alike").given("touch f").prints("alike\n"),
        case("k_owned_alike f new || echo other").given("touch f; chown 65534 f").root().prints("other\n"),
        case("k_owned_alike f new || echo other").given("touch f; chgrp 65534 f").root().prints("other\n"),
        // In a setgid directory a new file takes the directory's group.
        case("k_owned_alike d/f d/new || echo other").given("mkdir d; touch d/f; chmod g+s d").prints("other\n"),
    ],
    k_umask_mode => [
        case("k_umask_mode; echo \"$k_umask_mode_value\"").given("umask 022").prints("0644\n"),
        case("k_umask_mode; echo \"$k_umask_mode_value\"").given("umask 0027").prints("0640\n"),
        case("k_umask_mode; echo \"$k_umask_mode_value\"").given("umask 077").prints("0600\n"),
        case("k_umask_mode; echo \"$k_umask_mode_value\"").given("umask 000").prints("0666\n"),
        // Asked once.
        case("k_umask_mode; umask 077; k_umask_mode; echo \"$k_umask_mode_value\"").given("umask 002").prints("0664\n"),
    ],
    k_write => [
        case("printf 'new\\n' | k_write f '' '' ''; cat f; stat -c %a f")
            .given(FILES)
            .prints("new\n640\n")
            .leaves("ls -A", "d\nf\nl\n"),
        case("printf 'a\\0b' | k_write new 0604 '' ''; od -An -c new; stat -c %a new")
            .given("umask 022")
            .prints("   a  \\0   b\n604\n"),
        // A link at DEST is replaced, not written through.
        case("echo new | k_write l '' '' ''; cat f; [ -L l ] || cat l").given(FILES).prints("content\nnew\n"),
        case("echo new | k_write d '' '' ''").given(FILES).status(1).says("kiln: d is a directory\n"),
        case("echo new | k_write missing/f '' '' ''").status(1).says("kiln: cannot make a temporary file in missing\n"),
        case("echo new | k_write f '' 65534 ''; stat -c '%u %a' f").given(FILES).root().prints("65534 640\n"),
        // A new file with no attributes asked for is made with the umask's mode: no chmod,
        // no chown; a replaced file owned as the new one is gets no chown.
        case("echo new | k_write n '' '' ''; stat -c %a n").given("umask 027").stub("chmod", "exit 1").prints("640\n"),
        case("echo new | k_write f '' '' ''; cat f").given(FILES).root().stub("chown", "exit 1").prints("new\n"),
        // A replaced file with the umask's mode, owned alike: made so, no chmod either.
        case("echo new | k_write f '' '' ''; cat f; stat -c %a f").given("umask 027; echo old > f").stub("chmod", "exit 1").stub("chown", "exit 1").prints("new\n640\n"),
    ],
    k_write_valid => [
        case("echo good | k_write_valid f 0600 '' '' cat grep -q good; cat f; stat -c %a f")
            .given(FILES)
            .prints("good\n600\n"),
        case("echo bad | k_write_valid f '' '' '' cat grep -q good")
            .given(FILES)
            .status(1)
            .says("kiln: f: the new content is invalid, not installed\n")
            .leaves("cat f; ls -A", "content\nd\nf\nl\n"),
        // Its content from a SOURCE of the shell's own.
        case("k_write_valid f '' '' '' k_text_out grep -q good; cat f").given("echo old > f; k_text='good'").prints("good"),
        case("echo x | k_write_valid d '' '' '' cat true").given(FILES).status(1).says("kiln: d is a directory\n"),
    ],
    k_candidate => [
        // In the private directory, which only this user may enter.
        case("k_candidate printf '%s\\n' a b; cat \"$k_candidate_file\"; stat -c %a \"$k_tmpd\"").prints("a\nb\n700\n"),
    ],
    k_candidate_valid => [
        case("k_candidate echo x; k_candidate_valid grep -q x && cat \"$k_candidate_file\"").prints("x\n"),
        case("k_candidate echo x; k_candidate_valid sh -c 'echo bad; exit 1' sh; echo \"$?\"; ls -A \"$k_tmpd\"")
            .prints("1\n")
            .says("kiln: would fail validation: bad\n"),
    ],
    k_backup => [
        // A hard link under Ansible's name.
        case("k_backup f; cat f.20240102030405~; stat -c %h f")
            .given(FILES)
            .stub("date", "echo 20240102030405")
            .prints("content\n2\n"),
        // Where no hard link can be made: a copy, with the mode.
        case("k_backup f; cat f.20240102030405~; stat -c '%h %a' f f.20240102030405~")
            .given("echo content > f; chmod 640 f")
            .stub("date", "echo 20240102030405")
            .stub("ln", "exit 1")
            .prints("content\n1 640\n1 640\n")
            .leaves("ls -A", "f\nf.20240102030405~\n"),
        case("k_backup d/f; ls d").given("mkdir d; echo x > d/f").stub("date", "echo 20240102030405").prints("f\nf.20240102030405~\n"),
        case("k_backup f")
            .given("echo x > f; ln -s elsewhere f.20240102030405~")
            .stub("date", "echo 20240102030405")
            .status(1)
            .says("kiln: f.20240102030405~ is in the way of the backup\n"),
    ],
    k_directory => [
        case("k_directory ok --path d/e || echo missing; k_directory act --path d/e --mode 0750; stat -c %a d/e; k_directory ok --path d/e --mode 0750 && echo holds")
            .prints("missing\n750\nholds\n"),
        case("k_directory diff --path d; mkdir d; k_directory diff --path d --mode 0700").prints("create directory d\nset mode/owner of d\n"),
        // A new directory takes an octal mode from mkdir (no chmod), its parents the
        // umask's; one that is there gets it from chmod.
        case("k_directory act --path p/d --mode 2750; k_directory act --path e --mode 0700; stat -c %a p p/d e")
            .given("umask 022; mkdir e")
            .stub("chmod", "[ \"$3\" = e ] && exec /bin/chmod \"$@\"; exit 1")
            .prints("755\n2750\n700\n"),
        // A link to a directory does without attributes; with one, never.
        case("k_directory ok --path l && echo will-do; k_directory ok --path l --mode 0700 || echo not-through-a-link; k_directory act --path l --mode 0700")
            .given("mkdir d; ln -s d l")
            .status(1)
            .prints("will-do\nnot-through-a-link\n")
            .says("kiln: l is a symbolic link: mode and ownership are set on a real directory only, never through a link\n"),
        case("k_directory act --path f").given("touch f").status(1).says("kiln: f exists and is not a directory\n"),
        // Recursive: everything in it (links passed by), octal or symbolic.
        case("k_directory ok --path d --mode 0755 --recursive || echo inside-differs; k_directory act --path d --mode u=rwX,go=rX --recursive; stat -c %a d d/f d/e; k_directory ok --path d --mode u=rwX,go=rX --recursive && echo holds")
            .given("umask 077; mkdir -p d/e; touch d/f; ln -s /etc/passwd d/l; chmod 755 d")
            .prints("inside-differs\n755\n644\n755\nholds\n"),
        case("k_directory act --path d --owner 65534 --recursive; stat -c %u d d/f")
            .given("mkdir d; touch d/f")
            .root()
            .prints("65534\n65534\n"),
        case("k_directory ok --path d --absent || echo present; k_directory diff --path d --absent; k_directory act --path d --absent; k_directory ok --path d --absent && echo gone")
            .given("mkdir -p d/e")
            .prints("present\nremove directory d\ngone\n"),
    ],
    k_put => [
        case("echo new | k_put ok --dest f || echo differs; echo new | k_put act --dest f --mode 0600; cat f; stat -c %a f; echo new | k_put ok --dest f --mode 0600 && echo holds")
            .given(FILES)
            .prints("differs\nnew\n600\nholds\n"),
        case("echo new | k_put diff --dest f").given(FILES).prints("--- f\n+++ f (desired)\n@@ -1 +1 @@\n-content\n+new\n"),
        // With a CHECK, the diff is of a candidate it accepted; one it rejects says so.
        case("k_private; echo new | k_put diff --dest f -- grep -q new; echo new | k_put diff --dest f -- sh -c 'echo \"no: $(cat \"$1\")\"; exit 1' sh; echo \"$?\"; ls -A \"$k_tmpd\"")
            .given(FILES)
            .prints("--- f\n+++ f (desired)\n@@ -1 +1 @@\n-content\n+new\n1\n")
            .says("kiln: would fail validation: no: new\n"),
        // The directory made first; a backup of the old file.
        case("echo new | k_put act --dest a/b/f --parents; cat a/b/f").prints("new\n"),
        case("echo new | k_put act --dest f --backup; cat f.20240102030405~ f")
            .given(FILES)
            .stub("date", "echo 20240102030405")
            .prints("content\nnew\n"),
        // A link is replaced, never written through.
        case("echo new | k_put act --dest l; cat f; [ -L l ] || cat l").given(FILES).prints("content\nnew\n"),
        // A check that refuses the new content leaves the file as it was.
        case("echo bad | k_put act --dest f -- grep -q good")
            .given(FILES)
            .status(1)
            .says("kiln: f: the new content is invalid, not installed\n")
            .leaves("cat f", "content\n"),
        case("echo good | k_put act --dest f -- grep -q good; cat f").given(FILES).prints("good\n"),
        // --text: the content is k_text, compared and written by the shell alone (no
        // `cmp`, no `cat`), a final newline or its absence kept.
        case("k_put ok --dest f --text && echo same; k_text='content'; k_put ok --dest f --text || echo differs")
            .given("echo content > f; k_text='content\n'")
            .stub("cmp", "exit 2")
            .prints("same\ndiffers\n"),
        case("k_put act --dest n --text; od -An -c n; k_put act --dest f --text --mode 0600 -- grep -q a; od -An -c f")
            .given("echo old > f; k_text='a\n b'")
            .stub("cat", "exit 1")
            .prints("   a  \\n       b\n   a  \\n       b\n"),
        case("k_put diff --dest f --text").given("echo old > f; k_text='new'").prints("--- f\n+++ f (desired)\n@@ -1 +1 @@\n-old\n+new\n\\ No newline at end of file\n"),
        // --keep: what is there stays; only attributes are set, never through a link.
        case("echo new | k_put ok --dest f --keep && echo kept; echo new | k_put act --dest f --keep --mode 0600; cat f; stat -c %a f; echo new | k_put act --dest n --keep; cat n")
            .given(FILES)
            .prints("kept\ncontent\n600\nnew\n"),
        case("k_put ok --dest l --keep --mode 0600 || echo refused; k_put act --dest l --keep --mode 0600")
            .given(FILES)
            .status(1)
            .prints("refused\n")
            .says("kiln: l is a symbolic link, kept as it is (force = false): its mode and ownership are never set through it\n"),
    ],
    k_file => [
        case("k_file ok --path f || echo missing; k_file act --path f --mode 0600; stat -c %a f; k_file ok --path f --mode 0600 && echo holds; k_file diff --path f")
            .given("umask 022")
            .prints("missing\n600\nholds\nupdate f\n"),
        case("k_file diff --path f --no-create; k_file act --path f --no-create")
            .status(1)
            .prints("f does not exist, and create = false: not creating it\n")
            .says("kiln: f does not exist, and create = false: not creating it\n"),
        // A link is in the way, unless followed (then its file gets the attributes).
        case("k_file act --path l")
            .given(FILES)
            .status(1)
            .says("kiln: l is not a regular file, or is a link (follow = false; use force = true to replace it)\n"),
        case("k_file ok --path l --follow --mode 0640 && echo followed; k_file act --path l --follow --mode 0600; stat -c %a f")
            .given(FILES)
            .prints("followed\n600\n"),
        case("k_file act --path d --force; [ -f d ] && echo replaced").given(FILES).prints("replaced\n"),
        // Touch: always a change; a file it makes and cannot give attributes goes again.
        case("k_file ok --path f --touch || echo always; k_file act --path f --touch && [ -e f ] && echo touched")
            .prints("always\ntouched\n"),
        case("k_file act --path new --owner no-such-user-here; ls").noisy(),
        case("k_file act --path f --absent; k_file ok --path f --absent && echo gone; k_file act --path d --absent")
            .given(FILES)
            .status(1)
            .prints("gone\n")
            .says("kiln: d is a directory (use force = true to remove it)\n"),
    ],
}
