//! `content.sh`: bytes out of the shell, from builtins only.

use super::{case, functions};

/// An external `printf` that must never run: mksh's `printf` is a program (its arguments
/// show in `ps`), so there the runtime prints with the builtin `print`.
const NO_EXTERNAL_PRINTF: &str = "echo 'the external printf ran' >&2; exit 1";

functions! {
    k_print => [
        case("k_print '-n \\t %s'; k_print ''")
            .prints("-n \\t %s\n\n")
            .stub("printf", NO_EXTERNAL_PRINTF),
    ],
    k_bytes => [
        case("k_bytes 'a\\134b\\303\\251 100%% \\t|\\n'; k_bytes 'no newline'")
            .prints("a\\b\u{e9} 100% \t|\nno newline")
            .stub("printf", NO_EXTERNAL_PRINTF),
        case("k_bytes '\\000\\001\\n'").prints("\0\u{1}\n"),
    ],
    k_use_print => [
        // Under mksh (KSH_VERSION), print; elsewhere the builtin printf.
        case("if k_use_print; then a=print; else a=printf; fi; case ${KSH_VERSION-} in *KSH*) [ $a = print ] ;; *) [ $a = printf ] ;; esac && echo $a >/dev/null && echo consistent")
            .prints("consistent\n"),
        // Asked once: the answer is kept.
        case("k_use_print_answer=1; k_use_print && echo kept").prints("kept\n"),
    ],
    k_diffu => [
        case("printf 'a\\nc\\n' | k_diffu f")
            .given("printf 'a\\nb\\n' > f")
            .prints("--- f\n+++ f (desired)\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"),
        case("echo x | k_diffu new").prints("--- new\n+++ new (desired)\n@@ -0,0 +1 @@\n+x\n"),
        case("echo same | k_diffu f").given("echo same > f"),
    ],
    k_text_out => [
        case("k_text_out; echo '|'").given("k_text='a\n%s\\'").prints("a\n%s\\|\n").stub("printf", NO_EXTERNAL_PRINTF),
    ],
    k_same_text => [
        // Exactly: the final newline, its absence, a line more or less, a carriage return.
        case("k_same_text f && echo same").given("printf 'a\\nb\\n' > f; k_text='a\nb\n'").stub("cmp", "exit 2").prints("same\n"),
        case("k_same_text f || echo differs").given("printf 'a\\nb' > f; k_text='a\nb\n'").prints("differs\n"),
        case("k_same_text f || echo differs").given("printf 'a\\nb\\n' > f; k_text='a\nb'").prints("differs\n"),
        case("k_same_text f && echo same").given("printf 'a\\nb' > f; k_text='a\nb'").prints("same\n"),
        case("k_same_text f || echo differs").given("printf 'a\\nb\\nc\\n' > f; k_text='a\nb\n'").prints("differs\n"),
        case("k_same_text f || echo differs").given("printf 'a\\n' > f; k_text='a\nb\n'").prints("differs\n"),
        case("k_same_text f || echo differs").given("printf 'a\\r\\n' > f; k_text='a\n'").prints("differs\n"),
        case("k_same_text f && echo same").given(": > f; k_text=''").prints("same\n"),
        case("k_same_text f || echo differs").given("echo x > f; k_text=''").prints("differs\n"),
        // Backslashes and patterns are characters.
        case("k_same_text f && echo same").given("printf '%s\\n' '*\\t[a]' > f; k_text='*\\t[a]\n'").prints("same\n"),
        case("k_same_text f || echo differs").given("printf '%s\\n' 'abc' > f; k_text='a*\n'").prints("differs\n"),
        case("k_same_text missing 2>/dev/null || echo differs").given("k_text=''").prints("differs\n"),
    ],
    k_same => [
        case("echo a | k_same f && echo same; echo b | k_same f || echo differs")
            .given("echo a > f")
            .prints("same\ndiffers\n"),
        case(": | k_same missing && echo same; echo a | k_same missing || echo differs")
            .prints("same\ndiffers\n"),
    ],
}
