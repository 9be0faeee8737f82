//! The `capture` command line: JSON out, personal data masked unless asked for.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_capture"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

const QR_FRAMES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/frames/qr");
const PORTRAITS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/frames/portrait");

#[test]
fn decode_qr_reads_a_folder_and_masks_the_id_number() {
    let (ok, stdout) = run(&["decode-qr", QR_FRAMES]);
    assert!(ok);
    let results: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results.len(), 7);
    assert!(results.iter().all(|r| r["found"] == true));
    assert_eq!(results[0]["card"]["id_number"], "********2345");
    assert!(
        !stdout.contains("001090012345") && !stdout.contains("Nguyễn"),
        "no personal data by default"
    );
}

#[test]
fn decode_qr_reveals_the_holder_only_when_asked() {
    let first = format!("{QR_FRAMES}/00-nguyen-van-a-640x480.jpg");
    let (ok, stdout) = run(&["decode-qr", "--reveal", &first]);
    assert!(ok);
    let results: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results[0]["card"]["id_number"], "001090012345");
    assert_eq!(results[0]["card"]["full_name"], "Nguyễn Văn A");
    assert_eq!(results[0]["card"]["date_of_birth"], "1990-01-01");
}

#[test]
fn assess_portrait_gives_the_guidance_codes() {
    let (ok, stdout) = run(&["assess-portrait", PORTRAITS]);
    assert!(ok);
    let results: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let codes: Vec<&serde_json::Value> = results.iter().map(|r| &r["guidance"][0]).collect();
    assert_eq!(codes, ["ok", "move_closer", "more_light"]);
}

#[test]
fn unreadable_file_is_reported_in_the_json_not_a_crash() {
    let (ok, stdout) = run(&[
        "decode-qr",
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
    ]);
    assert!(ok);
    assert!(stdout.contains("not a readable image"));
}

#[test]
fn record_without_a_camera_fails_with_a_clear_message() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_capture"))
        .args(["record", "--frames", "1", "--out"])
        .arg(folder.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(message.contains("camera"), "{message}");
    assert_eq!(
        std::fs::read_dir(folder.path()).map_or(0, |dir| dir.count()),
        0,
        "nothing recorded"
    );
}
