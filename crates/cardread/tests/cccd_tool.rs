//! The field-support tool on files a software card exports (as `cardsim export-file` and
//! `export-csca` write them): parsing and passive authentication in process, the `cccd-tool`
//! binary itself, and (with `VNEID_PCSC_E2E=1`) a read through pcscd + vpcd.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cardread::field_support::{self, ChipFile, Identifiers, ToolError};
use cardsim::identity::Identity;
use cardsim::pki::TestPki;
use cardsim::{Ef, ReadLimits};
use emrtd::passive_auth::TrustStore;

const ID: &str = "001090012345";
const NAME: &str = "Nguyễn Văn A";

/// The chip files of a shipped identity and the test CSCA, written as the cardsim CLI exports
/// them (`export-file` writes `profile.files`, `export-csca` the CSCA's DER certificate).
struct Exported {
    dir: tempfile::TempDir,
}

impl Exported {
    fn new(identity: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = Identity::builtin(identity)
            .expect("shipped")
            .profile(ReadLimits::default());
        for ef in profile.files.present().collect::<Vec<_>>() {
            let name = match ef {
                Ef::CardAccess => "card-access".to_string(),
                Ef::Com => "com".to_string(),
                Ef::Sod => "sod".to_string(),
                Ef::Dg(n) => format!("dg{n}"),
            };
            let bytes = profile.files.get(ef).expect("present");
            std::fs::write(dir.path().join(format!("{name}.bin")), bytes).expect("write");
        }
        let trust = dir.path().join("trust");
        std::fs::create_dir(&trust).expect("trust dir");
        std::fs::write(
            trust.join("test-csca.der"),
            TestPki::test_csca().csca_certificate(),
        )
        .expect("write CSCA");
        std::fs::create_dir(dir.path().join("empty-trust")).expect("empty trust dir");
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("exported file")
    }

    fn trust(&self) -> TrustStore {
        TrustStore::load_directory(&self.path("trust"))
            .expect("trust dir")
            .0
    }

    fn groups(&self, numbers: &[u8]) -> Vec<(u8, Vec<u8>)> {
        numbers
            .iter()
            .map(|n| (*n, self.bytes(&format!("dg{n}.bin"))))
            .collect()
    }
}

#[test]
fn dg13_text_masks_the_id_unless_revealed_and_json_carries_every_field() {
    let files = Exported::new("nguyen-van-a");
    let dg13 = files.bytes("dg13.bin");
    let masked = field_support::parse_file(ChipFile::Dg13, &dg13, Identifiers::Masked).unwrap();
    assert!(
        masked.text.contains("ID number: *********345"),
        "{}",
        masked.text
    );
    assert!(!masked.text.contains(ID));
    assert!(!masked.text.contains("012345678"), "old ID masked too");
    assert!(masked.text.contains(NAME));
    assert!(masked.text.contains("date of expiry: 01/01/2030"));
    let revealed = field_support::parse_file(ChipFile::Dg13, &dg13, Identifiers::Revealed).unwrap();
    assert!(revealed.text.contains(&format!("ID number: {ID}")));
    assert_eq!(masked.json["id_number"], ID);
    assert_eq!(masked.json["full_name"], NAME);
    assert_eq!(masked.json["father"], "Nguyễn Văn B");
    assert_eq!(masked.json["old_id_number"], "012345678");
}

#[test]
fn dg1_shows_the_mrz_with_its_check_digits_and_a_masked_document_number() {
    let files = Exported::new("nguyen-van-a");
    let report =
        field_support::parse_file(ChipFile::Dg1, &files.bytes("dg1.bin"), Identifiers::Masked)
            .unwrap();
    assert!(
        report.text.contains("document number: ******345"),
        "{}",
        report.text
    );
    assert!(!report.text.contains("090012345"));
    assert!(report.text.contains("check digits: valid"));
    assert_eq!(report.json["document_number"], "090012345");
    assert_eq!(report.json["date_of_expiry"], "300101");
    assert_eq!(report.json["primary_identifier"], "NGUYEN");
}

#[test]
fn com_and_sod_list_the_data_groups_and_the_document_signer() {
    let files = Exported::new("nguyen-van-a");
    let com =
        field_support::parse_file(ChipFile::Com, &files.bytes("com.bin"), Identifiers::Masked)
            .unwrap();
    assert_eq!(com.json["lds_version"], "0107");
    let listed = com.json["data_groups"].as_array().unwrap();
    assert!(listed.iter().any(|g| g == "DG13"));
    let sod =
        field_support::parse_file(ChipFile::Sod, &files.bytes("sod.bin"), Identifiers::Masked)
            .unwrap();
    let hashed: Vec<u64> = sod.json["data_group_hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["data_group"].as_u64().unwrap())
        .collect();
    assert!(hashed.contains(&1) && hashed.contains(&13) && hashed.contains(&14));
    let issuer = sod.json["document_signer"]["issuer"].as_str().unwrap();
    assert!(issuer.contains("VNeID kiosk test"), "{issuer}");
}

#[test]
fn verify_trusts_intact_files_under_the_exported_csca_and_names_the_signer() {
    let files = Exported::new("tran-thi-bich-ngoc");
    let report = field_support::verify_files(
        &files.bytes("sod.bin"),
        &files.groups(&[1, 13, 14, 15]),
        &files.trust(),
    )
    .unwrap();
    assert!(report.passed);
    assert_eq!(report.json["verdict"], "trusted");
    assert_eq!(
        report.json["checked_data_groups"],
        serde_json::json!([1, 13, 14, 15])
    );
    let signer = &report.json["document_signer"];
    assert!(
        signer["issuer"]
            .as_str()
            .unwrap()
            .contains("VNeID kiosk test")
    );
    assert!(
        signer["authority_key_id"]
            .as_str()
            .is_some_and(|k| k.len() >= 16)
    );
    assert!(report.text.contains("DSC issuer: "));
    assert!(report.text.contains("CSCA key identifier: "));
}

#[test]
fn verify_without_the_csca_says_issuer_unknown_and_a_changed_dg_says_which() {
    let files = Exported::new("nguyen-van-a");
    let empty = TrustStore::default();
    let unknown =
        field_support::verify_files(&files.bytes("sod.bin"), &files.groups(&[1, 13]), &empty)
            .unwrap();
    assert!(!unknown.passed);
    assert_eq!(unknown.json["verdict"], "signature valid, issuer unknown");

    let mut groups = files.groups(&[1, 13]);
    if let Some(byte) = groups[1].1.last_mut() {
        *byte ^= 0x01;
    }
    let invalid =
        field_support::verify_files(&files.bytes("sod.bin"), &groups, &files.trust()).unwrap();
    assert!(!invalid.passed);
    assert_eq!(invalid.json["verdict"], "invalid");
    assert_eq!(
        invalid.json["reason"],
        "DG13 does not match its hash in EF.SOD"
    );
    assert!(invalid.text.contains("invalid: DG13 does not match"));
}

#[test]
fn a_file_of_the_wrong_kind_is_an_error_that_shows_none_of_its_content() {
    let files = Exported::new("nguyen-van-a");
    let dg13 = files.bytes("dg13.bin");
    for kind in [ChipFile::Dg1, ChipFile::Com, ChipFile::Sod] {
        let error = field_support::parse_file(kind, &dg13, Identifiers::Revealed).unwrap_err();
        let text = error.to_string();
        assert!(!text.contains(ID) && !text.contains("Nguy"), "{text}");
    }
    assert!(matches!(
        field_support::parse_file(ChipFile::Dg13, &files.bytes("dg1.bin"), Identifiers::Masked),
        Err(ToolError::Dg13(_))
    ));
}

fn tool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cccd-tool"))
        .args(args)
        .output()
        .expect("run cccd-tool")
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

#[test]
fn the_binary_parses_and_verifies_and_its_exit_code_follows_the_verdict() {
    let files = Exported::new("nguyen-van-a");
    let parsed = tool(&["parse", "dg13", arg(&files.path("dg13.bin"))]);
    assert!(parsed.status.success());
    let stdout = String::from_utf8(parsed.stdout).unwrap();
    assert!(stdout.contains("*********345") && !stdout.contains(ID));
    assert!(stdout.contains(NAME));

    let dg1 = format!("1={}", arg(&files.path("dg1.bin")));
    let dg13 = format!("13={}", arg(&files.path("dg13.bin")));
    let sod = files.path("sod.bin");
    let trusted = tool(&[
        "verify",
        "--sod",
        arg(&sod),
        "--dg",
        &dg1,
        "--dg",
        &dg13,
        "--trust",
        arg(&files.path("trust")),
        "--json",
    ]);
    assert!(trusted.status.success(), "{trusted:?}");
    let json: serde_json::Value = serde_json::from_slice(&trusted.stdout).unwrap();
    assert_eq!(json["verdict"], "trusted");

    let unknown = tool(&[
        "verify",
        "--sod",
        arg(&sod),
        "--dg",
        &dg13,
        "--trust",
        arg(&files.path("empty-trust")),
    ]);
    assert_eq!(unknown.status.code(), Some(3));
    let stdout = String::from_utf8(unknown.stdout).unwrap();
    assert!(
        stdout.contains("signature valid, issuer unknown"),
        "{stdout}"
    );

    let wrong = tool(&["parse", "dg1", arg(&files.path("dg13.bin"))]);
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert!(
        stderr.starts_with("cccd-tool: ") && !stderr.contains("Nguy"),
        "{stderr}"
    );
}

/// pcscd + vpcd (`scripts/pcscd-vpcd.sh`), started here unless already running.
#[test]
fn the_binary_reads_a_card_through_pcscd_and_logs_no_personal_data() {
    if std::env::var("VNEID_PCSC_E2E").as_deref() != Ok("1") {
        println!("skipped: set VNEID_PCSC_E2E=1 to run against pcscd + vsmartcard-vpcd");
        return;
    }
    const READER: &str = "Virtual PCD 00 00";
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pcscd-vpcd.sh");
    let running = Command::new("bash")
        .arg(&script)
        .arg("status")
        .status()
        .expect("script")
        .success();
    if !running {
        let started = Command::new("bash").arg(&script).arg("start").status();
        assert!(started.expect("script").success(), "pcscd start");
    }
    let files = Exported::new("nguyen-van-a");
    let identity = Identity::builtin("nguyen-van-a").expect("shipped");
    let chip = cardsim::Chip::new(
        identity.profile(ReadLimits::default()),
        Box::new(cardsim::OsEntropy),
    );
    let card = cardsim::InsertedCard::insert("127.0.0.1:35963".parse().unwrap(), chip)
        .expect("vpcd accepts the card");
    let mut monitor = reader::events::CardMonitor::new().expect("pcscd");
    monitor
        .wait_for_card(READER, true, std::time::Duration::from_secs(10))
        .expect("card seen");
    let output = tool(&[
        "read",
        "--reader",
        READER,
        "--qr",
        &identity.qr_payload(),
        "--trust",
        arg(&files.path("trust")),
    ]);
    let _ = card.remove();
    if !running {
        let _ = Command::new("bash").arg(&script).arg("stop").status();
    }
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("verdict: genuine"), "{stdout}");
    assert!(stdout.contains("*********345") && !stdout.contains(ID));
    assert!(
        stdout.contains("DG2 portrait: image/jpeg, 360x480"),
        "{stdout}"
    );
    assert!(stderr.contains("DG13: ") && stderr.contains("verifying authenticity"));
    assert!(
        !stderr.contains("090012345") && !stderr.contains("Nguy"),
        "{stderr}"
    );
}
