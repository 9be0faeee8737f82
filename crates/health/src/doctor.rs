//! `doctor`: one OK/problem line per thing the kiosk depends on, in Vietnamese or English,
//! each problem saying what to do next, under the health line the header shows too.

use std::path::Path;
use std::time::Duration;

use kiosk_config::{Config, Language};

use crate::line::{Finding, LOW_SPACE_BYTES, Level};
use crate::probes::{self, BackOfficeStatus, CameraStatus, ReaderStatus};

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Problem,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Short subject name, the same in both languages (`config`, `reader`, ...).
    pub subject: &'static str,
    pub verdict: Verdict,
    pub vi: String,
    pub en: String,
}

impl Check {
    fn new(subject: &'static str, verdict: Verdict, vi: String, en: String) -> Check {
        Check {
            subject,
            verdict,
            vi,
            en,
        }
    }

    /// The line's text in `lang`.
    pub fn text(&self, lang: Language) -> &str {
        lang.pick(&self.vi, &self.en)
    }
}

/// What the probes saw, once: the checks and the health line are both made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    pub data_dir: Result<probes::DataDirInfo, String>,
    pub trust_store_files: usize,
    pub reader: ReaderStatus,
    pub camera: CameraStatus,
    pub back_office: BackOfficeStatus,
}

/// Runs every probe for `config` (the reader probe asks pcscd, the camera probe reads
/// `v4l_sysfs` unless the camera is a replay, the back-office probe opens a TCP connection).
pub fn probe(config: &Config, v4l_sysfs: &Path) -> Probed {
    Probed {
        data_dir: probes::data_dir_status(&config.data_dir).map_err(|e| e.to_string()),
        trust_store_files: probes::trust_store_files(&config.trust_store),
        reader: probes::reader_status(),
        camera: probes::configured_camera_status(&config.camera, v4l_sysfs),
        back_office: probes::back_office_status(&config.backoffice_url, Duration::from_secs(3)),
    }
}

/// One check per thing the kiosk depends on, from what the probes saw.
pub fn run(config: &Config, probed: &Probed) -> Vec<Check> {
    vec![
        config_check(config),
        data_dir_check(&config.data_dir, &probed.data_dir),
        trust_store_check(&config.trust_store, probed.trust_store_files),
        reader_check(probed.reader.clone()),
        camera_check(probed.camera.clone()),
        back_office_check(probed.back_office.clone()),
    ]
}

/// The health line atop the report: `HEALTH OK|NOTICE|PROBLEM` and the sentence.
pub fn render_health(finding: Finding, lang: Language, time: impl Fn(i64) -> String) -> String {
    let mark = match finding.level() {
        Level::Ok => "OK",
        Level::Notice => "NOTICE",
        Level::Problem => "PROBLEM",
    };
    format!("HEALTH {mark}: {}\n", finding.text(lang, time))
}

/// Formats the report, one `OK`/`PROBLEM` line per check.
pub fn render(checks: &[Check], lang: Language) -> String {
    checks
        .iter()
        .map(|c| {
            let mark = match c.verdict {
                Verdict::Ok => "OK     ",
                Verdict::Problem => "PROBLEM",
            };
            format!("{mark} {:<12} {}\n", c.subject, c.text(lang))
        })
        .collect()
}

fn config_check(config: &Config) -> Check {
    let mode = match config.mode {
        kiosk_config::Mode::Counter => ("quầy có cán bộ", "counter"),
        kiosk_config::Mode::SelfService => ("tự phục vụ", "self-service"),
    };
    let origin = match &config.origin {
        kiosk_config::Origin::Embedded => (
            "cấu hình mặc định".to_string(),
            "embedded defaults".to_string(),
        ),
        kiosk_config::Origin::File(path) => {
            (path.display().to_string(), path.display().to_string())
        }
    };
    Check::new(
        "config",
        Verdict::Ok,
        format!(
            "{} — thiết bị {}, chế độ {}",
            origin.0, config.device_id, mode.0
        ),
        format!(
            "{} — device {}, mode {}",
            origin.1, config.device_id, mode.1
        ),
    )
}

fn data_dir_check(dir: &Path, status: &Result<probes::DataDirInfo, String>) -> Check {
    let shown = dir.display();
    match status {
        Ok(info) if info.free_bytes < LOW_SPACE_BYTES => Check::new(
            "data_dir",
            Verdict::Problem,
            format!(
                "{shown}: chỉ còn {} MB trống. Giải phóng dung lượng đĩa để không mất hồ sơ.",
                info.free_bytes / 1_048_576
            ),
            format!(
                "{shown}: only {} MB free. Free disk space so no enrollment is lost.",
                info.free_bytes / 1_048_576
            ),
        ),
        Ok(info) => Check::new(
            "data_dir",
            Verdict::Ok,
            format!(
                "{shown} — ghi được, còn {} MB trống",
                info.free_bytes / 1_048_576
            ),
            format!(
                "{shown} — writable, {} MB free",
                info.free_bytes / 1_048_576
            ),
        ),
        Err(err) => Check::new(
            "data_dir",
            Verdict::Problem,
            format!("{shown}: không ghi được ({err}). Kiểm tra đường dẫn data_dir và quyền ghi."),
            format!("{shown}: not writable ({err}). Check data_dir and its permissions."),
        ),
    }
}

fn trust_store_check(dir: &Path, count: usize) -> Check {
    let shown = dir.display();
    match count {
        n if n > 0 => Check::new(
            "trust_store",
            Verdict::Ok,
            format!("{shown} — {n} tệp chứng thư"),
            format!("{shown} — {n} certificate files"),
        ),
        _ => Check::new(
            "trust_store",
            Verdict::Problem,
            format!(
                "{shown}: không có chứng thư CSCA nào. Thẻ sẽ hiện \"không rõ cơ quan cấp\"; hãy cài kho chứng thư."
            ),
            format!(
                "{shown}: no CSCA certificates. Cards will show \"issuer unknown\"; install the trust store."
            ),
        ),
    }
}

fn reader_check(status: ReaderStatus) -> Check {
    let (verdict, vi, en) = match status {
        ReaderStatus::ServiceDown => (
            Verdict::Problem,
            "dịch vụ PC/SC (pcscd) không chạy. Khởi động pcscd (systemctl start pcscd)."
                .to_string(),
            "the PC/SC service (pcscd) is not running. Start it (systemctl start pcscd)."
                .to_string(),
        ),
        ReaderStatus::NoReader => (
            Verdict::Problem,
            "không tìm thấy đầu đọc thẻ. Cắm đầu đọc USB rồi chạy lại doctor.".to_string(),
            "no reader found. Plug in the USB card reader, then run doctor again.".to_string(),
        ),
        ReaderStatus::Ready(name) => (
            Verdict::Ok,
            format!("{name} — chưa có thẻ; {}", model_line(&name, Language::Vi)),
            format!("{name} — no card; {}", model_line(&name, Language::En)),
        ),
        ReaderStatus::CardPresent(name) => (
            Verdict::Ok,
            format!("{name} — có thẻ; {}", model_line(&name, Language::Vi)),
            format!("{name} — card present; {}", model_line(&name, Language::En)),
        ),
        ReaderStatus::Error(err) => (
            Verdict::Problem,
            format!("lỗi PC/SC ({err}). Rút và cắm lại đầu đọc; nếu vẫn lỗi, khởi động lại pcscd."),
            format!(
                "PC/SC error ({err}). Unplug and replug the reader; if it persists, restart pcscd."
            ),
        ),
    };
    Check::new("reader", verdict, vi, en)
}

/// What the kiosk knows of the reader's model (see `docs/readers.md`).
fn model_line(reader_name: &str, lang: Language) -> String {
    match reader::models::identify(reader_name) {
        Some(model) => model.summary(),
        None => lang
            .pick(
                "mẫu đầu đọc chưa có trong bảng tương thích (docs/readers.md)",
                "model not in the compatibility table (docs/readers.md)",
            )
            .to_string(),
    }
}

fn camera_check(status: CameraStatus) -> Check {
    match status {
        CameraStatus::NoCamera => Check::new(
            "camera",
            Verdict::Problem,
            "không tìm thấy camera. Cắm webcam USB rồi chạy lại doctor.".to_string(),
            "no camera found. Plug in the USB webcam, then run doctor again.".to_string(),
        ),
        CameraStatus::Ready(name) => Check::new("camera", Verdict::Ok, name.clone(), name),
    }
}

fn back_office_check(status: BackOfficeStatus) -> Check {
    match status {
        BackOfficeStatus::Reachable(endpoint) => Check::new(
            "back_office",
            Verdict::Ok,
            format!("{endpoint} — kết nối được"),
            format!("{endpoint} — reachable"),
        ),
        BackOfficeStatus::Unreachable(endpoint) => Check::new(
            "back_office",
            Verdict::Problem,
            format!(
                "{endpoint}: không kết nối được. Hồ sơ vẫn được lưu và sẽ gửi khi có mạng; kiểm tra mạng và backoffice_url."
            ),
            format!(
                "{endpoint}: unreachable. Enrollments are kept and sent when connected; check the network and backoffice_url."
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_both_languages_and_problems_say_what_to_do() {
        let root = tempfile::tempdir().expect("tempdir");
        let text = format!(
            "data_dir = \"{}\"\ntrust_store = \"{}\"\nbackoffice_url = \"http://127.0.0.1:9\"\n",
            root.path().join("data").display(),
            root.path().join("trust").display()
        );
        let config =
            Config::from_toml(Some(&text), None, root.path().to_path_buf()).expect("config");
        let checks = run(&config, &probe(&config, &root.path().join("no-v4l")));
        let subjects: Vec<_> = checks.iter().map(|c| c.subject).collect();
        assert_eq!(
            subjects,
            [
                "config",
                "data_dir",
                "trust_store",
                "reader",
                "camera",
                "back_office"
            ]
        );
        for check in &checks {
            assert!(
                !check.vi.is_empty() && !check.en.is_empty(),
                "{}",
                check.subject
            );
        }
        let by = |s: &str| checks.iter().find(|c| c.subject == s).expect(s);
        assert_eq!(by("data_dir").verdict, Verdict::Ok);
        assert_eq!(by("trust_store").verdict, Verdict::Problem);
        assert_eq!(by("camera").verdict, Verdict::Problem);
        assert!(by("camera").en.contains("no camera found"));
        assert_eq!(by("back_office").verdict, Verdict::Problem);
        assert!(by("back_office").vi.contains("không kết nối được"));
        let report = render(&checks, Language::En);
        assert_eq!(report.lines().count(), 6);
        assert!(report.lines().any(|l| l.starts_with("PROBLEM camera")));
        assert!(report.lines().any(|l| l.starts_with("OK      data_dir")));
    }

    #[test]
    fn the_health_line_heads_the_report_with_its_level() {
        let time = |_| "14:05".to_string();
        assert_eq!(
            render_health(Finding::NoCamera, Language::En, time),
            "HEALTH PROBLEM: No camera: plug the camera's USB cable in again.\n"
        );
        assert!(render_health(Finding::Ok, Language::Vi, time).starts_with("HEALTH OK: "));
        assert!(
            render_health(Finding::RecoveredFromCrash { at: 0 }, Language::En, time)
                .starts_with("HEALTH NOTICE: The kiosk restarted itself after a crash at 14:05")
        );
    }

    #[test]
    fn trust_store_with_certificates_is_ok() {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::write(root.path().join("csca.der"), b"\x30\x00").expect("write");
        std::fs::write(root.path().join("README.txt"), b"not a cert").expect("write");
        let check = trust_store_check(root.path(), probes::trust_store_files(root.path()));
        assert_eq!(check.verdict, Verdict::Ok);
        assert!(check.en.contains("1 certificate files"));
    }

    #[test]
    fn reader_states_map_to_verdicts() {
        assert_eq!(
            reader_check(ReaderStatus::ServiceDown).verdict,
            Verdict::Problem
        );
        assert_eq!(
            reader_check(ReaderStatus::NoReader).verdict,
            Verdict::Problem
        );
        assert_eq!(
            reader_check(ReaderStatus::Ready("R".into())).verdict,
            Verdict::Ok
        );
        assert!(
            reader_check(ReaderStatus::NoReader)
                .vi
                .contains("không tìm thấy đầu đọc")
        );
        let known = reader_check(ReaderStatus::CardPresent(
            "ACS ACR1252 1S CL Reader [ACR1252 1S CL Reader PICC] 00 00".into(),
        ));
        assert!(
            known
                .en
                .contains("ACS ACR1252U: extended APDU yes (vendor claim)")
                && known.en.contains("not tested on hardware"),
            "{}",
            known.en
        );
        let virtual_reader = reader_check(ReaderStatus::Ready("Virtual PCD 00 00".into()));
        assert!(virtual_reader.vi.contains("vpcd virtual reader"));
        let unknown = reader_check(ReaderStatus::Ready("Generic Reader 00 00".into()));
        assert!(unknown.en.contains("not in the compatibility table"));
        assert!(unknown.vi.contains("chưa có trong bảng tương thích"));
    }
}
