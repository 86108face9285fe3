fn main() -> std::process::ExitCode {
    // Like every Unix filter: when the reader of our output goes away (`kiln ... | head`),
    // end quietly instead of failing on the next write.
    // SAFETY: called first thing, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    kiln::cli::main()
}
