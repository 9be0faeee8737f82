//! `cardsim`: put a software CCCD into pcscd's virtual reader (vpcd) and take it out again.
//!
//! `cardsim insert --identity nguyen-van-a` serves the card until it is removed
//! (`cardsim remove --pid-file …`, or any signal that ends the process: the closed connection
//! is the removal pcscd sees).

use cardsim::identity::{BUILTIN, EDGE_CASES, Identity};
use cardsim::pki::TestPki;
use cardsim::{AirModel, Chip, DEFAULT_VPCD_ADDR, Ef, Faults, InsertedCard, OsEntropy, ReadLimits};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cardsim",
    about = "A software CCCD chip for pcscd's virtual reader (vpcd)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Insert a card into the vpcd reader and serve it until removed.
    Insert {
        /// Which shipped identity the card carries.
        #[arg(long, default_value = "nguyen-van-a")]
        identity: String,
        /// An identity description (TOML, as in assets/identities/) instead of a shipped one.
        #[arg(long)]
        identity_file: Option<PathBuf>,
        /// vpcd's address (reader 0 listens on 35963, reader 1 on 35964).
        #[arg(long, default_value = DEFAULT_VPCD_ADDR)]
        vpcd: SocketAddr,
        /// The largest READ BINARY block the chip accepts (larger answers 6700).
        #[arg(long, default_value_t = 256)]
        max_block: usize,
        /// Accept extended-length APDUs.
        #[arg(long)]
        extended: bool,
        /// Fault: leave the field once this many response bytes have been sent.
        #[arg(long)]
        tear_after_bytes: Option<usize>,
        /// Fault: block BAC/PACE (6983) after this many failed attempts in a row.
        #[arg(long)]
        block_after_failures: Option<u32>,
        /// Fault: spoil the MAC of the n-th protected response.
        #[arg(long)]
        bad_mac_on_response: Option<u32>,
        /// Model a contactless air interface at this bit rate (e.g. 424000) and wait it out.
        #[arg(long)]
        bit_rate: Option<u32>,
        /// Who signed EF.SOD: the shipped test CSCA (ECDSA), its RSA variant, or an unknown CSCA.
        #[arg(long, value_enum, default_value_t = Issuer::Test)]
        issuer: Issuer,
        /// Fault: a clone that copied the data but not the CA/AA private keys.
        #[arg(long)]
        clone: bool,
        /// Fault: flip a bit in this data group after signing (its SOD hash no longer matches).
        #[arg(long)]
        corrupt_dg: Option<u8>,
        /// A portrait for DG2 (JPEG or JPEG 2000) instead of the identity's own.
        #[arg(long)]
        portrait: Option<PathBuf>,
        /// Write this process's id here, for `cardsim remove`.
        #[arg(long)]
        pid_file: Option<PathBuf>,
    },
    /// Remove the card an `insert` with this pid file is serving.
    Remove {
        /// The pid file given to `insert`.
        #[arg(long)]
        pid_file: PathBuf,
    },
    /// List the shipped identities.
    Identities,
    /// Write one elementary file of an identity's chip (e.g. `sod`, `com`, `dg1`, `dg13`).
    ExportFile {
        /// The identity.
        #[arg(long)]
        identity: String,
        /// `card-access`, `com`, `sod` or `dg1` … `dg16`.
        #[arg(long)]
        file: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a test CSCA certificate (DER): what a trust store needs to trust the test cards.
    ExportCsca {
        /// Which issuer's CSCA.
        #[arg(long, value_enum, default_value_t = Issuer::Test)]
        issuer: Issuer,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the QR payload printed on an identity's card.
    Qr {
        /// The identity.
        #[arg(long)]
        identity: String,
    },
}

/// Who signed a card's EF.SOD.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Issuer {
    /// The shipped ECDSA test CSCA (assets/test-csca).
    Test,
    /// The RSA test CSCA (keys in crates/cardsim/test-keys).
    TestRsa,
    /// A CSCA no trust store knows.
    Unknown,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cardsim: {message}");
            ExitCode::FAILURE
        }
    }
}

fn test_pki(issuer: Issuer) -> Result<TestPki, String> {
    match issuer {
        Issuer::Test => Ok(TestPki::test_csca()),
        Issuer::TestRsa => TestPki::rsa("VNeID kiosk test RSA")
            .ok_or_else(|| "the shipped RSA test keys do not load".to_string()),
        Issuer::Unknown => Ok(TestPki::new("Unknown issuer")),
    }
}

fn identity(name: &str) -> Result<Identity, String> {
    Identity::builtin(name).ok_or_else(|| {
        format!(
            "unknown identity {name:?}; known: {}, {}",
            BUILTIN.join(", "),
            EDGE_CASES.join(", ")
        )
    })
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Insert {
            identity: name,
            identity_file,
            vpcd,
            max_block,
            extended,
            tear_after_bytes,
            bad_mac_on_response,
            block_after_failures,
            bit_rate,
            issuer,
            clone,
            corrupt_dg,
            portrait,
            pid_file,
        } => {
            let mut identity = match &identity_file {
                Some(path) => {
                    Identity::from_file(path).map_err(|err| format!("{}: {err}", path.display()))?
                }
                None => identity(&name)?,
            };
            if let Some(path) = &portrait {
                identity.portrait = Some(
                    std::fs::read(path)
                        .map_err(|err| format!("cannot read {}: {err}", path.display()))?,
                );
            }
            let pki = match issuer {
                Issuer::Test => TestPki::test_csca(),
                Issuer::TestRsa => TestPki::rsa("VNeID kiosk test RSA")
                    .ok_or("the shipped RSA test keys do not load")?,
                Issuer::Unknown => TestPki::new("Unknown issuer"),
            };
            let limits = ReadLimits {
                extended_length: extended,
                max_block,
            };
            let mut profile = identity.profile_signed_by(limits, &pki);
            if clone {
                profile = profile.cloned();
            }
            if let Some(dg) = corrupt_dg {
                profile.files.corrupt(Ef::Dg(dg));
            }
            profile.faults = Faults {
                tear_after_bytes,
                bad_mac_on_response,
                block_after_failures,
                air: bit_rate.map(|rate| AirModel {
                    realtime: true,
                    ..AirModel::at(rate)
                }),
            };
            let chip = Chip::new(profile, Box::new(OsEntropy));
            let card = InsertedCard::insert(vpcd, chip).map_err(|err| {
                format!(
                    "cannot reach vpcd at {vpcd} (is pcscd running with vsmartcard-vpcd?): {err}"
                )
            })?;
            if let Some(path) = &pid_file {
                std::fs::write(path, format!("{}\n", std::process::id()))
                    .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            }
            println!("inserted {name} into vpcd at {vpcd}");
            let result = card.wait();
            if let Some(path) = &pid_file {
                let _ = std::fs::remove_file(path);
            }
            result
                .map(|_| println!("vpcd closed the link: card out"))
                .map_err(|err| err.to_string())
        }
        Command::Remove { pid_file } => {
            let text = std::fs::read_to_string(&pid_file)
                .map_err(|err| format!("cannot read {}: {err}", pid_file.display()))?;
            let pid: u32 = text
                .trim()
                .parse()
                .map_err(|_| format!("{} holds no process id", pid_file.display()))?;
            let status = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .map_err(|err| format!("cannot run kill: {err}"))?;
            if !status.success() {
                return Err(format!("no card process {pid} (already removed?)"));
            }
            let _ = std::fs::remove_file(&pid_file);
            println!("removed the card served by process {pid}");
            Ok(())
        }
        Command::ExportCsca { issuer, out } => {
            let pki = test_pki(issuer)?;
            std::fs::write(&out, pki.csca_certificate())
                .map_err(|err| format!("cannot write {}: {err}", out.display()))?;
            println!("wrote the test CSCA certificate to {}", out.display());
            Ok(())
        }
        Command::ExportFile {
            identity: name,
            file,
            out,
        } => {
            let ef = match file.as_str() {
                "card-access" => Ef::CardAccess,
                "com" => Ef::Com,
                "sod" => Ef::Sod,
                other => other
                    .strip_prefix("dg")
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=16).contains(n))
                    .map(Ef::Dg)
                    .ok_or_else(|| format!("unknown file {other:?}"))?,
            };
            let profile = identity(&name)?.profile(ReadLimits::default());
            let bytes = profile
                .files
                .get(ef)
                .ok_or_else(|| format!("{name}'s chip has no {file}"))?;
            std::fs::write(&out, bytes)
                .map_err(|err| format!("cannot write {}: {err}", out.display()))?;
            Ok(())
        }
        Command::Identities => {
            for name in BUILTIN {
                println!("{name}");
            }
            for name in EDGE_CASES {
                println!("{name} (edge case: no expiry, open with the CAN)");
            }
            Ok(())
        }
        Command::Qr { identity: name } => {
            println!("{}", identity(&name)?.qr_payload());
            Ok(())
        }
    }
}
