//! `--shard K/N`: the inventory split into N parts by host name, so that N runners of an
//! existing job system (a CI matrix, a Kubernetes indexed Job) each take one part and
//! together cover every host exactly once.
//!
//! A host is in shard `K` when `FNV-1a-64(name) mod N == K - 1`, the name's UTF-8 bytes
//! hashed with the 64-bit FNV-1a function (offset basis `0xcbf29ce484222325`, prime
//! `0x100000001b3`). The partition is stable: it depends on the host's name and N only, never
//! on the inventory's order, the other hosts, kiln's version or the machine (no randomly
//! seeded hasher), so a host stays in its shard while hosts come and go.

use std::fmt;
use std::str::FromStr;

use super::Inventory;

/// One part of N: `index` is K, in `1..=count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the host named `name` is in this shard.
    pub fn holds(&self, name: &str) -> bool {
        fnv1a64(name.as_bytes()) % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N`, with N at least 1 and K in `1..=N`.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N (for example 2/4)"))?;
        let number = |part: &str| {
            part.trim().parse::<u64>().map_err(|_| {
                format!("`{part}` in `{text}` is not a whole number (K/N, for example 2/4)")
            })
        };
        let (index, count) = (number(index)?, number(count)?);
        if count == 0 {
            return Err(format!("`{text}`: N is at least 1"));
        }
        if !(1..=count).contains(&index) {
            return Err(format!("`{text}`: K is from 1 to {count}"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Inventory {
    /// Keeps only the hosts of `shard` (an empty shard is no error: with few hosts and
    /// many runners, some runners have nothing to do).
    pub fn shard(&mut self, shard: Shard) {
        self.hosts.retain(|host| shard.holds(&host.name));
    }
}

/// The 64-bit FNV-1a hash of `bytes`.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_is_the_published_function() {
        // The FNV test vectors (draft-eastlake-fnv).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_host_is_in_exactly_one_shard() {
        for count in 1..=7 {
            for i in 0..200 {
                let name = format!("host-{i}.example.org");
                let holding = (1..=count)
                    .filter(|&index| Shard { index, count }.holds(&name))
                    .count();
                assert_eq!(holding, 1, "{name} in {holding} of {count} shards");
            }
        }
    }

    #[test]
    fn reads_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/4", "2/b", "-1/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad} accepted");
        }
    }
}
