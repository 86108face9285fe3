//! Password hashes as `crypt(3)` writes them, for `server.user`'s `password`: a
//! plain-text password must never reach `/etc/shadow` (or a script, a plan, a report).
//!
//! Accepted: `$id$[rounds=N$]salt$hash` for the usual methods (MD5 `1`, bcrypt `2a`/`2b`/
//! `2y`, SHA-256 `5`, SHA-512 `6`, yescrypt `y`, gost-yescrypt `gy`, scrypt `7`), each
//! with its hash's length; the account markers `*` (no password) and `!` (locked); and a
//! hash locked as `usermod -L` and `passwd -l` do, with one or two `!` in front. The old
//! DES form is refused: it is insecure, and cannot be told from a 13-letter password.

/// Why `text` is not a password hash, or `None` if it is one.
pub fn problem(text: &str) -> Option<String> {
    let unlocked = text
        .strip_prefix("!!")
        .or_else(|| text.strip_prefix('!'))
        .unwrap_or(text);
    if (unlocked.is_empty() && text != unlocked) || unlocked == "*" {
        return None;
    }
    let Some(rest) = unlocked.strip_prefix('$') else {
        return Some("not a crypt(3) hash: a hash starts with `$id$`".into());
    };
    let mut fields: Vec<&str> = rest.split('$').collect();
    let id = fields.remove(0);
    let Some(length) = hash_length(id) else {
        return Some(format!("`${id}$` is not a crypt(3) method kiln knows"));
    };
    let Some((hash, settings)) = fields.split_last().filter(|(_, s)| !s.is_empty()) else {
        return Some(format!(
            "a `${id}$` hash has a salt and a hash after `${id}$`"
        ));
    };
    let settings = settings
        .iter()
        .filter(|field| !(["5", "6"].contains(&id) && is_rounds(field)));
    for field in settings.chain([hash]) {
        if !field.bytes().all(is_crypt_char) {
            return Some("a crypt(3) hash is made of `./0-9A-Za-z` between its `$`".into());
        }
    }
    (hash.len() != length).then(|| {
        format!(
            "a `${id}$` hash ends with {length} characters, this one with {}",
            hash.len()
        )
    })
}

/// The length of the last field of a hash made by the method `id`.
fn hash_length(id: &str) -> Option<usize> {
    Some(match id {
        "1" => 22,
        // bcrypt's last field is the salt (22) and the hash (31) together.
        "2a" | "2b" | "2y" => 53,
        "5" | "y" | "gy" | "7" => 43,
        "6" => 86,
        _ => return None,
    })
}

fn is_rounds(field: &str) -> bool {
    field
        .strip_prefix("rounds=")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_crypt_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'/'
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn hashes_and_markers_pass() {
        let sha512 = "$6$saltsalt$".to_owned() + &"a".repeat(86);
        for ok in [
            sha512.as_str(),
            &format!("$6$rounds=5000$salt${}", "b".repeat(86)),
            &format!("!{sha512}"),
            &format!("!!{sha512}"),
            "$1$abc$0123456789abcdefghijkl",
            &format!("$2b$12${}", "c".repeat(53)),
            &format!("$y$j9T$salt${}", "d".repeat(43)),
            &format!("$gy$j9T$salt${}", "d".repeat(43)),
            &format!("$7$CU..../....salt${}", "e".repeat(43)),
            &format!("$5$salt${}", "f".repeat(43)),
            "!",
            "!!",
            "*",
            "!*",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn passwords_and_broken_hashes_are_refused() {
        for bad in [
            "hunter2",
            "",
            "abJnggxhB/yWI",
            "$6$secret",
            "$6$salt$short",
            "$9$salt$hash",
            &format!("$6$salt${}", "a b".repeat(29)),
            "!hunter2",
            "*hunter2",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
