//! `packages.sh`: which packages are not as wanted, per package manager. The managers are
//! stubs that know `vim` (installed, newest), `old` (installed, with an update) and nothing
//! else (not installed).

use super::{case, functions};

/// `has` knows `a` and `c`; `new` says `c` is not the newest.
const HAS: &str =
    "has() { case $1 in a | c) return 0 ;; esac; return 1; }; new() { [ \"$1\" != c ]; }";

const DPKG_QUERY: &str = "eval \"name=\\${$#}\"
case $name in
vim) echo 'install ok installed 2:9.0-1' ;;
old) echo 'install ok installed 1.0' ;;
gone) echo 'deinstall ok config-files 1.0' ;;
*) exit 1 ;;
esac";

const APT_CACHE: &str = "case $2 in
vim) printf 'vim:\\n  Installed: 2:9.0-1\\n  Candidate: 2:9.0-1\\n' ;;
old) printf 'old:\\n  Installed: 1.0\\n  Candidate: 2.0\\n' ;;
esac";

/// gpg for `k_apt_sources`: `--dearmor` gives `KEY`, whose fingerprint is `ABCD`; a file
/// holding `A+B` is two keys, `A` and `B`; any other holds the key its content names.
const GPG: &str = r#"for last; do :; done
case " $* " in
*' --dearmor '*) echo KEY > "$8" ;;
*' --show-keys '*) keys=$(cat "$last"); [ "$keys" = KEY ] && keys=ABCD
  for key in $(echo "$keys" | tr + ' '); do echo 'pub:u:255:22:0:0::::::scESC:'; echo "fpr:::::::::$key:"; echo 'sub:u:255:18:1:1::::::e:'; echo 'fpr:::::::::5UB:'; done ;;
esac"#;

/// rpm for `k_rpm_key`: its database of keys is the file `db`, a package a line.
const RPM_KEYS: &str = r#"case $1 in
-q) grep -qx "$3" db 2>/dev/null ;;
--import) echo gpg-pubkey-0000abcd >> db; echo "rpm $*" >> calls ;;
-e) grep -vx "$3" db > db.new; mv db.new db; echo "rpm $*" >> calls ;;
esac"#;

/// rpm for `k_rpm_file`: a package file holds what `rpm -qp` prints of it (name and
/// NEVRA); `old` is installed at 1.0-1.
const RPM_FILES: &str = r#"case $1 in
-qp) cat "$4" ;;
-q) [ "$4" = old ] || exit 1; echo 'old old-1.0-1.noarch'; echo 'old old-0.9-1.i686' ;;
esac"#;

const RPM: &str = "case $3 in vim | old) exit 0 ;; esac; exit 1";

/// dnf and yum: `check-update` exits 100 when an update is available.
const CHECK_UPDATE: &str = "[ \"$3\" = old ] && exit 100; exit 0";

const ZYPPER: &str = "echo 'S | Repository | Name | Current | Available | Arch'
echo '--+------------+------+---------+-----------+-----'
echo 'v | main       | old  | 1.0     | 2.0       | x86_64'";

const APK: &str = "case $1 in
info) case $3 in vim | old) exit 0 ;; esac; exit 1 ;;
version) echo 'Installed:                                Available:'; [ \"$4\" = old ] && echo 'old-1.0-r0                              < 2.0-r0' ;;
esac; exit 0";

const PACMAN: &str = "case $1 in
-Q) case $2 in vim | old) exit 0 ;; esac; exit 1 ;;
-Qu) [ \"$2\" = old ] ;;
esac";

/// brew, for formulae and casks alike.
const BREW: &str = "eval \"name=\\${$#}\"
case $1 in
list) case $name in vim | old) echo \"$name 1.0\" ;; *) exit 1 ;; esac ;;
outdated) [ \"$name\" = old ] && echo old ;;
esac; exit 0";

const PIP: &str = "case $1 in
show) case $2 in Vim | vim) printf 'Name: vim\\nVersion: 9.0\\n' ;; old_pkg) printf 'Name: old-pkg\\nVersion: 1.0\\n' ;; *) exit 1 ;; esac ;;
list) printf 'Package Version Latest Type\\n------- ------- ------ -----\\nOld.Pkg 1.0 2.0 wheel\\n' ;;
esac";

functions! {
    k_pkgs => [
        case("k_pkgs 1 has echo install -- a b c d").given(HAS).prints("install b d\n"),
        case("k_pkgs 0 has echo remove -- a b c d").given(HAS).prints("remove a c\n"),
        case("k_pkgs 1 has echo install -- a c").given(HAS),
        // The command's own words may hold spaces; its status is the call's.
        case("k_pkgs 1 has sh -c 'echo \"$*\"; exit 3' 'x y' -- b").given(HAS).prints("b\n").status(3),
    ],
    k_pkgs_ok => [
        case("k_pkgs_ok 1 has a c && echo installed; k_pkgs_ok 1 has a b || echo missing; k_pkgs_ok 0 has b d && echo absent")
            .given(HAS)
            .prints("installed\nmissing\nabsent\n"),
    ],
    k_pkgs_left => [
        case("k_pkgs_left still not installed: b d").status(1).says("kiln: still not installed: b d\n"),
    ],
    k_pkgs_refresh => [
        // Once per step.
        case("k_pkgs_refresh count; k_pkgs_refresh count; k_step_index=2; k_pkgs_refresh count; cat n")
            .given("k_begin; k_step_index=1; count() { echo x >> n; }")
            .prints("x\nx\n"),
        // Never in check mode.
        case("k_pkgs_refresh count; ls").given("k_begin --check; k_step_index=1; count() { echo x >> n; }"),
        // A refresh that fails is tried again.
        case("k_pkgs_refresh false || k_pkgs_refresh count; cat n")
            .given("k_begin; k_step_index=1; count() { echo x >> n; }")
            .prints("x\n"),
    ],
    k_pkgs_show => [
        case("k_pkgs_show 1 has new a b c; k_pkgs_show 1 has '' c; k_pkgs_show 0 has '' a b")
            .given(HAS)
            .prints("install b\nupgrade c\nremove a\n"),
    ],
    k_apt_has => [
        case("for p in vim vim=2:9.0-1 vim=1 vim/bookworm old gone none; do k_apt_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("dpkg-query", DPKG_QUERY)
            .prints("vim yes\nvim=2:9.0-1 yes\nvim=1 no\nvim/bookworm yes\nold yes\ngone no\nnone no\n"),
    ],
    k_apt_latest => [
        case("for p in vim old none; do k_apt_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("dpkg-query", DPKG_QUERY)
            .stub("apt-cache", APT_CACHE)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_apt_lists => [
        // No process without APT_CONFIG; with it, apt-config says (as it quotes for eval).
        case("k_apt_lists; echo \"$k_apt_lists_dir\"; test ! -e calls && echo no-call")
            .stub("apt-config", "echo \"apt-config $*\" >> calls")
            .prints("/var/lib/apt/lists\nno-call\n"),
        case("APT_CONFIG=/b/apt.conf; k_apt_lists; echo \"$k_apt_lists_dir\"")
            .stub("apt-config", r#"[ "$*" = "shell k_apt_lists_dir Dir::State::lists/d" ] && echo "k_apt_lists_dir='/tmp/b dir/lists/'""#)
            .prints("/tmp/b dir/lists/\n"),
    ],
    k_apt_fresh => [
        case("k_apt_fresh 3600 && echo fresh; k_apt_fresh 100 || echo stale; k_apt_fresh 0 || echo always")
            .stub("date", "case $1 in -r) echo 1000 ;; *) echo 1500 ;; esac")
            .prints("fresh\nstale\nalways\n"),
        case("k_apt_fresh 3600 || echo never-updated").stub("date", "case $1 in -r) exit 1 ;; *) echo 1500 ;; esac").prints("never-updated\n"),
    ],
    k_apt_update => [
        case("k_apt_update 3600; cat calls")
            .stub("date", "case $1 in -r) echo 1000 ;; *) echo 99000 ;; esac")
            .stub("apt-get", "echo \"apt-get $*\" >> calls")
            .stub("touch", "echo \"touch $*\" >> calls")
            .prints("apt-get update -q\ntouch /var/lib/apt/lists\n"),
        case("k_apt_update 3600; ls")
            .stub("date", "case $1 in -r) echo 1000 ;; *) echo 1500 ;; esac")
            .stub("apt-get", "echo \"apt-get $*\" >> calls"),
        case("k_apt_update 0")
            .stub("date", "echo 1000")
            .stub("apt-get", "exit 100")
            .stub("touch", "echo \"touch $*\" >> calls")
            .status(100),
    ],
    k_rpm_has => [
        case("for p in vim 'vim>=9' none; do k_rpm_has \"$p\" && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("rpm", RPM)
            .prints("vim yes\nvim>=9 yes\nnone no\n"),
    ],
    k_rpm_manager => [
        // A bundle's configuration, when `run` names one, goes first; arguments stay whole.
        case("k_rpm_manager dnf install -y 'a b'; KILN_DNF_CONFIG='/tmp/b dir/dnf.conf' k_rpm_manager yum -q check-update vim")
            .stub("dnf", r#"printf '<%s>' dnf "$@"; echo"#)
            .stub("yum", r#"printf '<%s>' yum "$@"; echo"#)
            .prints("<dnf><install><-y><a b>\n<yum><--config=/tmp/b dir/dnf.conf><-q><check-update><vim>\n"),
    ],
    k_rpm_latest => [
        case("for p in vim old none; do k_rpm_latest dnf $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("rpm", RPM)
            .stub("dnf", CHECK_UPDATE)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_dnf_latest => [
        case("k_dnf_latest vim && echo vim; k_dnf_latest old || echo old").stub("rpm", RPM).stub("dnf", CHECK_UPDATE).prints("vim\nold\n"),
    ],
    k_yum_latest => [
        case("k_yum_latest vim && echo vim; k_yum_latest old || echo old").stub("rpm", RPM).stub("yum", CHECK_UPDATE).prints("vim\nold\n"),
    ],
    k_zypper_latest => [
        case("for p in vim old none; do k_zypper_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("rpm", RPM)
            .stub("zypper", ZYPPER)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_apk_has => [
        case("for p in vim vim=9.0-r0 none; do k_apk_has $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("apk", APK)
            .prints("vim yes\nvim=9.0-r0 yes\nnone no\n"),
    ],
    k_apk_latest => [
        case("for p in vim old none; do k_apk_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("apk", APK)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_pacman_has => [
        case("k_pacman_has vim && echo vim; k_pacman_has none || echo none").stub("pacman", PACMAN).prints("vim\nnone\n"),
    ],
    k_pacman_latest => [
        case("for p in vim old none; do k_pacman_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("pacman", PACMAN)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_brew_has => [
        case("k_brew_has vim && echo vim; k_brew_has none || echo none; cat calls")
            .stub("brew", "echo \"brew $*\" >> calls; case $4 in vim) exit 0 ;; esac; exit 1")
            .prints("vim\nnone\nbrew list --formula --versions vim\nbrew list --formula --versions none\n"),
    ],
    k_brew_latest => [
        case("for p in vim old none; do k_brew_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("brew", BREW)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_brewcask_has => [
        case("k_brewcask_has vim && echo vim; k_brewcask_has none || echo none; cat calls")
            .stub("brew", "echo \"brew $*\" >> calls; case $4 in vim) exit 0 ;; esac; exit 1")
            .prints("vim\nnone\nbrew list --cask --versions vim\nbrew list --cask --versions none\n"),
    ],
    k_brewcask_latest => [
        case("for p in vim old none; do k_brewcask_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("brew", BREW)
            .prints("vim yes\nold no\nnone no\n"),
    ],
    k_pip_has => [
        case("for p in vim 'vim==9.0' 'vim==8' 'vim>=8' none; do k_pip_has \"$p\" && echo \"$p yes\" || echo \"$p no\"; done")
            .given("k_pip=pip")
            .stub("pip", PIP)
            .prints("vim yes\nvim==9.0 yes\nvim==8 no\nvim>=8 yes\nnone no\n"),
    ],
    k_pip_latest => [
        // Names compare as pip compares them: `old_pkg` is `Old.Pkg`.
        case("for p in vim old_pkg none; do k_pip_latest $p && echo \"$p yes\" || echo \"$p no\"; done")
            .stub("pip3", PIP)
            .prints("vim yes\nold_pkg no\nnone no\n"),
    ],
    k_packages => [
        // Only the packages not as wanted are installed, with the manager's command.
        case("k_packages ok --manager apt -- vim new || echo missing; k_packages act --manager apt --no-recommends --extra '-o\nA=1' -- vim new")
            .stub("dpkg-query", DPKG_QUERY)
            .stub("apt-get", r#"echo "apt-get $*" >> calls"#)
            .stub("env", r#"shift; exec "$@""#)
            .status(1)
            .prints("missing\n")
            .leaves("cat calls", "apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends -o A=1 new\n")
            .says("kiln: not installed, or not at the pinned version, after the install: new\n"),
        case("k_packages diff --manager dnf --latest -- vim old none; k_packages act --manager dnf --latest --repos '--enablerepo=epel' -- vim old none")
            .stub("rpm", RPM)
            .stub("dnf", r#"echo "dnf $*" >> calls; [ "$2" = check-update ] && { [ "$3" = old ] && exit 100; exit 0; }; exit 0"#)
            .status(1)
            .noisy()
            .prints("upgrade old\ninstall none\n")
            .leaves("grep -v check-update calls", "dnf install -y -q --enablerepo=epel none\ndnf upgrade -y -q --enablerepo=epel old none\n"),
        case("k_packages act --manager apk --absent -- vim none; cat calls")
            .stub("apk", r#"echo "apk $*" >> calls; [ "$1" = info ] && [ "$3" = vim ] && [ ! -e gone ] && exit 0; [ "$1" = del ] && { touch gone; exit 0; }; exit 1"#)
            .prints("apk info -e vim\napk info -e none\napk del vim\napk info -e vim\napk info -e none\n"),
        // With --update, the lists are refreshed before an install; check mode says so.
        case("k_packages diff --manager apt --update --cache-time 60 -- new")
            .stub("dpkg-query", DPKG_QUERY)
            .stub("date", "case $1 in -r) echo 1000 ;; *) echo 99000 ;; esac")
            .prints("refresh the package lists\ninstall new\n"),
        // auto: the host's manager, found when the step runs.
        case("k_packages ok --manager auto -- vim && echo installed")
            .stub("apt-get", "exit 0")
            .stub("dpkg-query", DPKG_QUERY)
            .prints("installed\n"),
        case("k_packages ok --manager auto -- vim")
            .only(&["printf"])
            .status(1)
            .says("kiln: no supported package manager found\n"),
        // pip: a virtualenv made first, and a requirements file.
        case("k_packages act --manager pip --virtualenv venv --requirements req.txt --extra --user -- vim; cat calls")
            .stub("python3", r#"mkdir -p venv/bin; printf '#!/bin/sh\nexec pip "$@"\n' > venv/bin/pip; chmod +x venv/bin/pip; echo "python3 $*" >> calls"#)
            .stub("pip", r#"echo "pip $*" >> calls; case $1 in show) [ "$2" = vim ] && [ -e installed ] && echo 'Version: 1' ;; install) touch installed ;; esac; exit 0"#)
            .prints("python3 -m venv venv\npip show vim\npip install -q --user vim\npip show vim\npip install -q -r req.txt --user\n"),
        // A manager that lists its packages (language_packages.sh): one listing for the
        // probe, one for the re-check after the install; a pinned version that differs is
        // installed again.
        case("k_packages diff --manager pipx -- black==24.2.0 httpie; k_packages ok --manager pipx -- black || echo missing; k_packages act --manager pipx -- black==24.2.0 httpie")
            .given("echo 'black 23.1.0' > state")
            .stub("pipx", r#"echo "pipx $*" >> calls; case $1:$3 in list:*) cat state ;; install:*==*) echo "${3%==*} ${3#*==}" >> state ;; install:*) echo "$3 1.0" >> state ;; esac"#)
            .prints("install black==24.2.0\ninstall httpie\n")
            .leaves("cat calls", "pipx list --short\npipx list --short\npipx list --short\npipx install --force black==24.2.0\npipx install --force httpie\npipx list --short\n"),
    ],
    k_apt_refresh => [
        case("k_apt_refresh ok || echo always; k_apt_refresh ok --cache-time 3600 && echo fresh; k_apt_refresh diff; k_apt_refresh act; cat calls")
            .stub("date", "case $1 in -r) echo 1000 ;; *) echo 1500 ;; esac")
            .stub("apt-get", r#"echo "apt-get $*" >> calls"#)
            .stub("touch", r#"echo "touch $*" >> calls"#)
            .prints("always\nfresh\nrefresh the package lists\napt-get update -q\ntouch /var/lib/apt/lists\n"),
    ],
    k_apt_upgrade => [
        case("k_apt_upgrade ok || echo upgrades; k_apt_upgrade diff --autoremove; k_apt_upgrade act --dist --autoremove; cat calls")
            .stub("apt-get", r#"case $1 in -s) [ "$3" = autoremove ] && echo 'Remv old [1]' || echo 'Inst vim [1] (2)' ;; *) echo "apt-get $*" >> calls ;; esac"#)
            .stub("env", r#"shift; exec "$@""#)
            .prints("upgrades\nInst vim [1] (2)\nRemv old [1]\napt-get dist-upgrade -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold\napt-get autoremove -y -q\n"),
        case("k_apt_upgrade ok && echo up-to-date").stub("apt-get", "echo 'Reading package lists...'").prints("up-to-date\n"),
    ],
    k_apt_source => [
        case("k_apt_source ok --file list --line 'deb http://x  y main' --key 'deb http://x y main' || echo missing; k_apt_source act --file list --line 'deb http://x  y main' --key 'deb http://x y main' --update; cat list calls")
            .given("echo 'deb http://x y main' > list")
            .stub("apt-get", r#"echo "apt-get $*" >> calls"#)
            .stub("touch", "exit 0")
            .stub("date", "echo 0")
            .prints("missing\ndeb http://x  y main\napt-get update -q\n"),
        case("k_apt_source act --file list --line 'deb http://x y main' --key 'deb http://x y main' --absent; cat list")
            .given("printf 'deb http://a b c\\ndeb   http://x y main\\n' > list")
            .prints("deb http://a b c\n"),
    ],
    k_apt_sources => [
        // No key: the file holds the text; the update reads this file alone.
        case("k_text='Types: deb\nURIs: http://x\n'; k_apt_sources ok --file s.sources || echo missing; k_apt_sources diff --file s.sources; k_apt_sources act --file s.sources --update; cat s.sources calls; k_apt_sources ok --file s.sources && echo holds")
            .stub("apt-get", r#"echo "apt-get $*" >> calls"#)
            .prints("missing\n--- s.sources\n+++ s.sources (desired)\n@@ -0,0 +1,2 @@\n+Types: deb\n+URIs: http://x\nTypes: deb\nURIs: http://x\napt-get update -q -o Dir::Etc::sourcelist=s.sources -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0\nholds\n"),
        // A key: fetched (armored, so dearmored), checked, then written, into a directory
        // made for it; gpg has a home of its own.
        case("k_text='Signed-By: k/s.gpg\n'; k_apt_sources diff --file s.sources --keyring k/s.gpg --key-url http://h/k --fingerprint ABCD | head -n 1; k_apt_sources act --file s.sources --keyring k/s.gpg --key-url http://h/k --fingerprint ABCD; cat k/s.gpg s.sources; k_apt_sources ok --file s.sources --keyring k/s.gpg --key-url http://h/k --fingerprint ABCD && echo holds")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; echo '-----BEGIN PGP PUBLIC KEY BLOCK-----' > \"$out\"")
            .stub("gpg", GPG)
            .prints("install the key k/s.gpg (fingerprint ABCD)\nKEY\nSigned-By: k/s.gpg\nholds\n"),
        // A key with another fingerprint, or with a key more: nothing is written.
        case("k_text='x\n'; for key in FFFF ABCD+FFFF; do echo $key > served; k_apt_sources act --file s.sources --keyring k/s.gpg --key-url http://h/k --fingerprint ABCD; echo \"status $?\"; done; ls")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; cp served \"$out\"")
            .stub("gpg", GPG)
            .prints("status 1\nstatus 1\nk\nserved\n")
            .says("kiln: http://h/k is not the key ABCD alone: not installed\nkiln: http://h/k is not the key ABCD alone: not installed\n"),
        // Without gpg, the act says what is missing.
        case("k_text='x\n'; k_apt_sources act --file s.sources --keyring k.gpg --key-url http://h/k --fingerprint ABCD")
            .only(&["printf"])
            .status(1)
            .says("kiln: gpg is not installed: apt.sources needs it to check the key's fingerprint and write a binary keyring (apt-get install gpg)\n"),
        case("k_apt_sources ok --file s.sources --absent || echo present; k_apt_sources diff --file s.sources --absent; k_apt_sources act --file s.sources --keyring k.gpg --key-url http://h/k --absent; ls; k_apt_sources ok --file s.sources --absent && echo gone")
            .given("echo x > s.sources; echo k > k.gpg; echo o > other")
            .prints("present\nremove s.sources\nother\ngone\n"),
    ],
    k_apt_deb => [
        // From standard input: fields read with dpkg-deb, compared with dpkg-query.
        case("k_apt_deb ok --stdin < pkg.deb || echo missing; k_apt_deb diff --stdin < pkg.deb; k_apt_deb act --stdin < pkg.deb; sed 's|/[^ ]*/package.deb|FILE|' calls")
            .given("echo deb > pkg.deb")
            .stub("dpkg-deb", "case $3 in Package) echo old ;; Version) echo 2.0 ;; esac")
            .stub("dpkg-query", DPKG_QUERY)
            .stub("apt-get", r#"echo "apt-get $*" >> calls"#)
            .prints("missing\ninstall old 2.0\napt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold FILE\n"),
        case("k_apt_deb ok --stdin < pkg.deb && echo installed")
            .given("echo deb > pkg.deb")
            .stub("dpkg-deb", "case $3 in Package) echo old ;; Version) echo 1.0 ;; esac")
            .stub("dpkg-query", DPKG_QUERY)
            .prints("installed\n"),
        // From a URL: downloaded once per run, checked against its digest.
        case("k_apt_deb ok --url http://h/p.deb --sha256 $sum || k_apt_deb diff --url http://h/p.deb --sha256 $sum; cat fetched")
            .given("echo deb > src.deb; sum=$(k_sha256 src.deb)")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; cp src.deb \"$out\"; echo fetched >> fetched")
            .stub("dpkg-deb", "case $3 in Package) echo new ;; Version) echo 1 ;; esac")
            .stub("dpkg-query", DPKG_QUERY)
            .prints("install new 1\nfetched\n"),
        case("k_apt_deb ok --url http://h/p.deb --sha256 0000")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; echo evil > \"$out\"")
            .status(1)
            .says("kiln: http://h/p.deb has SHA-256 886b67480dbe73b406ad83a1dd6d9596f93089d90c220ccfc91944c95f1c68c4, expected 0000\n"),
        case("k_apt_deb ok --stdin < pkg.deb")
            .given("echo junk > pkg.deb")
            .stub("dpkg-deb", "exit 2")
            .status(1)
            .says("kiln: the .deb is not a Debian package\n"),
    ],
    k_apt_ppa => [
        // Removed on any host: no codename is needed, and the keyring goes too.
        case("set -- --file s.sources --keyring k.gpg --key-url http://h/k --fingerprint ABCD --absent; k_apt_ppa ok --uri http://p --keyring k.gpg -- \"$@\" || echo present; k_apt_ppa diff --uri http://p --keyring k.gpg -- \"$@\"; k_apt_ppa act --uri http://p --keyring k.gpg -- \"$@\"; ls; k_apt_ppa ok --uri http://p --keyring k.gpg -- \"$@\" && echo gone")
            .given("echo x > s.sources; echo k > k.gpg; echo o > other")
            .prints("present\nremove s.sources\nother\ngone\n"),
        case("k_apt_ppa ok --url http://p")
            .status(64)
            .says("kiln: k_apt_ppa: unknown option --url\n"),
    ],
    k_apt_ppa_codename => [
        case("k_apt_ppa_codename os && echo \"$k_apt_ppa_suite\"")
            .given("printf 'NAME=\"Ubuntu\"\\nID=ubuntu\\nVERSION_CODENAME=noble\\n' > os")
            .prints("noble\n"),
        // A derivative names the Ubuntu release it is built on.
        case("k_apt_ppa_codename os && echo \"$k_apt_ppa_suite\"")
            .given("printf 'ID=linuxmint\\nID_LIKE=\"ubuntu debian\"\\nVERSION_CODENAME=wilma\\nUBUNTU_CODENAME=\"noble\"\\n' > os")
            .prints("noble\n"),
        case("k_apt_ppa_codename os")
            .given("printf 'ID=debian\\nVERSION_CODENAME=bookworm\\n' > os")
            .status(1)
            .says("kiln: apt.ppa: this host is debian, not Ubuntu: a PPA is built for an Ubuntu release (use apt.sources for another repository)\n"),
        case("k_apt_ppa_codename missing")
            .status(1)
            .says("kiln: apt.ppa: this host is of no known distribution, not Ubuntu: a PPA is built for an Ubuntu release (use apt.sources for another repository)\n"),
    ],
    k_rpm_key => [
        // From a URL: downloaded, checked by gpg, then imported; the probe asks rpm.
        case("set -- --key http://h/k --fingerprint ABCD --id 0000abcd; k_rpm_key ok \"$@\" || echo missing; k_rpm_key diff \"$@\"; k_rpm_key act \"$@\"; k_rpm_key ok \"$@\" && echo holds; sed 's|/[^ ]*/rpm-key|FILE|' calls")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; echo ABCD > \"$out\"")
            .stub("gpg", GPG)
            .stub("rpm", RPM_KEYS)
            .prints("missing\nimport the key http://h/k (fingerprint ABCD)\nholds\nrpm --import FILE\n"),
        // A file on the host: its copy in the private directory is checked and imported.
        case("k_rpm_key act --key \"$PWD/k.asc\" --fingerprint ABCD --id 0000abcd && sed 's|/[^ ]*/rpm-key|FILE|' calls")
            .given("echo ABCD > k.asc")
            .stub("gpg", GPG)
            .stub("rpm", RPM_KEYS)
            .prints("rpm --import FILE\n"),
        // Another key, or one more: rpm never sees it.
        case("for key in FFFF ABCD+FFFF; do echo $key > served; k_rpm_key act --key http://h/k --fingerprint ABCD --id 0000abcd; echo \"status $?\"; done; ls")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; cp served \"$out\"")
            .stub("gpg", GPG)
            .stub("rpm", RPM_KEYS)
            .prints("status 1\nstatus 1\nserved\n")
            .says("kiln: http://h/k is not the key ABCD alone: not imported\nkiln: http://h/k is not the key ABCD alone: not imported\n"),
        case("k_rpm_key act --key http://h/k --fingerprint ABCD --id 0000abcd")
            .only(&["printf"])
            .status(1)
            .says("kiln: gpg is not installed: the rpm key ops need it to check the key's fingerprint before rpm trusts it\n"),
        case("set -- --key http://h/k --fingerprint ABCD --id 0000abcd --absent; k_rpm_key ok \"$@\" || echo present; k_rpm_key diff \"$@\"; k_rpm_key act \"$@\"; k_rpm_key ok \"$@\" && echo gone; cat calls")
            .given("echo gpg-pubkey-0000abcd > db")
            .stub("rpm", RPM_KEYS)
            .prints("present\nremove the key gpg-pubkey-0000abcd\ngone\nrpm -e --allmatches gpg-pubkey-0000abcd\n"),
    ],
    k_rpm_file => [
        // The file's NEVRA (`rpm -qp`) among what rpm says of its name (`rpm -q`).
        case("k_rpm_file ok --manager dnf --stdin < p.rpm || echo missing; k_rpm_file diff --manager dnf --stdin < p.rpm; k_rpm_file act --manager dnf --stdin < p.rpm; sed 's|/[^ ]*/package.rpm|FILE|' calls")
            .given("echo 'old old-1:2.0-1.noarch' > p.rpm")
            .stub("rpm", RPM_FILES)
            .stub("dnf", r#"echo "dnf $*" >> calls"#)
            .prints("missing\ninstall old-1:2.0-1.noarch\ndnf install -y FILE\n"),
        case("k_rpm_file ok --manager yum --stdin < p.rpm && echo installed")
            .given("echo 'old old-1.0-1.noarch' > p.rpm")
            .stub("rpm", RPM_FILES)
            .prints("installed\n"),
        case("k_rpm_file act --manager zypper --stdin < p.rpm; sed 's|/[^ ]*/package.rpm|FILE|' calls")
            .given("echo 'new new-1-1.x86_64' > p.rpm")
            .stub("rpm", RPM_FILES)
            .stub("zypper", r#"echo "zypper $*" >> calls"#)
            .prints("zypper --non-interactive install FILE\n"),
        case("k_rpm_file ok --manager dnf --stdin < p.rpm")
            .given("echo junk > p.rpm")
            .stub("rpm", "exit 1")
            .status(1)
            .says("kiln: the .rpm is not an rpm package\n"),
    ],
    k_apt_key => [
        case("k_apt_key ok --dest k.asc || echo missing; k_apt_key diff --dest k.asc; k_apt_key act --dest k.asc --url http://h/k --key-id ABCD; cat k.asc; k_apt_key ok --dest k.asc --key-id ABCD && echo holds")
            .stub("curl", "while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done; echo downloaded > \"$out\"")
            .stub("gpg", r#"case " $* " in
*' --show-keys '*) echo 'fpr:::::::::0123ABCD:' ;;
*' --import '*) : ;;
*' --export '*) echo 'KEY' ;;
esac"#)
            .prints("missing\ninstall the key k.asc\nKEY\nholds\n"),
        case("k_apt_key act --dest k.gpg --keyserver hkp://ks --key-id ABCD")
            .stub("gpg", r#"case " $* " in *' --show-keys '*) echo 'fpr:::::::::0123FFFF:' ;; *' --export '*) echo KEY ;; esac"#)
            .status(1)
            .says("kiln: the key is not there, or not the one key_id names\n"),
    ],
}
