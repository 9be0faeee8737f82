//! The health line from this kiosk's own parts, for the header and for `doctor` (and the
//! support bundle): the queue's facts (packages waiting, quarantined, the audit chain, the last
//! restart after a crash) are read here the same way for both, and `health::line::summarise`
//! turns them and the probes into the one finding both show.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use enroll::audit::AuditAction;
use enroll::queue::Queue;
use enroll::state::EnrollmentState;
use enroll::timestamp::Timestamp;
use health::doctor::{self, Probed, Verdict};
use health::line::{AuditChain, Facts, Finding, Link, QueueFacts, summarise};
use health::probes::{BackOfficeStatus, CameraStatus, ReaderStatus};
use kiosk_config::{Config, Language};
use serde::Serialize;

use crate::backoffice_link::{RECEIPT_KEY_FILE, SyncStatus};

/// The header re-reads the whole audit chain at most this often (it polls every 2 s).
const AUDIT_EVERY: Duration = Duration::from_secs(60);

/// The health line as the header shows it (`health.<state>` in the UI's dictionary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthLine {
    pub state: &'static str,
    /// `ok`, `notice` or `problem`.
    pub level: &'static str,
    /// The number the sentence names (packages, MB free, an audit entry).
    pub number: Option<i64>,
    /// The time the sentence names (Unix milliseconds).
    pub at: Option<i64>,
}

impl From<Finding> for HealthLine {
    fn from(finding: Finding) -> HealthLine {
        HealthLine {
            state: finding.code(),
            level: finding.level().code(),
            number: finding.number(),
            at: finding.at(),
        }
    }
}

/// What the audit log says, as last read.
#[derive(Debug, Clone, Copy)]
struct AuditFacts {
    chain: AuditChain,
    last_unclean_stop_at: Option<i64>,
}

async fn audit_facts(queue: &Queue) -> AuditFacts {
    let chain = match queue.audit().verify().await {
        Ok(_) => AuditChain::Intact,
        Err(enroll::audit::AuditError::Tampered { seq }) => AuditChain::Broken { seq },
        Err(enroll::audit::AuditError::Storage(_)) => AuditChain::Unreadable,
    };
    let last_unclean_stop_at = match queue.audit().entries().await {
        Ok(entries) => entries
            .iter()
            .rev()
            .find(|e| e.action == AuditAction::UncleanStopRecovered.as_str())
            .map(|e| e.at.unix_millis()),
        Err(_) => None,
    };
    AuditFacts {
        chain,
        last_unclean_stop_at,
    }
}

/// The queue's facts with `audit` from the audit log and whether the freeze rules of `config`
/// refuse new enrollments at `now`; `None` when the queue cannot be read.
async fn queue_facts(
    queue: &Queue,
    audit: AuditFacts,
    config: &Config,
    now: Timestamp,
) -> Option<QueueFacts> {
    use EnrollmentState::{Quarantined, Queued, Uploaded, Uploading};
    let counts = queue.counts().await.ok()?;
    let sum = |states: &[EnrollmentState]| {
        counts
            .iter()
            .filter(|(s, _)| states.contains(s))
            .map(|(_, n)| n)
            .sum()
    };
    Some(QueueFacts {
        unsent: sum(&[Queued, Uploading, Uploaded]),
        oldest_unsent_at: queue.oldest_unsent().await.ok()?.map(|t| t.unix_millis()),
        quarantined: sum(&[Quarantined]),
        last_unclean_stop_at: audit.last_unclean_stop_at,
        audit: audit.chain,
        frozen: crate::admission::frozen(
            queue
                .admission(now, &crate::admission::freeze_rules(config))
                .await
                .ok()?,
        ),
    })
}

/// The header's view of the back office, from the sync loop's state.
fn link_of_sync(sync: &SyncStatus) -> Link {
    match sync.state {
        "synced" | "sending" => Link::Reachable,
        "unreachable" => Link::Unreachable,
        "refused" => Link::Refused,
        "clock_skew" => Link::ClockSkew,
        "not_registered" => Link::NotRegistered,
        "not_started" => Link::NotStarted,
        _ => Link::Unknown,
    }
}

/// The reader as the header's state code names it (see `ReaderStatus::code`).
fn reader_of_code(code: &str) -> ReaderStatus {
    match code {
        "service_down" => ReaderStatus::ServiceDown,
        "no_reader" => ReaderStatus::NoReader,
        "ready" => ReaderStatus::Ready(String::new()),
        "card_present" => ReaderStatus::CardPresent(String::new()),
        _ => ReaderStatus::Error(String::new()),
    }
}

/// `doctor`'s view of the back office: registered (its keys in the data directory, as the sync
/// loop needs them) and answering on its address.
fn link_of_probe(data_dir: &Path, back_office: &BackOfficeStatus) -> Link {
    if !data_dir.join(RECEIPT_KEY_FILE).is_file() {
        return Link::NotRegistered;
    }
    match back_office {
        BackOfficeStatus::Reachable(_) => Link::Reachable,
        BackOfficeStatus::Unreachable(_) => Link::Unreachable,
    }
}

/// The header's health line: its own probes of this poll, the sync loop's state, and the
/// queue (the audit chain re-read at most every [`AUDIT_EVERY`]).
#[derive(Default)]
pub struct HeaderHealth {
    audit: Mutex<Option<(Instant, AuditFacts)>>,
}

impl HeaderHealth {
    /// The line for the header's `reader` state code and whether its camera is ready.
    pub async fn line(
        &self,
        config: &Config,
        queue: Option<&Queue>,
        (reader, camera_ready): (&str, bool),
        sync: &SyncStatus,
    ) -> HealthLine {
        let now = Timestamp::now();
        let queue_facts = match queue {
            Some(queue) => {
                let audit = self.audit(queue).await;
                queue_facts(queue, audit, config, now).await
            }
            None => None,
        };
        let data_dir_free = match queue {
            Some(queue) => queue.free_bytes().ok(),
            None => health::probes::data_dir_status(&config.data_dir)
                .ok()
                .map(|i| i.free_bytes),
        };
        let facts = Facts {
            now: now.unix_millis(),
            data_dir_free,
            queue: queue_facts,
            reader: reader_of_code(reader),
            camera: if camera_ready {
                CameraStatus::Ready(String::new())
            } else {
                CameraStatus::NoCamera
            },
            trust_store_files: health::probes::trust_store_files(&config.trust_store),
            link: link_of_sync(sync),
        };
        summarise(&facts).into()
    }

    async fn audit(&self, queue: &Queue) -> AuditFacts {
        let cached = *crate::shell::lock(&self.audit);
        if let Some((read, facts)) = cached
            && read.elapsed() < AUDIT_EVERY
        {
            return facts;
        }
        let facts = audit_facts(queue).await;
        *crate::shell::lock(&self.audit) = Some((Instant::now(), facts));
        facts
    }
}

/// `doctor`'s findings: the health line and one check per thing the kiosk depends on.
pub struct DoctorReport {
    finding: Finding,
    checks: Vec<doctor::Check>,
}

impl DoctorReport {
    /// The health line, then one line per check, in `lang`.
    pub fn render(&self, lang: Language) -> String {
        let time = |ms| Timestamp::from_unix_millis(ms).to_string();
        format!(
            "{}{}",
            doctor::render_health(self.finding, lang, time),
            doctor::render(&self.checks, lang)
        )
    }

    /// Whether neither the line nor any check is a problem.
    pub fn fine(&self) -> bool {
        self.checks.iter().all(|c| c.verdict == Verdict::Ok)
            && self.finding.level() != health::line::Level::Problem
    }
}

/// Runs `doctor`'s probes (blocking: pcscd, a TCP connection) and reads the queue once.
pub async fn doctor_report(config: &Config) -> DoctorReport {
    let probed = doctor::probe(config, Path::new(health::probes::V4L_SYSFS));
    DoctorReport {
        finding: doctor_finding(config, &probed).await,
        checks: doctor::run(config, &probed),
    }
}

async fn doctor_finding(config: &Config, probed: &Probed) -> Finding {
    // A kiosk that never ran has no queue yet (its first start creates it): nothing waits.
    let never_ran = QueueFacts {
        unsent: 0,
        oldest_unsent_at: None,
        quarantined: 0,
        last_unclean_stop_at: None,
        audit: AuditChain::Intact,
        frozen: None,
    };
    if !crate::store::queue_path(config).exists() {
        return summarise(&doctor_facts(config, probed, Some(never_ran)));
    }
    let queue_facts = match crate::store::open(config).await {
        Ok(queue) => {
            let audit = audit_facts(&queue).await;
            let facts = queue_facts(&queue, audit, config, Timestamp::now()).await;
            queue.close().await;
            facts
        }
        Err(_) => None,
    };
    summarise(&doctor_facts(config, probed, queue_facts))
}

fn doctor_facts(config: &Config, probed: &Probed, queue: Option<QueueFacts>) -> Facts {
    Facts {
        now: Timestamp::now().unix_millis(),
        data_dir_free: probed.data_dir.as_ref().ok().map(|i| i.free_bytes),
        queue,
        reader: probed.reader.clone(),
        camera: probed.camera.clone(),
        trust_store_files: probed.trust_store_files,
        link: link_of_probe(&config.data_dir, &probed.back_office),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(dir: &Path) -> Config {
        let text = format!(
            "data_dir = \"{}\"\ntrust_store = \"{}\"\nbackoffice_url = \"http://127.0.0.1:9\"\n",
            dir.join("data").display(),
            dir.join("trust").display()
        );
        Config::from_toml(Some(&text), None, dir.to_path_buf()).expect("config")
    }

    fn queue_one(queue: &Queue) {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let (_, office) = enroll::package::BackOfficeSecretKey::generate(&mut rng);
        let signer = enroll::package::DeviceSigningKey::generate(&mut rng);
        let device = enroll::ids::DeviceId::new("kiosk-1").expect("id");
        let group = enroll::ids::GroupId::new("to-1").expect("group");
        let now = Timestamp::now();
        let enrollment =
            enroll::demo::demo_enrollment(1, 60_000, &device, &group, now).expect("demo");
        let package =
            enroll::package::seal(&enrollment, now, &signer, &office, &mut rng).expect("seal");
        tauri::async_runtime::block_on(queue.enqueue(&package, None, now)).expect("enqueue");
    }

    #[test]
    fn the_queue_facts_count_waiting_packages_find_the_last_restart_and_the_freeze() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_in(dir.path());
        let queue = tauri::async_runtime::block_on(crate::store::open(&config)).expect("queue");
        queue_one(&queue);
        tauri::async_runtime::block_on(crate::kiosk_mode::record_previous_run(
            &queue,
            crate::kiosk_mode::PreviousRun::Unclean { pid: 42 },
        ));
        let facts_under = |config: &Config| {
            tauri::async_runtime::block_on(async {
                let audit = audit_facts(&queue).await;
                queue_facts(&queue, audit, config, Timestamp::now()).await
            })
            .expect("facts")
        };
        let facts = facts_under(&config);
        assert_eq!(facts.frozen, None, "one package is under the default 500");
        let strict = Config {
            freeze_max_unsent: 1,
            ..config.clone()
        };
        assert_eq!(
            facts_under(&strict).frozen,
            Some(health::line::Frozen::TooManyUnsent { count: 1 })
        );
        assert_eq!((facts.unsent, facts.quarantined), (1, 0));
        assert!(facts.oldest_unsent_at.is_some());
        assert_eq!(facts.audit, AuditChain::Intact);
        let restarted = facts.last_unclean_stop_at.expect("the restart");
        assert!(Timestamp::now().unix_millis() - restarted < 60_000);
    }

    #[test]
    fn doctor_and_header_read_the_back_office_the_same_way() {
        let dir = tempfile::tempdir().expect("tempdir");
        let down = BackOfficeStatus::Unreachable("127.0.0.1:9".into());
        assert_eq!(link_of_probe(dir.path(), &down), Link::NotRegistered);
        std::fs::write(dir.path().join(RECEIPT_KEY_FILE), "00\n").expect("key");
        assert_eq!(link_of_probe(dir.path(), &down), Link::Unreachable);
        let status = |state| SyncStatus {
            state,
            detail: None,
            last_sync_at: None,
            retry_at: None,
        };
        for (state, link) in [
            ("synced", Link::Reachable),
            ("unreachable", Link::Unreachable),
            ("clock_skew", Link::ClockSkew),
            ("refused", Link::Refused),
            ("not_registered", Link::NotRegistered),
            ("starting", Link::Unknown),
        ] {
            assert_eq!(link_of_sync(&status(state)), link, "{state}");
        }
    }

    #[test]
    fn doctor_leads_with_the_health_line_and_fails_on_a_problem() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_in(dir.path());
        let report = tauri::async_runtime::block_on(doctor_report(&config));
        assert!(
            !crate::store::queue_path(&config).exists(),
            "doctor leaves the queue to the kiosk's first start"
        );
        let text = report.render(Language::En);
        let first = text.lines().next().expect("a line");
        assert!(first.starts_with("HEALTH PROBLEM: "), "{text}");
        assert!(!report.fine());
        assert_eq!(text.lines().count(), 7, "{text}");
        assert!(report.render(Language::Vi).starts_with("HEALTH PROBLEM: "));
    }

    #[test]
    fn every_health_state_has_a_sentence_in_the_ui_dictionary() {
        let dictionary = include_str!("../../ui/src/i18n.ts");
        let findings = [
            Finding::Ok,
            Finding::AuditBroken { seq: None },
            Finding::DataDirUnwritable,
            Finding::QueueUnavailable,
            Finding::DiskLow { free_mb: 1 },
            Finding::ReaderServiceDown,
            Finding::NoReader,
            Finding::ReaderError,
            Finding::NoCamera,
            Finding::NoTrustStore,
            Finding::ClockSkew,
            Finding::Refused,
            Finding::NotRegistered,
            Finding::SyncNotStarted,
            Finding::Quarantined { count: 1 },
            Finding::QueueFrozenTooMany { count: 1 },
            Finding::QueueFrozenTooOld { since: 0 },
            Finding::BackOfficeUnreachable { count: 1, since: 0 },
            Finding::PackagesWaiting { count: 1, since: 0 },
            Finding::RecoveredFromCrash { at: 0 },
            Finding::BackOfficeUnreachableBriefly,
        ];
        for finding in findings {
            let key = format!("\"health.{}\":", finding.code());
            assert_eq!(
                dictionary.matches(&key).count(),
                2,
                "{key} in Vietnamese and English"
            );
        }
    }
}
