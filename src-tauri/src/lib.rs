//! The desktop shell: command-line face, logging, and the Tauri window with its commands.
//!
//! Wiring only: logic lives in the `crates/` libraries, which build and test without Tauri.

mod backoffice_link;
mod backup;
mod camera;
mod card;
mod cli;
mod enrollment;
mod logging;
mod reports_screen;
mod session;
mod shell;
mod store;
mod support;

use std::process::ExitCode;

use clap::Parser;
use kiosk_config::Config;

/// Parses the command line and runs the kiosk window or the chosen support command.
pub fn main() -> ExitCode {
    let args = cli::Args::parse();
    let config = match Config::load(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            // Before a valid configuration exists we can't know the language: say it in both.
            eprintln!("{}", err.message(kiosk_config::Language::Vi));
            eprintln!("{}", err.message(kiosk_config::Language::En));
            return ExitCode::from(2);
        }
    };
    match args.command {
        Some(command) => cli::run(command, &config),
        None => shell::run(config),
    }
}
