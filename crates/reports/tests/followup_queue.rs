//! The follow-up lists read from a real queue: who to call, with what phone, how long they have
//! waited, and the latest contact note.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{Fate, TestKiosk, phone};
use enroll::ids::{GroupId, OperatorId};
use enroll::operators::{Role, Session};
use enroll::state::EnrollmentState;
use reports::calendar::LocalDate;
use reports::contacts::{ContactLog, ContactOutcome, Note, NotesKey};
use reports::export;
use reports::followup::{
    ContactDetails, FollowUpError, FollowUpKind, ListQuery, Sources, call_list_table,
    follow_up_count, follow_up_list,
};
use reports::groups::GroupDirectory;
use reports::locale::Lang;
use std::io::Cursor;

fn session(role: Role) -> Session {
    Session {
        operator: OperatorId::new("officer-1").expect("id"),
        role,
    }
}

#[tokio::test]
async fn lists_show_who_to_call_with_days_waiting_and_the_latest_note() {
    let kiosk = TestKiosk::new().await;
    let day = LocalDate::new(2025, 12, 1)
        .expect("day")
        .start()
        .plus_millis(9 * 3_600_000);
    let hour = 3_600_000;
    let fates = [
        Fate::Approved,
        Fate::Activated,
        Fate::Rejected("portrait-mismatch"),
        Fate::Approved,
        Fate::Queued,
        Fate::Uploaded,
        Fate::Acknowledged,
    ];
    let mut ids = Vec::new();
    for (i, fate) in fates.iter().enumerate() {
        let n = u32::try_from(i).expect("small") + 1;
        let group = if n % 2 == 0 { "cong-ha" } else { "dong-coc" };
        // Citizen n enrolled on day n-1; each later step one hour apart.
        let at = day.plus_millis(i64::from(n - 1) * 24 * hour);
        let id = kiosk.enroll(n, group, "op-a", "kiosk-1", at).await;
        kiosk.drive(id, fate, at, hour).await;
        ids.push(id);
    }
    let now = day.plus_millis(10 * 24 * hour);
    // The notes share the kiosk's local data key with the follow-up records.
    let contacts = ContactLog::open(
        &kiosk.dir.path().join("contacts.db"),
        NotesKey::from(kiosk.local.clone()),
    )
    .await
    .expect("log");
    let op = OperatorId::new("officer-1").expect("op");
    contacts
        .record(
            ids[0],
            &op,
            ContactOutcome::WrongNumber,
            &Note::new("đổi sim").expect("note"),
            now,
        )
        .await
        .expect("note");
    let sources = Sources {
        queue: &kiosk.queue,
        key: &kiosk.local,
        contacts: Some(&contacts),
    };
    let query = |kind| ListQuery {
        kind,
        group: None,
        limit: 100,
        offset: 0,
        now,
    };
    let officer = session(Role::Operator);

    let to_activate = follow_up_list(
        &officer,
        sources,
        &query(FollowUpKind::ApprovedNotActivated),
    )
    .await
    .expect("list");
    assert_eq!(
        to_activate.iter().map(|e| e.package).collect::<Vec<_>>(),
        vec![ids[0], ids[3]]
    );
    // Citizen 1 approved on day 0 (4 h after enrolling), now is day 10.
    assert_eq!(to_activate[0].days_waiting, 10);
    assert_eq!(to_activate[1].days_waiting, 7);
    match &to_activate[0].details {
        ContactDetails::Known(f) => {
            assert_eq!(f.phone, phone(1));
            assert_eq!(f.full_name, "TRẦN THỊ THỬ 1");
            assert_eq!(f.id_masked, "*********001");
        }
        other => panic!("details not decrypted: {other:?}"),
    }
    let note = to_activate[0].last_contact.as_ref().expect("contact");
    assert_eq!(note.outcome, ContactOutcome::WrongNumber);
    assert_eq!(note.note.as_str(), "đổi sim");
    assert!(to_activate[1].last_contact.is_none());

    let rejected = follow_up_list(&officer, sources, &query(FollowUpKind::Rejected))
        .await
        .expect("list");
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].reason.as_ref().map(|r| r.as_str()),
        Some("portrait-mismatch")
    );

    let waiting = follow_up_list(&officer, sources, &query(FollowUpKind::NotAcknowledged))
        .await
        .expect("list");
    assert_eq!(
        waiting.iter().map(|e| e.package).collect::<Vec<_>>(),
        vec![ids[4], ids[5]]
    );
    assert_eq!(waiting[0].state, EnrollmentState::Queued);
    assert_eq!(waiting[1].state, EnrollmentState::Uploaded);
    assert_eq!(waiting[1].attempts, 1);

    let first = ListQuery {
        limit: 1,
        ..query(FollowUpKind::ApprovedNotActivated)
    };
    let page = follow_up_list(&officer, sources, &first)
        .await
        .expect("list");
    assert_eq!(
        page.iter().map(|e| e.package).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let second = ListQuery {
        limit: 1,
        offset: 1,
        ..query(FollowUpKind::ApprovedNotActivated)
    };
    let page = follow_up_list(&officer, sources, &second)
        .await
        .expect("list");
    assert_eq!(
        page.iter().map(|e| e.package).collect::<Vec<_>>(),
        vec![ids[3]],
        "the second page starts after the first"
    );
    assert_eq!(
        follow_up_count(
            &officer,
            &kiosk.queue,
            FollowUpKind::ApprovedNotActivated,
            None
        )
        .await
        .expect("count"),
        2
    );
    assert!(matches!(
        follow_up_count(
            &session(Role::SelfService),
            &kiosk.queue,
            FollowUpKind::Rejected,
            None
        )
        .await,
        Err(FollowUpError::NotPermitted)
    ));
    let waiting_first = ListQuery {
        limit: 1,
        ..query(FollowUpKind::NotAcknowledged)
    };
    let page = follow_up_list(&officer, sources, &waiting_first)
        .await
        .expect("list");
    assert_eq!(
        page.iter().map(|e| e.package).collect::<Vec<_>>(),
        vec![ids[4]]
    );

    let only = ListQuery {
        group: Some(GroupId::new("cong-ha").expect("g")),
        ..query(FollowUpKind::ApprovedNotActivated)
    };
    let in_group = follow_up_list(&officer, sources, &only)
        .await
        .expect("list");
    assert_eq!(
        in_group.iter().map(|e| e.package).collect::<Vec<_>>(),
        vec![ids[3]]
    );

    // The call list exports with names and phones, to XLSX and PDF, after an audited grant.
    let directory =
        GroupDirectory::from_toml(include_str!("fixtures/song_lieu.toml")).expect("dir");
    let grant = export::authorize(
        &session(Role::Supervisor),
        &kiosk.queue.audit(),
        "call-list",
        now,
    )
    .await
    .expect("grant");
    let table = call_list_table(
        FollowUpKind::ApprovedNotActivated,
        &to_activate,
        &directory,
        Lang::Vi,
    );
    let head = (
        "DANH SÁCH CẦN GỌI".to_owned(),
        "Tính đến ngày 11/12/2025".to_owned(),
    );
    let xlsx = export::xlsx::write_tables(
        &grant,
        std::slice::from_ref(&table),
        &head,
        &directory.commune,
    )
    .expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).expect("opens");
    let range = book.worksheet_range("Danh sách").expect("sheet");
    let row = (0..range.height())
        .find(|&r| range.get((r, 1)) == Some(&Data::String("TRẦN THỊ THỬ 1".into())))
        .expect("citizen 1's row");
    assert_eq!(range.get((row, 2)), Some(&Data::String(phone(1))));
    assert_eq!(range.get((row, 4)), Some(&Data::String("Đông Cốc".into())));
    assert_eq!(range.get((row, 6)), Some(&Data::Float(10.0)));
    assert_eq!(
        range.get((row, 8)),
        Some(&Data::String("Sai số / thuê bao (11/12/2025)".into()))
    );
    let pdf = export::pdf::write_tables(
        &grant,
        &[table],
        &head,
        &directory.commune,
        LocalDate::containing(now),
        Lang::Vi,
    )
    .expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let path = kiosk.dir.path().join("call-list.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("TRẦN THỊ THỬ 4") && text.contains(&phone(4)),
        "{text}"
    );
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../screenshots");
    std::fs::create_dir_all(&shots).expect("dir");
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-singlefile"])
        .arg(&path)
        .arg(shots.join("reports-call-list-vi"))
        .status()
        .expect("pdftoppm");
    assert!(status.success());

    let self_service = session(Role::SelfService);
    assert!(matches!(
        follow_up_list(&self_service, sources, &query(FollowUpKind::Rejected)).await,
        Err(FollowUpError::NotPermitted)
    ));
}

#[tokio::test]
async fn records_sealed_under_another_key_show_as_unreadable_not_as_an_error() {
    let kiosk = TestKiosk::new().await;
    let at = LocalDate::new(2025, 12, 1).expect("day").start();
    let id = kiosk.enroll(9, "cong-ha", "op-a", "kiosk-1", at).await;
    kiosk.drive(id, &Fate::Approved, at, 1_000).await;
    let (other, _) =
        enroll::local_key::LocalKey::load_or_create_file(&kiosk.dir.path().join("other.key"))
            .expect("key");
    let sources = Sources {
        queue: &kiosk.queue,
        key: &other,
        contacts: None,
    };
    let list = follow_up_list(
        &session(Role::Supervisor),
        sources,
        &ListQuery {
            kind: FollowUpKind::ApprovedNotActivated,
            group: None,
            limit: 10,
            offset: 0,
            now: at,
        },
    )
    .await
    .expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].details, ContactDetails::Unreadable);
}

#[tokio::test]
async fn a_package_the_back_office_refused_for_good_is_on_the_not_acknowledged_list_with_its_reason()
 {
    let kiosk = TestKiosk::new().await;
    let at = LocalDate::new(2025, 12, 1).expect("day").start();
    let queued = kiosk.enroll(1, "cong-ha", "op-a", "kiosk-1", at).await;
    let refused = kiosk
        .enroll(2, "cong-ha", "op-a", "kiosk-1", at.plus_millis(60_000))
        .await;
    kiosk
        .queue
        .begin_upload(refused, at.plus_millis(120_000))
        .await
        .expect("upload");
    let reason = enroll::ids::ReasonCode::new("conflict").expect("code");
    kiosk
        .queue
        .quarantine(refused, &reason, at.plus_millis(180_000))
        .await
        .expect("quarantined");
    let list = follow_up_list(
        &session(Role::Operator),
        Sources {
            queue: &kiosk.queue,
            key: &kiosk.local,
            contacts: None,
        },
        &ListQuery {
            kind: FollowUpKind::NotAcknowledged,
            group: None,
            limit: 10,
            offset: 0,
            now: at,
        },
    )
    .await
    .expect("list");
    assert_eq!(
        list.iter()
            .map(|e| (e.package, e.state))
            .collect::<Vec<_>>(),
        vec![
            (queued, EnrollmentState::Queued),
            (refused, EnrollmentState::Quarantined)
        ]
    );
    assert_eq!(list[1].reason, Some(reason));
}
