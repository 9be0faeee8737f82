//! The desktop shell: command-line face, logging, and the Tauri window with its commands.
//!
//! Wiring only: logic lives in the `crates/` libraries, which build and test without Tauri.

mod admission;
mod backoffice_link;
mod backup;
mod camera;
mod card;
mod cli;
mod enrollment;
mod first_run;
mod kiosk_health;
mod kiosk_mode;
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
    // The window starts the first-run set-up when the named configuration does not exist yet.
    let loaded = match args.command {
        None => first_run::window_config(args.config.as_deref()),
        Some(_) => Config::load(args.config.as_deref()).map(|config| (config, None)),
    };
    let (config, setup) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => {
            // Before a valid configuration exists we can't know the language: say it in both.
            eprintln!("{}", err.message(kiosk_config::Language::Vi));
            eprintln!("{}", err.message(kiosk_config::Language::En));
            return ExitCode::from(2);
        }
    };
    match args.command {
        Some(command) => cli::run(command, &config),
        None => shell::run(config, args.kiosk, setup),
    }
}
