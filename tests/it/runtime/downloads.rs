//! `downloads.sh`: downloads with curl or wget, checked against a SHA-256; and files sent
//! back to the controller (`k_get`).

use super::{case, functions};

/// A curl that writes `downloaded` to its `-o` file, keeping its arguments (one a line) in
/// `curl.args` and its standard input in `curl.stdin`.
const CURL: &str = "for a; do printf '%s\\n' \"$a\"; done > curl.args
cat > curl.stdin
while [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done
echo downloaded > \"$out\"";

/// A curl that fails as curl does on an HTTP error.
const CURL_FAILS: &str = "cat >/dev/null; exit 22";

/// A wget that writes `downloaded` to its `-O` file, keeping its arguments in `wget.args`
/// and the settings file it was given in `wget.config`.
const WGET: &str = "for a; do printf '%s\\n' \"$a\"; case $a in --config=*) cat \"${a#--config=}\" > wget.config ;; esac; done > wget.args
while [ $# -gt 1 ]; do [ \"$1\" = -O ] && out=$2; shift; done
echo downloaded > \"$out\"";

/// The commands a host without curl has, for wget's path.
const WITHOUT_CURL: &[&str] = &["wget", "mktemp", "rm", "cat", "printf", "ls", "sed"];

functions! {
    k_sha256 => [
        case("k_sha256 f")
            .given("echo x > f")
            .prints("73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac\n"),
        case("k_sha256 f")
            .given("echo x > f")
            .only(&["shasum", "awk", "printf"])
            .prints("73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac\n"),
        case("k_sha256 f")
            .given("echo x > f")
            .only(&["openssl", "awk", "printf"])
            .prints("73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac\n"),
        case("k_sha256 f")
            .given("echo x > f")
            .only(&["printf"])
            .status(1)
            .says("kiln: cannot compute a SHA-256: none of sha256sum, shasum or openssl is installed\n"),
    ],
    k_sha256_is => [
        case("k_sha256_is f \"$sum\" && echo same; k_sha256_is f 00 || echo differs; k_sha256_is l \"$sum\" || echo link; k_sha256_is missing \"$sum\" || echo missing")
            .given("echo x > f; ln -s f l; sum=73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac")
            .prints("same\ndiffers\nlink\nmissing\n"),
    ],
    k_fetch => [
        // Headers reach curl on its standard input, never in its arguments.
        case("k_fetch http://h/x out 5 'Authorization: Bearer t0k' 'X-A: b'; cat out curl.args curl.stdin")
            .stub("curl", CURL)
            .prints("downloaded\n-fsSL\n-H\n@-\n--max-time\n5\n-o\nout\nhttp://h/x\nAuthorization: Bearer t0k\nX-A: b\n"),
        case("k_fetch http://h/x out ''; cat curl.args curl.stdin")
            .stub("curl", CURL)
            .prints("-fsSL\n-o\nout\nhttp://h/x\n"),
        case("k_fetch http://h/x out ''").stub("curl", CURL_FAILS).status(22).leaves("ls", ""),
        // wget reads headers from a private settings file, removed once it is done.
        case("k_fetch http://h/x out 7 'Authorization: Bearer t0k'; cat out wget.args wget.config | sed \"s#$k_tmpd#PRIVATE#\"; ls \"$k_tmpd\"")
            .stub("wget", WGET)
            .only(WITHOUT_CURL)
            .prints("downloaded\n-q\n--config=PRIVATE/wgetrc\n-T\n7\n-O\nout\nhttp://h/x\nheader = Authorization: Bearer t0k\n"),
        case("k_fetch http://h/x out ''; cat wget.args")
            .stub("wget", WGET)
            .only(WITHOUT_CURL)
            .prints("-q\n-O\nout\nhttp://h/x\n"),
        case("k_fetch http://h/x out ''")
            .only(&["printf"])
            .status(1)
            .says("kiln: cannot download: neither curl nor wget is installed\n"),
    ],
    k_download_file => [
        case("k_download_file http://h/x dest 30031a9831674dd684c3817399acebc88a116ce5a7a3fbc0cf34d92521a534e6 0640 '' '' 9 'X-T: 1'; cat dest curl.stdin; stat -c %a dest")
            .given("umask 022")
            .stub("curl", CURL)
            .prints("downloaded\nX-T: 1\n640\n")
            .leaves("ls -A", "curl.args\ncurl.stdin\ndest\n"),
        // Without a checksum, and keeping the old file's mode.
        case("k_download_file http://h/x dest '' '' '' '' ''; cat dest; stat -c %a dest")
            .given("echo old > dest; chmod 604 dest")
            .stub("curl", CURL)
            .prints("downloaded\n604\n"),
        // A wrong checksum leaves DEST as it was, and nothing beside it.
        case("k_download_file http://h/x dest 00 '' '' '' ''")
            .given("echo old > dest")
            .stub("curl", CURL)
            .status(1)
            .says("kiln: http://h/x has SHA-256 30031a9831674dd684c3817399acebc88a116ce5a7a3fbc0cf34d92521a534e6, expected 00\n")
            .leaves("cat dest; ls -A", "old\ncurl.args\ncurl.stdin\ndest\n"),
        case("k_download_file http://h/x dest '' '' '' '' ''")
            .given("echo old > dest")
            .stub("curl", CURL_FAILS)
            .status(1)
            .says("kiln: cannot download http://h/x\n")
            .leaves("cat dest; ls -A", "old\ndest\n"),
        case("k_download_file http://h/x d '' '' '' '' ''")
            .given("mkdir d")
            .stub("curl", CURL)
            .status(1)
            .says("kiln: d is a directory\n"),
    ],
    k_download => [
        case("k_download ok --url http://h/x --dest f || echo missing; k_download act --url http://h/x --dest f --mode 0600 --timeout 5 -- 'X-T: 1'; cat f curl.stdin; stat -c %a f; k_download ok --url http://h/x --dest f --mode 0600 && echo holds")
            .stub("curl", CURL)
            .prints("missing\ndownloaded\nX-T: 1\n600\nholds\n"),
        // A file already right only gets its attributes; a wrong one is downloaded again.
        case("k_download act --url http://h/x --dest f --sha256 73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac --mode 0640; cat f; stat -c %a f")
            .given("echo x > f")
            .stub("curl", CURL)
            .prints("x\n640\n"),
        case("k_download ok --url http://h/x --dest f --sha256 00 || echo differs")
            .given("echo x > f")
            .prints("differs\n"),
        // --force: downloaded on every run.
        case("k_download ok --url http://h/x --dest f --force || echo every-run; k_download diff --url http://h/x --dest f --force")
            .given("echo x > f")
            .prints("every-run\ndownload http://h/x to f\n"),
    ],
    k_get => [
        // The controller's copy has the file's SHA-256: nothing to send; else not ok, and
        // a missing file is not ok either (silently: `act` and `diff` say why).
        case("k_get ok --path f --sha256 \"$sum\" && echo same; k_get ok --path f --sha256 00 || echo differs; k_get ok --path f --sha256 '' || echo no-copy; k_get ok --path f --sha256 \"$sum\" --force || echo forced; k_get ok --path missing --sha256 \"$sum\" || echo missing")
            .given("echo x > f; sum=73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac")
            .prints("same\ndiffers\nno-copy\nforced\nmissing\n"),
        // In a live run: the SHA-256, then the bytes in hex, 16 a line, each line marked.
        case("KILN_MARK=M; k_get act --path f --sha256 ''")
            .given("printf '0123456789abcdef\\001\\377' > f")
            .prints("Mget 56933476b1b074d207582812edd4478a63d1234f911eba212f222a3dcb14a861\nMdata 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66\nMdata 01 ff\n"),
        case("KILN_MARK=M; k_get act --path f --sha256 ''")
            .given(": > f")
            .prints("Mget e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"),
        case("k_get diff --path f --sha256 ''")
            .given("echo x > f")
            .prints("copy f to the controller\n"),
        // An emitted script has no controller to send to.
        case("k_get act --path f --sha256 ''")
            .given("echo x > f")
            .status(1)
            .says("kiln: files.get copies to the controller: only a live run has one\n"),
        case("k_get diff --path missing --sha256 ''")
            .status(1)
            .says("kiln: missing: not a readable file on the host\n"),
    ],
}
