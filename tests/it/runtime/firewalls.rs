//! `firewalls.sh`: nftables ruleset files and UFW, against stubs of `nft` and `ufw` that keep
//! their state in files of the case's directory (the real tools run in namespaces of their
//! own, `tests/it/firewall.rs`). `/etc/default/ufw` and `/etc/ufw/ufw.conf` are this
//! machine's, read only: the cases ask for a policy and a log level neither a fresh UFW nor
//! a missing one has.

use super::{case, functions};

/// nft: `-c -f FILE` refuses a file that says `bad`; `-f FILE` loads it (`loaded`);
/// `list ruleset` prints what is loaded. Loads are recorded in `calls`.
const NFT: &str = "case $1 in
-c) ! grep -q bad \"$3\" || { echo \"$3: syntax error\" >&2; exit 1; } ;;
-f) echo \"nft $*\" >> calls; cp \"$2\" loaded ;;
list) cat loaded 2>/dev/null ;;
esac";

/// ufw: rules are lines of `rules`; `--dry-run RULE` says it skips one that is there (as
/// UFW does, for IPv4 and IPv6) and prints rules for one that is not; `status` says
/// whether `active` exists. Changes are recorded in `calls`.
const UFW: &str = "case $1 in
--dry-run) shift
  if grep -qxF \"$*\" rules 2>/dev/null; then printf 'Skipping adding existing rule\\nSkipping adding existing rule (v6)\\n'
  else printf '*filter\\n:ufw-user-input - [0:0]\\nRules updated\\n'; fi ;;
status) if [ -e active ]; then echo 'Status: active'; else echo 'Status: inactive'; fi ;;
delete) echo \"ufw $*\" >> calls; shift; grep -vxF \"$*\" rules > rules.new; mv rules.new rules ;;
allow | deny | reject | limit) echo \"ufw $*\" >> calls; echo \"$*\" >> rules ;;
--force) echo \"ufw $*\" >> calls; touch active ;;
disable) echo \"ufw $*\" >> calls; rm -f active ;;
*) echo \"ufw $*\" >> calls ;;
esac";

/// The fake `firewall-cmd` of the firewall tests: state in files, changes in
/// `firewalld.calls` (firewalld needs its daemon on D-Bus).
const FIREWALL_CMD: &str = include_str!("../../../fixtures/firewalld/firewall-cmd");

functions! {
    k_nftables => [
        // Written after nft's check, loaded once; then as wanted, nothing runs.
        case("k_nftables diff --path r.nft --load -- --dest r.nft < new; k_nftables ok --path r.nft --load -- --dest r.nft < new || echo differs; k_nftables act --path r.nft --load -- --dest r.nft -- nft -c -f < new; k_nftables ok --path r.nft --load -- --dest r.nft < new && echo holds; cat calls loaded")
            .given("printf 'table inet f {}\\n' > new")
            .stub("nft", NFT)
            .prints("--- r.nft\n+++ r.nft (desired)\n@@ -0,0 +1 @@\n+table inet f {}\nwould run: nft -f r.nft\ndiffers\nholds\nnft -f r.nft\ntable inet f {}\n"),
        // The file as wanted, but nothing loaded (a reboot without nftables.service): the
        // probe fails and the act loads it. Without --load, the file alone decides.
        case("k_nftables ok --path r.nft -- --dest r.nft < r.nft && echo file-holds; k_nftables ok --path r.nft --load -- --dest r.nft < r.nft || k_nftables act --path r.nft --load -- --dest r.nft < r.nft; cat calls")
            .given("printf 'table inet f {}\\n' > r.nft")
            .stub("nft", NFT)
            .prints("file-holds\nnft -f r.nft\n"),
        // A ruleset nft refuses is not installed, nor loaded; the old file keeps its bytes.
        case("k_nftables act --path r.nft --load -- --dest r.nft -- nft -c -f < new; cat r.nft; [ ! -e calls ] && echo nothing-loaded")
            .given("printf 'bad\\n' > new; printf 'old\\n' > r.nft")
            .stub("nft", NFT)
            .status(0)
            .noisy()
            .prints("old\nnothing-loaded\n"),
    ],
    k_ufw_rule => [
        // Added once: the dry run says whether UFW has it.
        case("k_ufw_rule ok -- allow from any to any port 22 proto tcp || k_ufw_rule diff -- allow from any to any port 22 proto tcp; k_ufw_rule act -- allow from any to any port 22 proto tcp; k_ufw_rule ok -- allow from any to any port 22 proto tcp && echo holds; cat calls")
            .stub("ufw", UFW)
            .prints("would run: ufw 'allow' 'from' 'any' 'to' 'any' 'port' '22' 'proto' 'tcp'\nholds\nufw allow from any to any port 22 proto tcp\n"),
        // Deleted when there, and then absent: the dry run of adding it no longer skips.
        case("k_ufw_rule ok --delete -- deny from any to any port 23 || k_ufw_rule act --delete -- deny from any to any port 23; k_ufw_rule ok --delete -- deny from any to any port 23 && echo gone; cat calls")
            .given("echo 'deny from any to any port 23' > rules")
            .stub("ufw", UFW)
            .prints("gone\nufw delete deny from any to any port 23\n"),
        // What UFW refuses fails the probe, with its message.
        case("k_ufw_rule ok -- allow bogus")
            .stub("ufw", "echo 'ERROR: Invalid syntax' >&2; exit 1")
            .status(1)
            .says("kiln: ufw --dry-run allow bogus: ERROR: Invalid syntax\n"),
    ],
    k_ufw_default => [
        case("k_ufw_default ok --direction routed --policy reject || k_ufw_default diff --direction routed --policy reject; k_ufw_default act --direction routed --policy reject; cat calls")
            .stub("ufw", UFW)
            .prints("would run: ufw default reject routed\nufw default reject routed\n"),
    ],
    k_ufw_enabled => [
        // Enabled without UFW's question, and the log level set; disabled again.
        case("k_ufw_enabled diff --logging full; k_ufw_enabled act --logging full; k_ufw_enabled ok && echo active; k_ufw_enabled act --disabled; k_ufw_enabled ok --disabled && echo inactive; cat calls")
            .stub("ufw", UFW)
            .prints("would run: ufw --force enable\nwould run: ufw logging full\nactive\ninactive\nufw --force enable\nufw logging full\nufw disable\n"),
    ],
    k_firewalld => [
        // Enabled in both configurations, each only where it is missing; then it holds.
        case("k_firewalld diff --service https --permanent --immediate; k_firewalld act --service https --permanent --immediate; k_firewalld ok --service https --permanent --immediate && echo holds; cat firewalld.calls")
            .given("echo 'public service=https' > firewalld.permanent")
            .stub("firewall-cmd", FIREWALL_CMD)
            .prints("would run: firewall-cmd --add-service=https\nholds\nfirewall-cmd --add-service=https\n"),
        // A port closed in a zone, in the permanent configuration only.
        case("k_firewalld act --port 8080/tcp --zone internal --disabled --permanent; k_firewalld ok --port 8080/tcp --zone internal --disabled --permanent && echo closed; cat firewalld.calls firewalld.runtime")
            .given("echo 'internal port=8080/tcp' > firewalld.permanent; echo 'internal port=8080/tcp' > firewalld.runtime")
            .stub("firewall-cmd", FIREWALL_CMD)
            .prints("closed\nfirewall-cmd --permanent --zone=internal --remove-port=8080/tcp\ninternal port=8080/tcp\n"),
    ],
    k_firewalld_zone => [
        case("k_firewalld_zone ok --zone app || k_firewalld_zone diff --zone app --immediate; k_firewalld_zone act --zone app --immediate; k_firewalld_zone ok --zone app && echo exists; k_firewalld_zone act --zone app --absent; k_firewalld_zone ok --zone app --absent && echo gone; cat firewalld.calls")
            .stub("firewall-cmd", FIREWALL_CMD)
            .prints("would run: firewall-cmd --permanent --new-zone=app\nwould run: firewall-cmd --reload\nexists\ngone\nfirewall-cmd --permanent --new-zone=app\nfirewall-cmd --reload\nfirewall-cmd --permanent --delete-zone=app\n"),
    ],
}
