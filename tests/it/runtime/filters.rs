//! `filters.sh`: lines kiln owns in files it does not own whole.

use super::{case, functions};

/// A crontab keeping each user's table in `crontab.USER` here.
const CRONTAB: &str = "user=$(id -un); if [ \"$1\" = -u ]; then user=$2; shift 2; fi
case $1 in
-l) cat \"crontab.$user\" 2>/dev/null || { echo \"no crontab for $user\" >&2; exit 1; } ;;
-) cat > \"crontab.$user\" ;;
esac";

functions! {
    k_filter_file => [
        case("k_filter_file ok --path f -- k_keyed --format sysctl --key vm.swappiness --line 'vm.swappiness = 10' || echo differs; k_filter_file act --path f --mode 0600 -- k_keyed --format sysctl --key vm.swappiness --line 'vm.swappiness = 10'; cat f; stat -c %a f; k_filter_file ok --path f -- k_keyed --format sysctl --key vm.swappiness --line 'vm.swappiness = 10' && echo holds")
            .given("echo 'vm.swappiness=60' > f")
            .prints("differs\nvm.swappiness = 10\n600\nholds\n"),
        // A missing file counts as empty.
        case("k_filter_file diff --path f -- k_keyed --format sysctl --key vm.swappiness --line 'vm.swappiness = 10'")
            .prints("--- f\n+++ f (desired)\n@@ -0,0 +1 @@\n+vm.swappiness = 10\n"),
        // Nothing to change: not even rewritten.
        case("k_filter_file act --path f -- k_keyed --format sysctl --key vm.swappiness --line 'vm.swappiness = 10'; [ \"$(stat -c %i f)\" = \"$inode\" ] && echo same-file")
            .given("echo 'vm.swappiness = 10' > f; inode=$(stat -c %i f)")
            .prints("same-file\n"),
    ],
    k_keyed => [
        case("k_keyed --format sysctl --key net.ipv4.ip_forward --line 'net.ipv4.ip_forward = 1' < f")
            .given("printf '# net.ipv4.ip_forward = 0\\nnet/ipv4/ip_forward=0\\n -net.ipv4.ip_forward = 0\\nother = 1\\n' > f")
            .prints("# net.ipv4.ip_forward = 0\nnet.ipv4.ip_forward = 1\nother = 1\n"),
        case("k_keyed --format fstab --key /srv --line '/dev/sdb1 /srv ext4 defaults 0 2' < f")
            .given("printf '/dev/sda1 / ext4 defaults 0 1\\n/dev/old  /srv xfs defaults 0 0\\n' > f")
            .prints("/dev/sda1 / ext4 defaults 0 1\n/dev/sdb1 /srv ext4 defaults 0 2\n"),
        case("k_keyed --format fstab --key /srv --absent < f")
            .given("printf '\\t/dev/old /srv xfs defaults 0 0\\n/dev/sda1 / ext4 defaults 0 1\\n' > f")
            .prints("/dev/sda1 / ext4 defaults 0 1\n"),
        case("k_keyed --format words --key 'install dummy /bin/true' --line 'install dummy /bin/true' < f")
            .given("printf 'install  dummy\\t/bin/true \\nx\\n' > f")
            .prints("install dummy /bin/true\nx\n"),
        case("printf 'a = 1\\n' | k_keyed --format sysctl --key b --line 'b = 2'").prints("a = 1\nb = 2\n"),
        // pam_limits: known by domain, type and item, whatever the blanks; `-` is an entry of its own.
        case("k_keyed --format limits --key '@ops soft nofile' --line \"$(printf '@ops\\tsoft\\tnofile\\t8192')\" < f")
            .given("printf '  @ops soft nofile 1024\\n@ops - nofile 2048\\n@ops\\tsoft  nofile 4096\\n' > f")
            .prints("@ops\tsoft\tnofile\t8192\n@ops - nofile 2048\n"),
    ],
    k_locale_gen => [
        case("k_locale_gen --line 'de_DE.UTF-8 UTF-8' < f")
            .given("printf '# en_US.UTF-8 UTF-8\\n#  de_DE.UTF-8 UTF-8\\nde_DE.UTF-8 UTF-8\\n' > f")
            .prints("# en_US.UTF-8 UTF-8\nde_DE.UTF-8 UTF-8\n"),
        case("k_locale_gen --line 'en_US.UTF-8 UTF-8' --absent < f")
            .given("printf 'en_US.UTF-8 UTF-8\\n# fr_FR.UTF-8 UTF-8\\n' > f")
            .prints("# en_US.UTF-8 UTF-8\n# fr_FR.UTF-8 UTF-8\n"),
        case("printf 'x\\n' | k_locale_gen --line 'C.UTF-8 UTF-8'").prints("x\nC.UTF-8 UTF-8\n"),
    ],
    k_auth_keys => [
        // A key known by its blob: with another comment, it is replaced, not added twice.
        case("k_auth_keys --keys \"$(printf 'ssh-ed25519 AAAA me@new\\nssh-rsa BBBB you')\" < f")
            .given("printf '# keys\\nssh-ed25519 AAAA me@old\\nssh-ed25519 CCCC other\\n' > f")
            .prints("# keys\nssh-ed25519 CCCC other\nssh-ed25519 AAAA me@new\nssh-rsa BBBB you\n"),
        case("k_auth_keys --keys 'ssh-ed25519 AAAA me' --exclusive < f")
            .given("printf '# keys\\nssh-ed25519 CCCC other\\nssh-ed25519 AAAA me\\n' > f")
            .prints("# keys\nssh-ed25519 AAAA me\n"),
        case("k_auth_keys --keys 'ssh-ed25519 AAAA' --absent < f")
            .given("printf 'from=\"10.0.0.1\" ssh-ed25519 AAAA me\\nssh-ed25519 CCCC other\\n' > f")
            .prints("ssh-ed25519 CCCC other\n"),
    ],
    k_cron_entry => [
        case("k_cron_entry --name backup --line '0 3 * * * /bin/backup' < f")
            .given("printf 'MAILTO=me\\n# kiln: backup\\n0 2 * * * /bin/old\\n' > f")
            .prints("MAILTO=me\n# kiln: backup\n0 3 * * * /bin/backup\n"),
        case("k_cron_entry --line '@daily /bin/job' --job '/bin/job' < f")
            .given("printf '0 1 * * * /bin/job\\n5 * * * * /bin/other\\n' > f")
            .prints("@daily /bin/job\n5 * * * * /bin/other\n"),
        case("k_cron_entry --name backup --absent < f")
            .given("printf '# kiln: backup\\n0 2 * * * /bin/old\\nx=1\\n' > f")
            .prints("x=1\n"),
        case(": | k_cron_entry --name new --line '* * * * * true'").prints("# kiln: new\n* * * * * true\n"),
    ],
    k_crontab_entry => [
        case("k_crontab_entry ok -- k_cron_entry --line '@daily job' --job job || echo differs; k_crontab_entry act -- k_cron_entry --line '@daily job' --job job; k_crontab_entry ok -- k_cron_entry --line '@daily job' --job job && echo holds")
            .stub("crontab", CRONTAB)
            .prints("differs\nholds\n")
            .leaves("cat crontab.*", "@daily job\n"),
        case("k_crontab_entry diff --user bob -- k_cron_entry --line '@daily job' --job job")
            .given("echo '@hourly other' > crontab.bob")
            .stub("crontab", CRONTAB)
            .stub("id", "echo root")
            .prints("@@ -1 +1,2 @@\n @hourly other\n+@daily job\n"),
        case("k_crontab_entry act --user bob -- k_cron_entry --line '@daily job' --job job --absent")
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
