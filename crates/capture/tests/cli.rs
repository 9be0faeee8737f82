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

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.cache/face-models");

#[test]
fn assess_gives_the_guidance_codes_and_the_landmark_and_background_measures() {
    let (ok, stdout) = run(&["assess", "--models", MODELS, PORTRAITS]);
    assert!(ok);
    let results: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let codes: Vec<&serde_json::Value> = results.iter().map(|r| &r["guidance"][0]).collect();
    assert_eq!(codes, ["ok", "move_closer", "more_light"]);
    let first = &results[0];
    assert!(first["eye_distance"].as_f64().unwrap() > 60.0);
    assert!(first["roll_degrees"].as_f64().unwrap().abs() < 8.0);
    assert!(first["background_clutter"].as_f64().unwrap() < 0.18);
    let (old_name_ok, _) = run(&["assess-portrait", "--models", MODELS, PORTRAITS]);
    assert!(old_name_ok, "the old subcommand name still works");
}

#[test]
fn assess_without_the_models_says_so_instead_of_skipping_checks() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_capture"))
        .args(["assess", "--models"])
        .arg(empty.path())
        .arg(PORTRAITS)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(message.contains("scripts/setup.sh"), "{message}");
}

#[test]
fn compare_prints_score_threshold_and_verdict() {
    let identities = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/identities");
    let live = format!("{PORTRAITS}/0-ok-960x540.jpg");
    let chip = format!("{identities}/le-van-cuong.jpg");
    let (ok, stdout) = run(&["compare", "--models", MODELS, &live, &chip]);
    assert!(ok);
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(result["same_person"], true);
    assert!(result["score"].as_f64().unwrap() >= result["threshold"].as_f64().unwrap());
    let (refused, _) = run(&[
        "compare",
        "--models",
        MODELS,
        &live,
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
    ]);
    assert!(
        !refused,
        "an undecodable chip photo is an error, not a score"
    );
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
