use std::process::ExitCode;

/// mimalloc: much faster than the system allocator when one thread frees what another
/// allocated (the import reads on one thread and writes on another), and in general.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use commune::cli::{self, Cli};
use commune::config::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("commune: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    commune::telemetry::init(&settings.log_format);
    match cli::run(cli, settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, naming what went wrong.
            eprintln!("commune: {}", cli::explain(&e));
            ExitCode::FAILURE
        }
    }
}
