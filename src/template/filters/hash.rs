//! `hash` (a hex digest, Python's `hashlib` names), `password_hash` (SHA-512 or SHA-256
//! crypt, as `/etc/shadow` holds it) and `to_uuid` (a name-based UUID, version 5).
//!
//! Ansible's `password_hash` draws a random salt unless one is given, so its task changes
//! the password on every run. kiln's default salt is derived from the password and the
//! host's name instead: the same on every run (the op converges), different between hosts
//! and passwords. Given a salt, the output is Ansible's, byte for byte, rounds included
//! (656000 for SHA-512, 535000 for SHA-256, as Ansible sets them).

use md5::Md5;
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, State};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::invalid;

pub(super) fn add(env: &mut Environment<'static>) {
    env.add_filter("hash", |text: String, kind: Option<String>| {
        hex_digest(kind.as_deref().unwrap_or("sha1"), text.as_bytes())
    });
    env.add_filter("password_hash", password_hash);
    env.add_filter(
        "to_uuid",
        |name: String, namespace: Option<String>, kwargs: Kwargs| {
            let namespace = match namespace {
                Some(namespace) => Some(namespace),
                None => kwargs.get::<Option<String>>("namespace")?,
            };
            kwargs.assert_all_used()?;
            to_uuid(&name, namespace.as_deref().unwrap_or(ANSIBLE_NAMESPACE))
        },
    );
}

/// Ansible's namespace for `to_uuid`.
const ANSIBLE_NAMESPACE: &str = "361e6d51-faec-444a-9079-341386da8e2e";

/// Python's `uuid.uuid5(namespace, name)`: SHA-1 of the namespace's bytes and the name,
/// with the version (5) and variant bits set.
fn to_uuid(name: &str, namespace: &str) -> Result<String, Error> {
    let hex: String = namespace.chars().filter(|c| *c != '-').collect();
    let namespace: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    if namespace.len() != 16 || hex.len() != 32 {
        return Err(invalid(format!("to_uuid: `{hex}` is not a UUID namespace")));
    }
    let mut bytes = Sha1::new()
        .chain_update(&namespace)
        .chain_update(name.as_bytes())
        .finalize()[..16]
        .to_vec();
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

fn hex_digest(kind: &str, data: &[u8]) -> Result<String, Error> {
    let digest: Vec<u8> = match kind {
        "md5" => Md5::digest(data).to_vec(),
        "sha1" => Sha1::digest(data).to_vec(),
        "sha224" => Sha224::digest(data).to_vec(),
        "sha256" => Sha256::digest(data).to_vec(),
        "sha384" => Sha384::digest(data).to_vec(),
        "sha512" => Sha512::digest(data).to_vec(),
        other => {
            return Err(invalid(format!(
                "hash: unsupported hash type `{other}`: md5, sha1, sha224, sha256, sha384 or sha512"
            )));
        }
    };
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The characters of a crypt salt.
const SALT_CHARS: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn password_hash(
    state: &State<'_, '_>,
    password: String,
    method: Option<String>,
    salt: Option<String>,
    kwargs: Kwargs,
) -> Result<String, Error> {
    let rounds = kwargs.get::<Option<usize>>("rounds")?;
    kwargs.assert_all_used()?;
    let method = method.as_deref().unwrap_or("sha512");
    let salt = match salt {
        Some(salt) => salt,
        None => stable_salt(state, &password),
    };
    if salt.is_empty() || !salt.bytes().all(|b| SALT_CHARS.contains(&b)) {
        return Err(invalid("password_hash: a salt is made of `./0-9A-Za-z`"));
    }
    // crypt(3) reads at most 16 characters of salt.
    let salt: String = salt.chars().take(16).collect();
    let bad_rounds = |_| invalid("password_hash: rounds must be 1000 to 999999999");
    let (id, rounds, hash) = match method {
        "sha512" | "sha512_crypt" => {
            let rounds = rounds.unwrap_or(656_000);
            let params = sha_crypt::Sha512Params::new(rounds).map_err(bad_rounds)?;
            (
                "6",
                rounds,
                sha_crypt::sha512_crypt_b64(password.as_bytes(), salt.as_bytes(), &params),
            )
        }
        "sha256" | "sha256_crypt" => {
            let rounds = rounds.unwrap_or(535_000);
            let params = sha_crypt::Sha256Params::new(rounds).map_err(bad_rounds)?;
            (
                "5",
                rounds,
                sha_crypt::sha256_crypt_b64(password.as_bytes(), salt.as_bytes(), &params),
            )
        }
        other => {
            return Err(invalid(format!(
                "password_hash: `{other}` is not supported: use sha512 or sha256"
            )));
        }
    };
    let hash = hash.map_err(|error| invalid(format!("password_hash: {error:?}")))?;
    // crypt(3)'s default number of rounds is left out of the hash, as passlib leaves it.
    if rounds == 5000 {
        Ok(format!("${id}${salt}${hash}"))
    } else {
        Ok(format!("${id}$rounds={rounds}${salt}${hash}"))
    }
}

/// 16 salt characters from the password and the host's name.
fn stable_salt(state: &State<'_, '_>, password: &str) -> String {
    let host = state
        .lookup("host")
        .and_then(|host| host.get_attr("name").ok())
        .map(|name| name.to_string())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("kiln password_hash\0{host}\0{password}").as_bytes());
    digest
        .iter()
        .take(16)
        .map(|b| char::from(SALT_CHARS[usize::from(*b) % SALT_CHARS.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Value;

    #[test]
    fn digests() {
        assert_eq!(
            hex_digest("sha1", b"abc").unwrap(),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex_digest("md5", b"").unwrap(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert!(hex_digest("crc", b"").is_err());
        // Python: uuid.uuid5(uuid.UUID('361E6D51-FAEC-444A-9079-341386DA8E2E'), 'example.org')
        assert_eq!(
            to_uuid("example.org", ANSIBLE_NAMESPACE).unwrap(),
            "ed347709-1a40-5487-afec-3f7d37d019a3"
        );
    }

    #[test]
    fn the_default_salt_is_stable_per_host_and_password() {
        let env = crate::template::environment(false);
        let hash = |host: &str, password: &str| {
            let context =
                minijinja::context! { host => minijinja::context! { name => host }, p => password };
            env.render_str("{{ p | password_hash('sha256', rounds=1000) }}", context)
                .unwrap()
        };
        assert_eq!(
            hash("web1", "secret"),
            hash("web1", "secret"),
            "the op converges"
        );
        assert_ne!(hash("web1", "secret"), hash("web2", "secret"));
        assert_ne!(hash("web1", "secret"), hash("web1", "other"));
        assert!(hash("web1", "secret").starts_with("$5$rounds=1000$"));
    }

    #[test]
    fn hashes_as_ansible_with_a_salt() {
        let env = crate::template::environment(false);
        let render = |t: &str| env.render_str(t, Value::UNDEFINED).unwrap();
        assert_eq!(
            render("{{ 'secret' | password_hash('sha512', 'saltsalt', rounds=5000) }}"),
            "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"
        );
    }
}
