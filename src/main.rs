use std::process::ExitCode;

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
            eprintln!("commune: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
