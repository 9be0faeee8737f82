//! The command-line face for operations and support, in the same binary as the kiosk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use health::doctor::{self, Verdict};
use kiosk_config::{Config, Language};

/// VNeID enrollment kiosk. Without a command, opens the kiosk window.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Args {
    /// Configuration file (TOML). Default: $VNEID_KIOSK_CONFIG, else the embedded defaults.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Support commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Checks the configuration, data directory, trust store, reader, camera and back office,
    /// one OK/PROBLEM line each. Exits 1 when any check finds a problem.
    Doctor {
        /// Language of the report (default: the configured one).
        #[arg(long, value_parser = ["vi", "en"])]
        lang: Option<String>,
    },
    /// Validates the configuration and exits (0 when valid, 2 with the bad key named).
    CheckConfig,
    /// Prints the documented default configuration, to start a new file from.
    DefaultConfig,
}

/// Runs a support command with an already validated configuration.
pub fn run(command: Command, config: &Config) -> ExitCode {
    match command {
        Command::Doctor { lang } => {
            let lang = match lang.as_deref() {
                Some("en") => Language::En,
                Some(_) => Language::Vi,
                None => config.language,
            };
            let checks = doctor::run(config, Path::new(health::probes::V4L_SYSFS));
            print(&doctor::render(&checks, lang));
            if checks.iter().all(|c| c.verdict == Verdict::Ok) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Command::CheckConfig => {
            print(&format!("OK {} ({})\n", config.origin, config.device_id));
            ExitCode::SUCCESS
        }
        Command::DefaultConfig => {
            print(kiosk_config::DEFAULT_TOML);
            ExitCode::SUCCESS
        }
    }
}

fn print(text: &str) {
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
}
