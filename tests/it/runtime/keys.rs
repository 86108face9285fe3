//! `keys.sh`: SSH key pairs and known_hosts entries, with the real ssh-keygen.

use super::{case, functions};

functions! {
    k_ssh_keygen => [
        // A new key: private and public files with their modes, nothing left beside them,
        // and the state holds afterwards.
        case("k_ssh_keygen ok --path d/id --type ed25519 --comment me || echo missing; k_ssh_keygen act --path d/id --type ed25519 --comment me; stat -c %a d/id d/id.pub; ssh-keygen -l -f d/id | cut -d' ' -f1,3-; ls -A d; k_ssh_keygen ok --path d/id --type ed25519 --comment me && echo holds")
            .given("mkdir d")
            .prints("missing\n600\n644\n256 me (ED25519)\nid\nid.pub\nholds\n"),
        // Given to its owner and group while still in its private directory.
        case("k_ssh_keygen act --path d/id --type ed25519 --owner nobody --group nogroup; stat -c '%U %G %a' d/id d/id.pub; ls -A d")
            .given("mkdir d")
            .root()
            .prints("nobody nogroup 600\nnobody nogroup 644\nid\nid.pub\n"),
        // A key of another size is replaced (partial_idempotence), and says so first.
        case("k_ssh_keygen diff --path id --type rsa --size 2048; k_ssh_keygen act --path id --type rsa --size 2048; ssh-keygen -l -f id | cut -d' ' -f1,4")
            .given("ssh-keygen -q -N '' -t rsa -b 1024 -C '' -f id </dev/null")
            .prints("generate a rsa 2048-bit key at id\n2048 (RSA)\n"),
        // `fail` refuses a key of another type and leaves it; `never` keeps it.
        case("k_ssh_keygen act --path id --type ecdsa --size 256 --regenerate fail 2>&1; echo \"status $?\"; k_ssh_keygen ok --path id --type ecdsa --size 256 --regenerate never && echo kept; cmp -s id id.orig && echo same")
            .given("ssh-keygen -q -N '' -t ed25519 -f id </dev/null; cp id id.orig")
            .prints("kiln: the key id is ed25519, not ecdsa 256\nstatus 1\nkept\nsame\n"),
        // A key that cannot be read: the op fails, or with `full` makes a new one.
        case("k_ssh_keygen act --path id --type ed25519 2>/dev/null || echo refused; k_ssh_keygen act --path id --type ed25519 --regenerate full; ssh-keygen -l -f id | cut -d' ' -f1,4")
            .given("echo broken > id; chmod 600 id")
            .prints("refused\n256 (ED25519)\n"),
        case("k_ssh_keygen diff --path id --type ed25519 --absent; k_ssh_keygen act --path id --type ed25519 --absent; ls -A; k_ssh_keygen ok --path id --type ed25519 --absent && echo gone")
            .given("ssh-keygen -q -N '' -t ed25519 -f id </dev/null; mv id k; mkdir s; mv k s/id; mv id.pub s/id.pub; mv s/id id; mv s/id.pub id.pub; rmdir s")
            .prints("remove id and id.pub\ngone\n"),
    ],
    k_known_hosts => [
        // Plain, then hashed: the plain entry is replaced by a hashed one that `ssh-keygen -F`
        // finds, and that holds; a pattern line and other hosts stay.
        case("k_known_hosts ok --name example.com --path kh --keys \"$K\" && echo holds; k_known_hosts ok --name example.com --path kh --keys \"$K\" --hash || echo plain; k_known_hosts act --name example.com --path kh --keys \"$K\" --hash; k_known_hosts ok --name example.com --path kh --keys \"$K\" --hash && echo hashed; grep -c '^|1|' kh; grep -vc '^|1|' kh; ssh-keygen -F example.com -f kh | grep -c \"$K\"")
            .given("K='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQ9y3r'; printf '*.example.com %s\\nexample.com %s\\nother %s\\n' \"$K\" \"$K\" \"$K\" > kh")
            .prints("holds\nplain\nhashed\n1\n2\n1\n"),
        // Another key of the same type replaces the host's; one of another type stays.
        case("k_known_hosts diff --name '[h]:2222' --path kh --keys 'ssh-ed25519 NEW'; k_known_hosts act --name '[h]:2222' --path kh --keys 'ssh-ed25519 NEW'; cat kh")
            .given("printf '[h]:2222 ssh-ed25519 OLD\\n[h]:2222 ssh-rsa RSA\\n' > kh")
            .prints("--- kh\n+++ kh (desired)\n@@ -1,2 +1,2 @@\n-[h]:2222 ssh-ed25519 OLD\n [h]:2222 ssh-rsa RSA\n+[h]:2222 ssh-ed25519 NEW\n[h]:2222 ssh-rsa RSA\n[h]:2222 ssh-ed25519 NEW\n"),
        // Absent: every entry of the host goes, hashed ones too.
        case("k_known_hosts act --name h --path kh --absent; k_known_hosts ok --name h --path kh --absent && echo gone; cat kh")
            .given("printf 'h ssh-ed25519 A\\nx ssh-ed25519 B\\n' > kh; printf 'h ssh-rsa C\\n' > h2; ssh-keygen -H -f h2 >/dev/null 2>&1; cat h2 >> kh")
            .prints("gone\nx ssh-ed25519 B\n"),
        // A new file in a new directory (0700); keyscan with an entry there scans nothing.
        case("k_known_hosts act --name h --path d/kh --keys 'ssh-ed25519 A'; stat -c %a d; cat d/kh; k_known_hosts ok --name h --path d/kh --keyscan && echo trusted")
            .prints("700\nh ssh-ed25519 A\ntrusted\n"),
        // The default file: in $HOME, or without one in the passwd database's home.
        case("HOME=$PWD/home; k_known_hosts act --name h --keys 'ssh-ed25519 A'; cat home/.ssh/known_hosts; unset HOME; k_known_hosts ok --name h --keys 'ssh-ed25519 A' && echo found")
            .stub("getent", "echo \"me:x:1000:1000::$PWD/home:/bin/sh\"")
            .stub("id", "echo me")
            .prints("h ssh-ed25519 A\nfound\n"),
        // keyscan: the keys ssh-keyscan finds, at the port of the name.
        case("k_known_hosts ok --name '[127.0.0.1]:2222' --path kh --keyscan || echo missing; k_known_hosts act --name '[127.0.0.1]:2222' --path kh --keyscan; cat kh; cat args")
            .stub("ssh-keyscan", "echo \"$*\" > args; echo '# comment'; echo '[127.0.0.1]:2222 ssh-ed25519 SCANNED'")
            .prints("missing\n[127.0.0.1]:2222 ssh-ed25519 SCANNED\n-p 2222 -- 127.0.0.1\n"),
    ],
}
