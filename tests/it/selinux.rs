//! `selinux.state`, `selinux.boolean` and `selinux.fcontext` applied by the real binary on
//! this host. SELinux cannot run here (the kernel has it off, and a test must not change
//! this machine's policy): getenforce, setenforce, getsebool, setsebool, semanage and
//! restorecon are stand-ins on `PATH` (`support::fakes`) that keep the mode, the booleans
//! and the local file context rules in files and log every change, so these tests show
//! the commands kiln runs, their idempotence, and the message on a host without the tools.

use crate::support::fakes::Fakes;
use crate::support::kiln;

/// The stand-ins: `$FAKE/mode` (enforcing, permissive, disabled), `$FAKE/booleans`
/// (`NAME on|off` a line), `$FAKE/fcontext` (`REGEX|KIND|CONTEXT` a line, printed as
/// `semanage fcontext -l -C` does); changes logged to `$FAKE/selinux.log`.
fn fakes() -> Fakes {
    let log = r#"echo "${0##*/} $*" >> "$FAKE/selinux.log""#;
    Fakes::new(&[
        (
            "getenforce",
            "#!/bin/sh\ncase $(cat \"$FAKE/mode\") in enforcing) echo Enforcing ;; permissive) echo Permissive ;; *) echo Disabled ;; esac\n".to_owned(),
        ),
        (
            "setenforce",
            format!("#!/bin/sh\n{log}\ncase $1 in 1) echo enforcing ;; *) echo permissive ;; esac > \"$FAKE/mode\"\n"),
        ),
        (
            "getsebool",
            "#!/bin/sh\nfor name; do :; done\nvalue=$(awk -v n=\"$name\" '$1 == n { print $2 }' \"$FAKE/booleans\")\n[ -n \"$value\" ] || { echo \"Error getting active value for $name\" >&2; exit 1; }\necho \"$name --> $value\"\n".to_owned(),
        ),
        (
            "setsebool",
            format!("#!/bin/sh\n{log}\n[ \"$1\" != -P ] || shift\nawk -v n=\"$1\" -v v=\"$2\" '$1 == n {{ $2 = v }} {{ print }}' \"$FAKE/booleans\" > \"$FAKE/booleans.new\" && mv \"$FAKE/booleans.new\" \"$FAKE/booleans\"\n"),
        ),
        (
            "semanage",
            format!(r#"#!/bin/sh
rules=$FAKE/fcontext
touch "$rules"
if [ "$2" = -l ]; then
  echo 'SELinux fcontext                                   type               Context'
  echo
  while IFS='|' read -r t k c; do printf '%-50s %-18s %s\n' "$t" "$k" "$c"; done < "$rules"
  exit 0
fi
{log}
op=$2 kind='all files' type='' user=system_u level=s0
shift 2
while [ "$1" != -- ]; do
  case $1 in
  -f) case $2 in d) kind=directory ;; f) kind='regular file' ;; *) kind='all files' ;; esac; shift ;;
  -t) type=$2; shift ;;
  -s) user=$2; shift ;;
  -r) level=$2; shift ;;
  esac
  shift
done
target=$2
grep -vF "$target|$kind|" "$rules" > "$rules.new"
case $op in
-a) grep -qF "$target|$kind|" "$rules" && {{ echo "ValueError: File context for $target already defined" >&2; exit 1; }} ;;
-m | -d) grep -qF "$target|$kind|" "$rules" || {{ echo "ValueError: File context for $target is not defined" >&2; exit 1; }} ;;
esac
[ "$op" = -d ] || echo "$target|$kind|$user:object_r:$type:$level" >> "$rules.new"
mv "$rules.new" "$rules"
"#),
        ),
        ("restorecon", format!("#!/bin/sh\n{log}\n")),
    ])
}

/// From enforcing to permissive: `setenforce 0` and the configuration file (its other
/// lines kept); then to disabled, which only the file can say until a reboot, and the op
/// says so.
#[test]
fn state_changes_the_mode_and_the_configuration() {
    let fakes = fakes();
    std::fs::write(fakes.dir().join("mode"), "enforcing\n").unwrap();
    let config = fakes.dir().join("config");
    std::fs::write(
        &config,
        "# This file controls the state of SELinux on the system.\nSELINUX=enforcing\nSELINUXTYPE=targeted\n",
    )
    .unwrap();
    let manifest = |state: &str| {
        format!(
            "[[op]]\nop = \"selinux.state\"\nstate = \"{state}\"\npolicy = \"targeted\"\nconfigfile = \"{}\"\n",
            config.display()
        )
    };
    fakes.converges(&manifest("permissive"), &["mode", "config"]);
    assert_eq!(fakes.read("mode"), "permissive\n");
    assert_eq!(
        fakes.read("config"),
        "# This file controls the state of SELinux on the system.\nSELINUX=permissive\nSELINUXTYPE=targeted\n"
    );
    assert_eq!(fakes.calls("selinux"), "setenforce 0\n");

    fakes
        .run(&manifest("disabled"), true)
        .assert_status(0)
        .assert_stdout_contains("SELinux stays permissive until the host reboots");
    fakes
        .run(&manifest("disabled"), false)
        .assert_status(0)
        .assert_stdout_contains("SELinux stays permissive until the host reboots (then disabled)");
    assert!(fakes.read("config").contains("\nSELINUX=disabled\n"));
    assert_eq!(fakes.read("mode"), "permissive\n");
    fakes
        .run(&manifest("disabled"), false)
        .assert_status(0)
        .assert_stdout_contains("(1 ok, 0 changed");
}

/// A boolean set with `setsebool -P`, once.
#[test]
fn boolean_is_set_persistently_once() {
    let fakes = fakes();
    std::fs::write(
        fakes.dir().join("booleans"),
        "httpd_can_network_connect off\nhttpd_use_nfs off\n",
    )
    .unwrap();
    fakes.converges(
        "[[op]]\nop = \"selinux.boolean\"\nboolean = \"httpd_can_network_connect\"\nstate = true\npersistent = true\n",
        &["booleans"],
    );
    assert_eq!(
        fakes.read("booleans"),
        "httpd_can_network_connect on\nhttpd_use_nfs off\n"
    );
    assert_eq!(
        fakes.calls("selinux"),
        "setsebool -P httpd_can_network_connect on\n"
    );
    // An unknown boolean fails with the tool's message.
    fakes
        .run(
            "[[op]]\nop = \"selinux.boolean\"\nboolean = \"no_such_boolean\"\nstate = true\n",
            false,
        )
        .assert_status(1)
        .assert_stdout_contains("Error getting active value for no_such_boolean");
}

/// A file context rule added (`-a`), then changed (`-m`), then deleted (`-d`), each
/// followed by `restorecon` of the path, each converging.
#[test]
fn fcontext_adds_changes_and_deletes_a_rule() {
    let fakes = fakes();
    let rule = |setype: &str| {
        format!(
            "[[op]]\nop = \"selinux.fcontext\"\ntarget = \"/srv/www(/.*)?\"\nsetype = \"{setype}\"\nrestorecon = \"/srv/www\"\n"
        )
    };
    fakes.converges(&rule("httpd_sys_content_t"), &["fcontext"]);
    assert_eq!(
        fakes.read("fcontext"),
        "/srv/www(/.*)?|all files|system_u:object_r:httpd_sys_content_t:s0\n"
    );
    assert_eq!(
        fakes.calls("selinux"),
        "semanage fcontext -a -f a -t httpd_sys_content_t -- /srv/www(/.*)?\nrestorecon -R -- /srv/www\n"
    );

    fakes.converges(&rule("httpd_sys_rw_content_t"), &["fcontext"]);
    assert!(
        fakes
            .calls("selinux")
            .starts_with("semanage fcontext -m -f a -t httpd_sys_rw_content_t -- /srv/www(/.*)?\n")
    );

    fakes.converges(
        "[[op]]\nop = \"selinux.fcontext\"\ntarget = \"/srv/www(/.*)?\"\npresent = false\n",
        &["fcontext"],
    );
    assert_eq!(fakes.read("fcontext"), "");
}

/// On a host without SELinux's tools, each op fails saying which tool is missing.
#[test]
fn without_the_tools_each_op_says_what_is_missing() {
    let on_this_host = |tool: &str| {
        kiln::PATH
            .split(':')
            .any(|dir| std::path::Path::new(dir).join(tool).exists())
    };
    if ["getenforce", "getsebool", "semanage"]
        .into_iter()
        .any(on_this_host)
    {
        eprintln!("SELinux's tools are installed here: nothing to test");
        return;
    }
    let fakes = Fakes::new(&[]);
    for (manifest, tool) in [
        (
            "op = \"selinux.state\"\nstate = \"enforcing\"\nconfigfile = \"/nonexistent/config\"",
            "getenforce",
        ),
        (
            "op = \"selinux.boolean\"\nboolean = \"httpd_use_nfs\"\nstate = true",
            "getsebool",
        ),
        (
            "op = \"selinux.fcontext\"\ntarget = \"/srv\"\nsetype = \"var_t\"",
            "semanage",
        ),
    ] {
        fakes
            .run(&format!("[[op]]\n{manifest}\n"), false)
            .assert_status(1)
            .assert_stdout_contains(&format!(
                "kiln: {tool} is not installed: SELinux's tools are needed"
            ));
    }
}
