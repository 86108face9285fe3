//! `filters.sh`: lines kiln owns in files it does not own whole.

use crate::{case, functions};

/// A crontab keeping each user's table in `crontab.USER` here.
const CRONTAB: &str = "user=$(id -un); if [ \"$1\" = -u ]; then user=$2; shift 2; fi
case $1 in
-l) cat \"crontab.$user\" 2>/dev/null || { echo \"no crontab for $user\" >&2; exit 1; } ;;
-) cat > \"crontab.$user\" ;;
esac";

functions! {
    k_filter_file => [
        case("k_filter_file ok f '' '' '' k_keyed sysctl vm.swappiness 'vm.swappiness = 10' 1 || echo differs; k_filter_file act f 0600 '' '' k_keyed sysctl vm.swappiness 'vm.swappiness = 10' 1; cat f; stat -c %a f; k_filter_file ok f '' '' '' k_keyed sysctl vm.swappiness 'vm.swappiness = 10' 1 && echo holds")
            .given("echo 'vm.swappiness=60' > f")
            .prints("differs\nvm.swappiness = 10\n600\nholds\n"),
        // A missing file counts as empty.
        case("k_filter_file diff f '' '' '' k_keyed sysctl vm.swappiness 'vm.swappiness = 10' 1")
            .prints("--- f\n+++ f (desired)\n@@ -0,0 +1 @@\n+vm.swappiness = 10\n"),
        // Nothing to change: not even rewritten.
        case("k_filter_file act f '' '' '' k_keyed sysctl vm.swappiness 'vm.swappiness = 10' 1; [ \"$(stat -c %i f)\" = \"$inode\" ] && echo same-file")
            .given("echo 'vm.swappiness = 10' > f; inode=$(stat -c %i f)")
            .prints("same-file\n"),
    ],
    k_keyed => [
        case("k_keyed sysctl net.ipv4.ip_forward 'net.ipv4.ip_forward = 1' 1 < f")
            .given("printf '# net.ipv4.ip_forward = 0\\nnet/ipv4/ip_forward=0\\n -net.ipv4.ip_forward = 0\\nother = 1\\n' > f")
            .prints("# net.ipv4.ip_forward = 0\nnet.ipv4.ip_forward = 1\nother = 1\n"),
        case("k_keyed fstab /srv '/dev/sdb1 /srv ext4 defaults 0 2' 1 < f")
            .given("printf '/dev/sda1 / ext4 defaults 0 1\\n/dev/old  /srv xfs defaults 0 0\\n' > f")
            .prints("/dev/sda1 / ext4 defaults 0 1\n/dev/sdb1 /srv ext4 defaults 0 2\n"),
        case("k_keyed fstab /srv '' 0 < f")
            .given("printf '\\t/dev/old /srv xfs defaults 0 0\\n/dev/sda1 / ext4 defaults 0 1\\n' > f")
            .prints("/dev/sda1 / ext4 defaults 0 1\n"),
        case("k_keyed words 'install dummy /bin/true' 'install dummy /bin/true' 1 < f")
            .given("printf 'install  dummy\\t/bin/true \\nx\\n' > f")
            .prints("install dummy /bin/true\nx\n"),
        case("printf 'a = 1\\n' | k_keyed sysctl b 'b = 2' 1").prints("a = 1\nb = 2\n"),
    ],
    k_locale_gen => [
        case("k_locale_gen 'de_DE.UTF-8 UTF-8' 1 < f")
            .given("printf '# en_US.UTF-8 UTF-8\\n#  de_DE.UTF-8 UTF-8\\nde_DE.UTF-8 UTF-8\\n' > f")
            .prints("# en_US.UTF-8 UTF-8\nde_DE.UTF-8 UTF-8\n"),
        case("k_locale_gen 'en_US.UTF-8 UTF-8' 0 < f")
            .given("printf 'en_US.UTF-8 UTF-8\\n# fr_FR.UTF-8 UTF-8\\n' > f")
            .prints("# en_US.UTF-8 UTF-8\n# fr_FR.UTF-8 UTF-8\n"),
        case("printf 'x\\n' | k_locale_gen 'C.UTF-8 UTF-8' 1").prints("x\nC.UTF-8 UTF-8\n"),
    ],
    k_auth_keys => [
        // A key known by its blob: with another comment, it is replaced, not added twice.
        case("k_auth_keys \"$(printf 'ssh-ed25519 AAAA me@new\\nssh-rsa BBBB you')\" 1 0 < f")
            .given("printf '# keys\\nssh-ed25519 AAAA me@old\\nssh-ed25519 CCCC other\\n' > f")
            .prints("# keys\nssh-ed25519 CCCC other\nssh-ed25519 AAAA me@new\nssh-rsa BBBB you\n"),
        case("k_auth_keys 'ssh-ed25519 AAAA me' 1 1 < f")
            .given("printf '# keys\\nssh-ed25519 CCCC other\\nssh-ed25519 AAAA me\\n' > f")
            .prints("# keys\nssh-ed25519 AAAA me\n"),
        case("k_auth_keys 'ssh-ed25519 AAAA' 0 0 < f")
            .given("printf 'from=\"10.0.0.1\" ssh-ed25519 AAAA me\\nssh-ed25519 CCCC other\\n' > f")
            .prints("ssh-ed25519 CCCC other\n"),
    ],
    k_cron_entry => [
        case("k_cron_entry backup '0 3 * * * /bin/backup' '' 1 < f")
            .given("printf 'MAILTO=me\\n# kiln: backup\\n0 2 * * * /bin/old\\n' > f")
            .prints("MAILTO=me\n# kiln: backup\n0 3 * * * /bin/backup\n"),
        case("k_cron_entry '' '@daily /bin/job' '/bin/job' 1 < f")
            .given("printf '0 1 * * * /bin/job\\n5 * * * * /bin/other\\n' > f")
            .prints("@daily /bin/job\n5 * * * * /bin/other\n"),
        case("k_cron_entry backup '' '' 0 < f")
            .given("printf '# kiln: backup\\n0 2 * * * /bin/old\\nx=1\\n' > f")
            .prints("x=1\n"),
        case(": | k_cron_entry new '* * * * * true' '' 1").prints("# kiln: new\n* * * * * true\n"),
    ],
    k_crontab_entry => [
        case("k_crontab_entry ok '' k_cron_entry '' '@daily job' job 1 || echo differs; k_crontab_entry act '' k_cron_entry '' '@daily job' job 1; k_crontab_entry ok '' k_cron_entry '' '@daily job' job 1 && echo holds")
            .stub("crontab", CRONTAB)
            .prints("differs\nholds\n")
            .leaves("cat crontab.*", "@daily job\n"),
        case("k_crontab_entry diff bob k_cron_entry '' '@daily job' job 1")
            .given("echo '@hourly other' > crontab.bob")
            .stub("crontab", CRONTAB)
            .stub("id", "echo root")
            .prints("@@ -1 +1,2 @@\n @hourly other\n+@daily job\n"),
        case("k_crontab_entry act bob k_cron_entry '' '@daily job' job 0")
            .given("printf '@daily job\\n@hourly x\\n' > crontab.bob")
            .stub("crontab", CRONTAB)
            .stub("id", "echo root")
            .leaves("cat crontab.bob", "@hourly x\n"),
    ],
    k_crontab_now => [
        case("k_crontab_now").given("k_crontab_entry_now='a\nb'").prints("a\nb\n"),
        case("k_crontab_now").given("k_crontab_entry_now="),
    ],
    k_crontab => [
        case("k_crontab '' -l; k_crontab bob -l; k_crontab me -l; cat calls")
            .stub("crontab", "echo \"crontab $*\" >> calls")
            .stub("id", "echo me")
            .prints("crontab -l\ncrontab -u bob -l\ncrontab -l\n"),
    ],
}
