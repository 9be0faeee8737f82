//! Operator accounts (roles, Argon2id PINs, lockout) and the hash-chained audit log, on a real
//! database file.

use enroll::audit::{AuditAction, AuditError, SettingValue};
use enroll::demo::demo_enrollment;
use enroll::ids::{DeviceId, GroupId, OperatorId, SettingKey};
use enroll::operators::{LOCKOUT_MILLIS, OperatorError, Permission, Pin, Role, Session};
use enroll::package::{BackOfficeSecretKey, DeviceSigningKey, seal};
use enroll::queue::Queue;
use enroll::timestamp::Timestamp;
use getrandom::SysRng;
use rand_core::UnwrapErr;

const T0: Timestamp = Timestamp::from_unix_millis(1_790_000_000_000);

fn id(s: &str) -> OperatorId {
    OperatorId::new(s).expect("operator id")
}

fn pin(s: &str) -> Pin {
    Pin::new(s).expect("pin")
}

async fn kiosk_with_admin() -> (tempfile::TempDir, Queue, Session) {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = Queue::open(&dir.path().join("kiosk.sqlite"))
        .await
        .expect("open");
    q.operators()
        .create(
            None,
            &id("admin"),
            Role::Administrator,
            Some(pin("24681357")),
            T0,
        )
        .await
        .expect("first administrator");
    let admin = q
        .operators()
        .login(&id("admin"), pin("24681357"), T0)
        .await
        .expect("login");
    (dir, q, admin)
}

#[tokio::test]
async fn the_first_account_must_be_an_administrator_and_later_ones_need_a_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = Queue::open(&dir.path().join("kiosk.sqlite"))
        .await
        .expect("open");
    let ops = q.operators();
    assert!(matches!(
        ops.create(None, &id("op1"), Role::Operator, Some(pin("111111")), T0)
            .await,
        Err(OperatorError::NotPermitted)
    ));
    ops.create(
        None,
        &id("admin"),
        Role::Administrator,
        Some(pin("24681357")),
        T0,
    )
    .await
    .expect("first administrator");
    assert!(matches!(
        ops.create(
            None,
            &id("admin2"),
            Role::Administrator,
            Some(pin("24681357")),
            T0
        )
        .await,
        Err(OperatorError::NotPermitted)
    ));
}

#[tokio::test]
async fn login_with_the_right_pin_gives_a_session_with_its_role() {
    let (_dir, q, admin) = kiosk_with_admin().await;
    assert_eq!(admin.role, Role::Administrator);
    let ops = q.operators();
    ops.create(
        Some(&admin),
        &id("sup"),
        Role::Supervisor,
        Some(pin("135792")),
        T0,
    )
    .await
    .expect("supervisor");
    let sup = ops
        .login(&id("sup"), pin("135792"), T0)
        .await
        .expect("login");
    assert_eq!(sup.role, Role::Supervisor);
    assert!(sup.require(Permission::Export).is_ok());
    assert!(matches!(
        sup.require(Permission::Configure),
        Err(OperatorError::NotPermitted)
    ));
    assert!(matches!(
        ops.login(&id("sup"), pin("135793"), T0).await,
        Err(OperatorError::WrongCredentials)
    ));
    assert!(matches!(
        ops.login(&id("nobody"), pin("135792"), T0).await,
        Err(OperatorError::WrongCredentials)
    ));
    assert!(matches!(
        ops.create(
            Some(&admin),
            &id("sup"),
            Role::Operator,
            Some(pin("135792")),
            T0
        )
        .await,
        Err(OperatorError::AlreadyExists)
    ));
}

#[tokio::test]
async fn five_wrong_pins_lock_the_account_for_fifteen_minutes() {
    let (_dir, q, admin) = kiosk_with_admin().await;
    let ops = q.operators();
    ops.create(
        Some(&admin),
        &id("op1"),
        Role::Operator,
        Some(pin("864200")),
        T0,
    )
    .await
    .expect("operator");
    for attempt in 1..=4 {
        assert!(
            matches!(
                ops.login(&id("op1"), pin("000000"), T0).await,
                Err(OperatorError::WrongCredentials)
            ),
            "attempt {attempt}"
        );
    }
    let locked = ops.login(&id("op1"), pin("000000"), T0).await;
    let until = T0.plus_millis(LOCKOUT_MILLIS);
    assert!(matches!(locked, Err(OperatorError::LockedOut { until: u }) if u == until));
    let t = T0.plus_millis(LOCKOUT_MILLIS - 1);
    assert!(
        matches!(
            ops.login(&id("op1"), pin("864200"), t).await,
            Err(OperatorError::LockedOut { .. })
        ),
        "even the right PIN is refused while locked"
    );
    let session = ops
        .login(&id("op1"), pin("864200"), until)
        .await
        .expect("unlocked after 15 minutes");
    assert_eq!(session.role, Role::Operator);
}

#[tokio::test]
async fn the_self_service_account_has_no_pin_and_can_only_enroll() {
    let (_dir, q, admin) = kiosk_with_admin().await;
    let ops = q.operators();
    assert!(matches!(
        ops.create(
            Some(&admin),
            &id("kiosk-self"),
            Role::SelfService,
            Some(pin("123456")),
            T0
        )
        .await,
        Err(OperatorError::PinFormat)
    ));
    ops.create(Some(&admin), &id("kiosk-self"), Role::SelfService, None, T0)
        .await
        .expect("self-service account");
    let session = ops
        .self_service_session(&id("kiosk-self"))
        .await
        .expect("session");
    assert!(session.require(Permission::Enroll).is_ok());
    for p in [
        Permission::ViewFollowUp,
        Permission::Export,
        Permission::ManageOperators,
        Permission::Configure,
    ] {
        assert!(session.require(p).is_err(), "{p:?}");
    }
    assert!(ops.self_service_session(&id("admin")).await.is_err());
    assert!(matches!(
        ops.login(&id("kiosk-self"), pin("123456"), T0).await,
        Err(OperatorError::WrongCredentials)
    ));
}

#[tokio::test]
async fn only_an_administrator_creates_supervisors_and_operators_create_no_one() {
    let (_dir, q, admin) = kiosk_with_admin().await;
    let ops = q.operators();
    ops.create(
        Some(&admin),
        &id("sup"),
        Role::Supervisor,
        Some(pin("135792")),
        T0,
    )
    .await
    .expect("supervisor");
    let sup = ops
        .login(&id("sup"), pin("135792"), T0)
        .await
        .expect("login");
    assert!(matches!(
        ops.create(
            Some(&sup),
            &id("boss"),
            Role::Administrator,
            Some(pin("999999")),
            T0
        )
        .await,
        Err(OperatorError::NotPermitted)
    ));
    ops.create(
        Some(&sup),
        &id("op2"),
        Role::Operator,
        Some(pin("246810")),
        T0,
    )
    .await
    .expect("a supervisor creates operators");
    let op = ops
        .login(&id("op2"), pin("246810"), T0)
        .await
        .expect("login");
    assert!(matches!(
        ops.create(
            Some(&op),
            &id("op3"),
            Role::Operator,
            Some(pin("246810")),
            T0
        )
        .await,
        Err(OperatorError::NotPermitted)
    ));
}

#[tokio::test]
async fn pins_are_stored_only_as_argon2id_hashes() {
    let (dir, q, _admin) = kiosk_with_admin().await;
    q.close().await;
    let bytes = std::fs::read(dir.path().join("kiosk.sqlite")).expect("db");
    assert!(bytes.windows(9).any(|w| w == b"$argon2id"));
    assert!(!bytes.windows(8).any(|w| w == b"24681357"));
}

async fn raw(dir: &tempfile::TempDir) -> sqlx::SqlitePool {
    let url = format!("sqlite://{}", dir.path().join("kiosk.sqlite").display());
    sqlx::SqlitePool::connect(&url)
        .await
        .expect("raw connection")
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_and_its_chain_verifies() {
    let (dir, q, admin) = kiosk_with_admin().await;
    let mut rng = UnwrapErr(SysRng);
    let (_, office) = BackOfficeSecretKey::generate(&mut rng);
    let device = DeviceSigningKey::generate(&mut rng);
    let e = demo_enrollment(
        1,
        8 * 1024,
        &DeviceId::new("k1").expect("id"),
        &GroupId::new("g1").expect("id"),
        T0,
    )
    .expect("demo");
    let p = seal(&e, T0, &device, &office, &mut rng).expect("seal");
    q.enqueue(&p, None, T0).await.expect("enqueue");
    q.begin_upload(p.id(), T0).await.expect("begin");
    q.upload_done(p.id(), T0).await.expect("done");
    q.acknowledge(p.id(), T0).await.expect("ack");
    q.audit()
        .append(
            T0,
            &admin.operator,
            AuditAction::Export,
            Some("report-by-group"),
        )
        .await
        .expect("export audited");
    let entries = q.audit().entries().await.expect("entries");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "operator.created",
            "operator.login",
            "enrollment.queued",
            "package.purged",
            "report.export"
        ]
    );
    assert_eq!(entries[2].actor, "demo-operator");
    assert_eq!(entries[2].subject, Some(p.id().to_string()));
    assert_eq!(entries[3].actor, "system");
    assert_eq!(q.audit().verify().await, Ok(5));

    // The log holds ids and codes only: no name, ID number or phone of the citizen.
    let pool = raw(&dir).await;
    let dump: Vec<String> =
        sqlx::query_scalar("SELECT actor || action || coalesce(subject, '') FROM audit_log")
            .fetch_all(&pool)
            .await
            .expect("dump");
    let dump = dump.concat();
    for secret in ["001090000001", "THỬ", "0900000001"] {
        assert!(!dump.contains(secret));
    }
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_detects_tampering() {
    let (dir, q, admin) = kiosk_with_admin().await;
    for n in 0..4 {
        q.audit()
            .append(
                T0.plus_millis(n),
                &admin.operator,
                AuditAction::SettingChanged,
                Some("targets"),
            )
            .await
            .expect("append");
    }
    assert_eq!(q.audit().verify().await, Ok(6));
    let pool = raw(&dir).await;
    let refused = sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
        .execute(&pool)
        .await;
    assert!(refused.is_err(), "the trigger refuses updates");
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 4")
            .execute(&pool)
            .await
            .is_err()
    );

    // Someone with the file drops the triggers and rewrites history.
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .expect("drop trigger");
    sqlx::query("DROP TRIGGER audit_log_no_delete")
        .execute(&pool)
        .await
        .expect("drop trigger");
    sqlx::query("UPDATE audit_log SET subject = 'other' WHERE seq = 4")
        .execute(&pool)
        .await
        .expect("rewrite");
    assert_eq!(
        q.audit().verify().await,
        Err(AuditError::Tampered { seq: 4 })
    );
    sqlx::query("UPDATE audit_log SET subject = 'targets' WHERE seq = 4")
        .execute(&pool)
        .await
        .expect("restore");
    assert_eq!(q.audit().verify().await, Ok(6));
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&pool)
        .await
        .expect("delete");
    assert_eq!(
        q.audit().verify().await,
        Err(AuditError::Tampered { seq: 3 })
    );
}

#[tokio::test]
async fn setting_changes_record_old_and_new_values_without_secrets_and_are_chained() {
    let (dir, q, admin) = kiosk_with_admin().await;
    let audit = q.audit();
    let key = SettingKey::new("backoffice.package-key").expect("key");
    let new_key = [0x42u8; 32];
    audit
        .record_setting_change(
            T0,
            &admin.operator,
            &key,
            &SettingValue::Unset,
            &SettingValue::fingerprint(&new_key),
        )
        .await
        .expect("recorded");
    let url = SettingKey::new("backoffice.url").expect("key");
    audit
        .record_setting_change(
            T0.plus_millis(1),
            &admin.operator,
            &url,
            &SettingValue::public("http://127.0.0.1:8443").expect("public"),
            &SettingValue::public("https://tiepnhan.example").expect("public"),
        )
        .await
        .expect("recorded");
    let entries = audit.latest(2).await.expect("latest");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].action, AuditAction::SettingChanged.as_str());
    assert_eq!(
        entries[0].subject.as_deref(),
        Some("backoffice.package-key")
    );
    let detail = entries[0].detail.clone().unwrap_or_default();
    assert_eq!(
        detail,
        format!("old=unset new={}", SettingValue::fingerprint(&new_key))
    );
    assert!(!detail.contains("4242"), "the key itself is not recorded");
    assert_eq!(
        entries[1].detail.as_deref(),
        Some("old=\"http://127.0.0.1:8443\" new=\"https://tiepnhan.example\"")
    );
    assert_eq!(audit.verify().await, Ok(4));

    // The detail is covered by the entry's hash.
    let pool = raw(&dir).await;
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .expect("drop trigger");
    sqlx::query("UPDATE audit_log SET detail = 'old=unset new=unset' WHERE seq = 3")
        .execute(&pool)
        .await
        .expect("rewrite");
    assert_eq!(audit.verify().await, Err(AuditError::Tampered { seq: 3 }));
}

#[tokio::test]
async fn the_account_list_shows_ids_roles_and_locks_never_pins() {
    let (_dir, q, admin) = kiosk_with_admin().await;
    let ops = q.operators();
    assert_eq!(
        ops.list(T0).await.expect("list").len(),
        1,
        "only the administrator"
    );
    ops.create(
        Some(&admin),
        &id("op1"),
        Role::Operator,
        Some(pin("111111")),
        T0,
    )
    .await
    .expect("operator");
    for _ in 0..enroll::operators::MAX_FAILED_ATTEMPTS {
        let _ = ops.login(&id("op1"), pin("000000"), T0).await;
    }
    let list = ops.list(T0).await.expect("list");
    let shown: Vec<_> = list
        .iter()
        .map(|a| (a.id.as_str(), a.role, a.locked))
        .collect();
    assert_eq!(
        shown,
        [
            ("admin", Role::Administrator, false),
            ("op1", Role::Operator, true)
        ]
    );
    let later = ops
        .list(T0.plus_millis(LOCKOUT_MILLIS + 1))
        .await
        .expect("list");
    assert!(later.iter().all(|a| !a.locked), "the lock ends");
    assert_eq!(
        Role::parse(Role::Supervisor.as_str()),
        Some(Role::Supervisor)
    );
    assert_eq!(Role::parse("root"), None);
}
