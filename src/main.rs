use std::process::ExitCode;

fn main() -> ExitCode {
    roundtable::cli::main()
}
