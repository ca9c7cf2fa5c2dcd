use std::process::ExitCode;

// glibc's allocator took a sixth of the static export's time: its arenas contend when memory
// made on one thread (a SQLite worker's rows, a renderer's page) is freed on another. With
// mimalloc the export of 2,000 posts took 0.9-1.0 s instead of 1.4 s (SQLite, into tmpfs).
// Version 2: version 3 held about 30 MB more at the export's peak.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    roundtable::cli::main()
}
