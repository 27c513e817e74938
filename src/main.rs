use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Commune: local revenue, participatory budgeting and budget publication.
#[derive(Parser, Debug)]
#[command(name = "commune", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Count a participatory-budgeting vote from a pabulib .pb file.
    Tally(commune::voting::cli::TallyArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Tally(args) => commune::voting::cli::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
