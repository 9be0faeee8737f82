//! `cccd-tool`: field support for CCCD chip reading. Reads a card through a PC/SC reader,
//! parses a chip file, or verifies an EF.SOD and data-group files against a trust store, and
//! prints the result as text or JSON (see `cardread::field_support`).
//!
//! Progress goes to stderr and names files and byte counts only; personal data appears only in
//! the result on stdout, with the ID masked in text unless `--reveal`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cardread::field_support::{self, ChipFile, Identifiers, Report};
use cardread::keys::KeyCandidates;
use cardread::read::{CardRead, ReadEvent};
use clap::{Parser, Subcommand, ValueEnum};
use emrtd::passive_auth::TrustStore;
use emrtd::read::CardProfile;
use reader::transport::PcscTransport;

#[derive(Parser)]
#[command(name = "cccd-tool", about = "Field support for CCCD chip reading")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Show ID numbers in full in text output.
    #[arg(long, global = true)]
    reveal: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Read and verify the card on a PC/SC reader.
    Read {
        /// The reader's name as pcscd reports it (default: the first reader with a card).
        #[arg(long)]
        reader: Option<String>,
        /// The 12-digit ID number (with --dob and --expiry).
        #[arg(long, requires_all = ["dob", "expiry"], conflicts_with = "qr")]
        id: Option<String>,
        /// Date of birth, ddmmyyyy.
        #[arg(long)]
        dob: Option<String>,
        /// Date of expiry, ddmmyyyy.
        #[arg(long)]
        expiry: Option<String>,
        /// The card's QR payload (ID, birth and issue dates give the access keys).
        #[arg(long, required_unless_present = "id")]
        qr: Option<String>,
        /// A directory of CSCA certificates and master lists (none: issuer unknown).
        #[arg(long)]
        trust: Option<PathBuf>,
    },
    /// Parse a chip file.
    Parse {
        /// Which file it is.
        #[arg(value_enum)]
        kind: Kind,
        /// The file.
        file: PathBuf,
    },
    /// Passive authentication of EF.SOD and data-group files against a trust store.
    Verify {
        /// The EF.SOD file.
        #[arg(long)]
        sod: PathBuf,
        /// A data group as NUMBER=FILE (repeat for each).
        #[arg(long = "dg", value_parser = data_group_arg)]
        data_groups: Vec<(u8, PathBuf)>,
        /// A directory of CSCA certificates and master lists.
        #[arg(long)]
        trust: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Com,
    Dg1,
    Dg13,
    Sod,
}

fn data_group_arg(text: &str) -> Result<(u8, PathBuf), String> {
    let (number, path) = text
        .split_once('=')
        .ok_or("expected NUMBER=FILE, e.g. 13=dg13.bin")?;
    let number: u8 = number
        .trim_start_matches("dg")
        .parse()
        .ok()
        .filter(|n| (1..=16).contains(n))
        .ok_or("the data group number must be 1 to 16")?;
    Ok((number, PathBuf::from(path)))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ids = if cli.reveal {
        Identifiers::Revealed
    } else {
        Identifiers::Masked
    };
    match run(cli.command, ids) {
        Ok(report) => {
            if cli.json {
                println!("{:#}", report.json);
            } else {
                print!("{}", report.text);
            }
            if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            }
        }
        Err(message) => {
            eprintln!("cccd-tool: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn trust_store(directory: Option<&Path>) -> Result<TrustStore, String> {
    let Some(directory) = directory else {
        return Ok(TrustStore::default());
    };
    let (store, skipped) = TrustStore::load_directory(directory)
        .map_err(|e| format!("cannot read the trust store {}: {e}", directory.display()))?;
    for file in skipped {
        eprintln!(
            "trust store: skipped {}: {}",
            file.path.display(),
            file.reason
        );
    }
    eprintln!("trust store: {} CSCA certificates", store.len());
    Ok(store)
}

fn run(command: Command, ids: Identifiers) -> Result<Report, String> {
    match command {
        Command::Parse { kind, file } => {
            let kind = match kind {
                Kind::Com => ChipFile::Com,
                Kind::Dg1 => ChipFile::Dg1,
                Kind::Dg13 => ChipFile::Dg13,
                Kind::Sod => ChipFile::Sod,
            };
            field_support::parse_file(kind, &read_file(&file)?, ids)
                .map_err(|e| format!("{}: {e}", file.display()))
        }
        Command::Verify {
            sod,
            data_groups,
            trust,
        } => {
            let store = trust_store(Some(&trust))?;
            let groups = data_groups
                .iter()
                .map(|(n, path)| Ok((*n, read_file(path)?)))
                .collect::<Result<Vec<_>, String>>()?;
            field_support::verify_files(&read_file(&sod)?, &groups, &store)
                .map_err(|e| e.to_string())
        }
        Command::Read {
            reader,
            id,
            dob,
            expiry,
            qr,
            trust,
        } => {
            let candidates = match (&qr, &id, &dob, &expiry) {
                (Some(payload), ..) => KeyCandidates::from_qr_payload(payload),
                (None, Some(id), Some(dob), Some(expiry)) => {
                    KeyCandidates::from_typed(id, dob, expiry)
                }
                _ => return Err("give --qr, or --id with --dob and --expiry".into()),
            }
            .map_err(|e| e.to_string())?;
            let store = trust_store(trust.as_deref())?;
            let name = match reader {
                Some(name) => name,
                None => first_reader()?,
            };
            eprintln!("reader: {name}");
            let mut transport = PcscTransport::connect(&name).map_err(|e| e.to_string())?;
            let mut read = CardRead::new(candidates, CardProfile::default());
            let mut rng = getrandom::SysRng;
            let reading = read
                .run(&mut transport, &mut rng, &store, &mut progress())
                .map_err(|e| format!("{e} ({})", e.code()))?;
            Ok(field_support::reading(&reading, ids))
        }
    }
}

/// The first reader with a card, else the first reader.
fn first_reader() -> Result<String, String> {
    let readers = reader::discovery::list_readers().map_err(|e| e.to_string())?;
    readers
        .iter()
        .find(|r| r.card_present)
        .or(readers.first())
        .map(|r| r.name.clone())
        .ok_or_else(|| "no PC/SC reader is connected".to_string())
}

/// Progress on stderr: key attempts and each file's size once it is in, never content.
fn progress() -> impl FnMut(ReadEvent<'_>) {
    let mut finished = None;
    move |event| match event {
        ReadEvent::Opening { attempt, of } => eprintln!("opening the chip: key {attempt} of {of}"),
        ReadEvent::File {
            file,
            read,
            total: Some(total),
        } if read == total && finished != Some(file) => {
            finished = Some(file);
            eprintln!("{file}: {read} bytes");
        }
        ReadEvent::File { .. } => {}
        ReadEvent::Holder(_) => eprintln!("DG13 decoded"),
        ReadEvent::Verifying => eprintln!("verifying authenticity"),
    }
}
