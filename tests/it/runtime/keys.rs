//! `keys.sh`: SSH key pairs and known_hosts entries, with the real ssh-keygen.

use super::{case, functions};

functions! {
    k_ssh_keygen => [
        // A new key: private and public files with their modes, nothing left beside them,
        // and the state holds afterwards.
        case("k_ssh_keygen ok --path d/id --type ed25519 --comment me || echo missing; k_ssh_keygen act --path d/id --type ed25519 --comment me; stat -c %a d/id d/id.pub; ssh-keygen -l -f d/id | cut -d' ' -f1,3-; ls -A d; k_ssh_keygen ok --path d/id --type ed25519 --comment me && echo holds")
            .given("mkdir d")
            .prints("missing\n600\n644\n256 me (ED25519)\nid\nid.pub\nholds\n"),
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
}
