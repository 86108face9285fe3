//! `selinux.sh`: SELinux's mode, booleans and file contexts. SELinux cannot run here: its
//! tools are stubs that keep their state in files of the case's directory (`mode`, `bool`,
//! `rules`) and log what changes it to `calls`.

use super::{case, functions};

/// getenforce prints the mode of `mode`, capitalized as the real one does.
const GETENFORCE: &str = "case $(cat mode) in enforcing) echo Enforcing ;; permissive) echo Permissive ;; *) echo Disabled ;; esac";

const SETENFORCE: &str = "echo \"setenforce $*\" >> calls; case $1 in 1) echo enforcing ;; *) echo permissive ;; esac > mode";

/// `semanage fcontext -l -C` as the real one prints it: a header, then the rules of
/// `rules`, `REGEX|KIND|CONTEXT` a line.
const SEMANAGE: &str = r#"case $2 in
-l) echo "$*" >> listed; echo 'SELinux fcontext                                   type               Context'; echo
  while IFS='|' read -r t k c; do printf '%-50s %-18s %s\n' "$t" "$k" "$c"; done < rules ;;
*) echo "semanage $*" >> calls ;;
esac"#;

const SELINUX_CONFIG: &str = "# This file controls the state of SELinux on the system.\nSELINUX=enforcing\nSELINUXTYPE=targeted\n";

functions! {
    k_selinux_tools => [
        case("k_selinux_tools sh && echo there; k_selinux_tools getenforce || echo missing")
            .only(&["sh", "printf"])
            .prints("there\nmissing\n")
            .says("kiln: getenforce is not installed: SELinux's tools are needed (policycoreutils, and semanage's python3-policycoreutils or policycoreutils-python-utils)\n"),
    ],
    k_selinux_state => [
        // From enforcing to permissive: setenforce, and the configuration file.
        case("k_selinux_state ok --state permissive --config config || k_selinux_state diff --state permissive --config config; k_selinux_state act --state permissive --config config; k_selinux_state ok --state permissive --config config && cat calls config")
            .given("echo enforcing > mode; printf '# This file controls the state of SELinux on the system.\\nSELINUX=enforcing\\nSELINUXTYPE=targeted\\n' > config")
            .stub("getenforce", GETENFORCE)
            .stub("setenforce", SETENFORCE)
            .prints("--- config\n+++ config (desired)\n@@ -1,3 +1,3 @@\n # This file controls the state of SELinux on the system.\n-SELINUX=enforcing\n+SELINUX=permissive\n SELINUXTYPE=targeted\nsetenforce 0\nsetenforce 0\n# This file controls the state of SELinux on the system.\nSELINUX=permissive\nSELINUXTYPE=targeted\n"),
        // To disabled: permissive now, the file says disabled, and a reboot is said to
        // be needed; then it holds.
        case("k_selinux_state act --state disabled --policy mls --config config; k_selinux_state ok --state disabled --policy mls --config config && cat calls config")
            .given("echo enforcing > mode; echo SELINUX=enforcing > config")
            .stub("getenforce", GETENFORCE)
            .stub("setenforce", SETENFORCE)
            .prints("setenforce 0\nSELINUX=disabled\nSELINUXTYPE=mls\n")
            .says("kiln: SELinux stays enforcing until the host reboots (then disabled)\n"),
        // Without the tools: said, and nothing written.
        case("k_selinux_state act --state enforcing --config config || cat config")
            .given("printf '# This file controls the state of SELinux on the system.\\nSELINUX=enforcing\\nSELINUXTYPE=targeted\\n' > config")
            .only(&["cat", "printf"])
            .prints(SELINUX_CONFIG)
            .says("kiln: getenforce is not installed: SELinux's tools are needed (policycoreutils, and semanage's python3-policycoreutils or policycoreutils-python-utils)\n"),
    ],
    k_selinux_state_reboots => [
        case("k_selinux_state_reboots || echo enforcing-to-permissive; k_selinux_state_want=disabled k_selinux_state_set=0; k_selinux_state_reboots && echo to-disabled; k_selinux_state_running=disabled k_selinux_state_want=enforcing k_selinux_state_set=''; k_selinux_state_reboots && echo from-disabled; k_selinux_state_want=disabled; k_selinux_state_reboots || echo disabled")
            .given("k_selinux_state_running=enforcing k_selinux_state_want=permissive k_selinux_state_set=0")
            .prints("enforcing-to-permissive\nto-disabled\nfrom-disabled\ndisabled\n"),
    ],
    k_selinux_state_configured => [
        case("k_selinux_state_configured && echo yes; k_selinux_state_want=permissive; k_selinux_state_configured || echo no; k_selinux_state_want=enforcing k_selinux_state_policy=mls; k_selinux_state_configured || echo other-policy")
            .given("printf 'SELINUX=enforcing\\nSELINUXTYPE=targeted\\n' > config; k_selinux_state_config=config k_selinux_state_want=enforcing k_selinux_state_policy=''")
            .prints("yes\nno\nother-policy\n"),
    ],
    k_selinux_state_written => [
        // Lines replaced in place, the rest kept; missing ones added.
        case("k_selinux_state_written; k_selinux_state_config=none; k_selinux_state_written")
            .given("printf '# top\\nSELINUX=enforcing\\n# end\\n' > config; k_selinux_state_config=config k_selinux_state_want=permissive k_selinux_state_policy=targeted")
            .prints("# top\nSELINUX=permissive\n# end\nSELINUXTYPE=targeted\nSELINUX=permissive\nSELINUXTYPE=targeted\n"),
    ],
    k_selinux_boolean => [
        case("k_selinux_boolean ok --name httpd_can_network_connect --value on || k_selinux_boolean diff --name httpd_can_network_connect --value on; k_selinux_boolean act --name httpd_can_network_connect --value on --persistent; k_selinux_boolean ok --name httpd_can_network_connect --value on && cat calls")
            .given("echo off > bool")
            .stub("getsebool", "echo \"$2 --> $(cat bool)\"")
            .stub("setsebool", "echo \"setsebool $*\" >> calls; for last; do :; done; echo \"$last\" > bool")
            .prints("httpd_can_network_connect: off -> on\nsetsebool -P httpd_can_network_connect on\n"),
        // An unknown boolean fails the probe's own way.
        case("k_selinux_boolean ok --name nope --value on")
            .stub("getsebool", "echo 'Error getting active value for nope' >&2; exit 1")
            .stub("setsebool", "exit 0")
            .status(1)
            .says("Error getting active value for nope\n"),
    ],
    k_selinux_fcontext => [
        // Added when no local rule is there, changed when one differs, left when it holds.
        case("k_selinux_fcontext diff --target '/srv/www(/.*)?' --ftype a --setype httpd_sys_content_t --restorecon /srv/www; k_selinux_fcontext act --target '/srv/www(/.*)?' --ftype a --setype httpd_sys_content_t --restorecon /srv/www; cat calls")
            .given("printf '/srv/www(/.*)?|directory|system_u:object_r:var_t:s0\\n' > rules")
            .stub("semanage", SEMANAGE)
            .stub("restorecon", "echo \"restorecon $*\" >> calls")
            .prints("semanage fcontext -a -f a -t httpd_sys_content_t /srv/www(/.*)?\nrestorecon -R /srv/www\nsemanage fcontext -a -f a -t httpd_sys_content_t -- /srv/www(/.*)?\nrestorecon -R -- /srv/www\n"),
        // Every rule is read (a rule of the policy is changed too); for a deletion, the
        // local ones alone.
        case("k_selinux_fcontext act --target /srv/data --ftype d --setype public_content_t --seuser system_u; cat calls listed")
            .given("printf '/srv/data|directory|system_u:object_r:var_t:s0\\n' > rules")
            .stub("semanage", SEMANAGE)
            .prints("semanage fcontext -m -f d -t public_content_t -s system_u -- /srv/data\nfcontext -l\n"),
        case("k_selinux_fcontext ok --target /srv/data --ftype d --setype var_t --selevel s0:c0.c1023 && echo holds; k_selinux_fcontext ok --target /srv/data --ftype d --absent || echo present; k_selinux_fcontext ok --target /srv/data --ftype f --absent && echo none-for-files")
            .given("printf '/srv/data|directory|system_u:object_r:var_t:s0:c0.c1023\\n' > rules")
            .stub("semanage", SEMANAGE)
            .prints("holds\npresent\nnone-for-files\n"),
        case("k_selinux_fcontext act --target /srv/data --ftype d --absent; cat calls listed")
            .given("printf '/srv/data|directory|system_u:object_r:var_t:s0\\n' > rules")
            .stub("semanage", SEMANAGE)
            .prints("semanage fcontext -d -f d -- /srv/data\nfcontext -l -C\n"),
        case("k_selinux_fcontext ok --target /srv/data --setype var_t")
            .only(&["printf"])
            .status(1)
            .says("kiln: semanage is not installed: SELinux's tools are needed (policycoreutils, and semanage's python3-policycoreutils or policycoreutils-python-utils)\n"),
    ],
    k_selinux_fcontext_holds => [
        case("k_selinux_fcontext_holds && echo yes; k_selinux_fcontext_selevel=s0:c1; k_selinux_fcontext_holds || echo other-level; k_selinux_fcontext_now=''; k_selinux_fcontext_holds || echo none")
            .given("k_selinux_fcontext_now=system_u:object_r:var_t:s0:c0.c1023 k_selinux_fcontext_setype=var_t k_selinux_fcontext_seuser=system_u k_selinux_fcontext_selevel=s0:c0.c1023")
            .prints("yes\nother-level\nnone\n"),
    ],
}
