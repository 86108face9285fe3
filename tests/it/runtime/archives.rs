//! `archives.sh`: archives checked for members outside the destination, extracted beside
//! it and renamed over it; against a tar archive made here.

use super::{case, functions};

/// `a.tgz`, an archive of `d/f` (`one`), with `sum` its SHA-256, and a directory `x`
/// holding `old`, which an older archive extracted (its marker says so).
const ARCHIVE: &str = "mkdir -p s/d x && echo one > s/d/f && echo old > x/old && echo older > x/.kiln-unarchive && tar -C s -czf a.tgz d && sum=$(sha256sum < a.tgz | cut -c1-64)";

functions! {
    k_unarchive => [
        // Extracted over what was there, marked, then the probe holds; diff says what.
        case("u() { k_unarchive \"$1\" --dest x --sha256 \"$sum\" --format tar.gz < a.tgz; }; u diff | sed \"s/$sum/SUM/\"; u ok || echo differs; u act; cat x/d/f; ls x; u ok && echo holds")
            .given(ARCHIVE)
            .prints("replace x with the archive (SHA-256 SUM)\ndiffers\none\nd\nholds\n"),
        // strip_components; `creates` holds the probe.
        case("k_unarchive act --dest y --sha256 \"$sum\" --format tar.gz --strip 1 < a.tgz; cat y/f; : > c; k_unarchive ok --dest z --sha256 \"$sum\" --format tar.gz --creates c && echo created")
            .given(ARCHIVE)
            .prints("one\ncreated\n"),
        // Another digest: refused, x unchanged.
        case("k_unarchive act --dest x --sha256 0 --format tar.gz < a.tgz 2> err; echo \"$?\"; ls -A x; sed \"s/$sum/SUM/\" err")
            .given(ARCHIVE)
            .prints("1\n.kiln-unarchive\nold\nkiln: the archive for x has SHA-256 SUM, expected 0\n"),
        // A directory with files and no marker is left alone; the diff says so.
        case("rm x/.kiln-unarchive; k_unarchive diff --dest x --sha256 \"$sum\" --format tar.gz; k_unarchive act --dest x --sha256 \"$sum\" --format tar.gz < a.tgz 2>/dev/null; echo \"$?\"; ls -A x")
            .given(ARCHIVE)
            .prints("refuse: x holds files no files.unarchive extracted\n1\nold\n"),
    ],
}
