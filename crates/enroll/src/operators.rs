//! Operator accounts: who may use the kiosk and for what.
//!
//! Roles: operator (enrolls, sees follow-up lists), supervisor (also exports reports and manages
//! operators), administrator (everything, including device settings), and the self-service
//! device account, which can only enroll and has no PIN. PINs are hashed with Argon2id (PHC
//! string, random salt); five wrong PINs in a row lock the account for 15 minutes. Every login,
//! failure, lockout and account creation is written to the audit log.

use crate::audit::{self, AuditAction};
use crate::ids::OperatorId;
use crate::queue::QueueError;
use crate::timestamp::Timestamp;
use crate::write_tx::WriteTx;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;
use std::fmt;
use zeroize::Zeroizing;

/// Wrong PINs in a row before the account locks.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MILLIS: i64 = 15 * 60 * 1000;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Counter staff: enroll, see follow-up lists.
    Operator,
    /// Reviews, exports reports, manages operators.
    Supervisor,
    /// Configures the device; may do everything.
    Administrator,
    /// The touchscreen station's own account: enroll only, no PIN.
    SelfService,
}

/// Something an account may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Run an enrollment.
    Enroll,
    /// See the follow-up lists (names and phones).
    ViewFollowUp,
    /// Export reports and lists.
    Export,
    /// Create operator accounts.
    ManageOperators,
    /// Change device settings (back office, trust store, groups, targets).
    Configure,
}

impl Role {
    /// Whether this role has `permission`.
    pub fn permits(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::SelfService => permission == Enroll,
            Role::Operator => matches!(permission, Enroll | ViewFollowUp),
            Role::Supervisor => permission != Configure,
            Role::Administrator => true,
        }
    }

    /// The role's name as stored and as the command line takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
            Role::SelfService => "self-service",
        }
    }

    /// The role named `s` ([`Self::as_str`]), if any.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Role::Operator,
            Role::Supervisor,
            Role::Administrator,
            Role::SelfService,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A PIN: 6 to 12 digits. Wiped on drop, never shown.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Checks the PIN's format.
    pub fn new(pin: &str) -> Result<Self, OperatorError> {
        if (6..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(Zeroizing::new(pin.to_owned())))
        } else {
            Err(OperatorError::PinFormat)
        }
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<secret>)")
    }
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The PIN is not 6–12 digits.
    #[error("the PIN must have 6 to 12 digits")]
    PinFormat,
    /// Unknown account or wrong PIN (deliberately not told apart).
    #[error("wrong operator or PIN")]
    WrongCredentials,
    /// Too many wrong PINs: locked until the given time.
    #[error("the account is locked after repeated wrong PINs; try again later")]
    LockedOut {
        /// When the lock ends.
        until: Timestamp,
    },
    /// The account already exists.
    #[error("an operator with this id already exists")]
    AlreadyExists,
    /// The acting session may not do this.
    #[error("this account may not do that")]
    NotPermitted,
    /// Hashing the PIN failed.
    #[error("the PIN could not be hashed")]
    Hash,
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] QueueError),
}

impl OperatorError {
    /// What to tell the operator, in Vietnamese (the `Display` text is English).
    pub fn message_vi(&self) -> &'static str {
        match self {
            OperatorError::PinFormat => "Mã PIN phải gồm 6 đến 12 chữ số.",
            OperatorError::WrongCredentials => "Sai tên đăng nhập hoặc mã PIN.",
            OperatorError::LockedOut { .. } => {
                "Tài khoản tạm khóa 15 phút do nhập sai mã PIN nhiều lần; vui lòng thử lại sau."
            }
            OperatorError::AlreadyExists => "Tên đăng nhập này đã tồn tại.",
            OperatorError::NotPermitted => "Tài khoản này không có quyền thực hiện thao tác đó.",
            OperatorError::Hash => "Không thể xử lý mã PIN; vui lòng thử lại.",
            OperatorError::Storage(e) => e.message_vi(),
        }
    }
}

impl From<sqlx::Error> for OperatorError {
    fn from(e: sqlx::Error) -> Self {
        Self::Storage(e.into())
    }
}

/// A logged-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who.
    pub operator: OperatorId,
    /// With which role.
    pub role: Role,
}

impl Session {
    /// `Ok` if this session's role has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), OperatorError> {
        if self.role.permits(permission) {
            Ok(())
        } else {
            Err(OperatorError::NotPermitted)
        }
    }
}

/// One account as [`Operators::list`] shows it (never its PIN hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's id.
    pub id: OperatorId,
    /// Its role.
    pub role: Role,
    /// Whether repeated wrong PINs have locked it for now.
    pub locked: bool,
}

/// The operator accounts of the kiosk database.
#[derive(Debug, Clone)]
pub struct Operators {
    pub(crate) pool: SqlitePool,
}

async fn hash_pin(pin: Pin) -> Result<String, OperatorError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pin.0.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| OperatorError::Hash)
    })
    .await
    .map_err(|_| OperatorError::Hash)?
}

/// A PHC hash of a random PIN with the default parameters, made once, to verify against when
/// the operator id is unknown.
async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            let mut random = [0u8; 16];
            let _ = getrandom::fill(&mut random);
            let pin: String = random.iter().map(|b| char::from(b'0' + b % 10)).collect();
            match Pin::new(pin.get(..12).unwrap_or("000000000000")) {
                Ok(pin) => hash_pin(pin).await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        })
        .await
        .clone()
}

async fn pin_matches(pin: Pin, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(pin.0.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

impl Operators {
    /// Creates an account. On a kiosk with no accounts yet, the first one must be an
    /// administrator and needs no session; afterwards `by` must be allowed to manage operators
    /// (and only an administrator creates supervisors and administrators). The self-service
    /// account takes no PIN; every other account must have one.
    pub async fn create(
        &self,
        by: Option<&Session>,
        id: &OperatorId,
        role: Role,
        pin: Option<Pin>,
        now: Timestamp,
    ) -> Result<(), OperatorError> {
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM operators")
            .fetch_one(&self.pool)
            .await?;
        let actor = match by {
            None if existing == 0 && role == Role::Administrator => id.as_str().to_owned(),
            None => return Err(OperatorError::NotPermitted),
            Some(session) => {
                session.require(Permission::ManageOperators)?;
                if matches!(role, Role::Supervisor | Role::Administrator)
                    && session.role != Role::Administrator
                {
                    return Err(OperatorError::NotPermitted);
                }
                session.operator.as_str().to_owned()
            }
        };
        let pin_hash = match (role, pin) {
            (Role::SelfService, None) => None,
            (Role::SelfService, Some(_)) | (_, None) => return Err(OperatorError::PinFormat),
            (_, Some(pin)) => Some(hash_pin(pin).await?),
        };
        let mut tx = WriteTx::begin(&self.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO operators (operator_id, role, pin_hash, created_at_ms) VALUES (?, ?, ?, ?) \
             ON CONFLICT (operator_id) DO NOTHING",
        )
        .bind(id.as_str())
        .bind(role.as_str())
        .bind(pin_hash)
        .bind(now.unix_millis())
        .execute(tx.conn())
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(OperatorError::AlreadyExists);
        }
        audit::append_in(
            tx.conn(),
            now,
            &actor,
            AuditAction::OperatorCreated,
            Some(id.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Logs in with a PIN. Wrong PINs count towards the lockout; a success resets the count.
    pub async fn login(
        &self,
        id: &OperatorId,
        pin: Pin,
        now: Timestamp,
    ) -> Result<Session, OperatorError> {
        let row = sqlx::query(
            "SELECT role, pin_hash, failed_attempts, locked_until_ms FROM operators \
             WHERE operator_id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Spend the same Argon2 work as a real check, so timing does not tell which
            // operator ids exist.
            let _ = pin_matches(pin, dummy_hash().await).await;
            self.log(now, audit::SYSTEM_ACTOR, AuditAction::LoginFailed, None)
                .await?;
            return Err(OperatorError::WrongCredentials);
        };
        let role = Role::parse(&row.try_get::<String, _>("role")?)
            .ok_or_else(|| QueueError::Corrupt("a stored role is invalid".into()))?;
        let phc: Option<String> = row.try_get("pin_hash")?;
        let locked_until: Option<i64> = row.try_get("locked_until_ms")?;
        if let Some(until) = locked_until.filter(|u| *u > now.unix_millis()) {
            self.log(
                now,
                id.as_str(),
                AuditAction::LoginFailed,
                Some(id.as_str()),
            )
            .await?;
            return Err(OperatorError::LockedOut {
                until: Timestamp::from_unix_millis(until),
            });
        }
        let Some(phc) = phc else {
            self.log(
                now,
                id.as_str(),
                AuditAction::LoginFailed,
                Some(id.as_str()),
            )
            .await?;
            return Err(OperatorError::WrongCredentials);
        };
        if pin_matches(pin, phc).await {
            let mut tx = WriteTx::begin(&self.pool).await?;
            sqlx::query(
                "UPDATE operators SET failed_attempts = 0, locked_until_ms = NULL \
                 WHERE operator_id = ?",
            )
            .bind(id.as_str())
            .execute(tx.conn())
            .await?;
            audit::append_in(tx.conn(), now, id.as_str(), AuditAction::Login, None).await?;
            tx.commit().await?;
            return Ok(Session {
                operator: id.clone(),
                role,
            });
        }
        let mut tx = WriteTx::begin(&self.pool).await?;
        let failed: i64 = sqlx::query_scalar(
            "UPDATE operators SET failed_attempts = failed_attempts + 1 WHERE operator_id = ? \
             RETURNING failed_attempts",
        )
        .bind(id.as_str())
        .fetch_one(tx.conn())
        .await?;
        let result = if failed >= MAX_FAILED_ATTEMPTS {
            let until = now.plus_millis(LOCKOUT_MILLIS);
            sqlx::query(
                "UPDATE operators SET failed_attempts = 0, locked_until_ms = ? \
                 WHERE operator_id = ?",
            )
            .bind(until.unix_millis())
            .bind(id.as_str())
            .execute(tx.conn())
            .await?;
            audit::append_in(
                tx.conn(),
                now,
                id.as_str(),
                AuditAction::LockedOut,
                Some(id.as_str()),
            )
            .await?;
            Err(OperatorError::LockedOut { until })
        } else {
            audit::append_in(
                tx.conn(),
                now,
                id.as_str(),
                AuditAction::LoginFailed,
                Some(id.as_str()),
            )
            .await?;
            Err(OperatorError::WrongCredentials)
        };
        tx.commit().await?;
        result
    }

    /// Every account, by id, with its role and whether it is locked at `now`.
    pub async fn list(&self, now: Timestamp) -> Result<Vec<Account>, OperatorError> {
        let rows = sqlx::query(
            "SELECT operator_id, role, locked_until_ms FROM operators ORDER BY operator_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id = OperatorId::new(row.try_get::<String, _>("operator_id")?)
                    .map_err(|_| QueueError::Corrupt("a stored operator id is invalid".into()))?;
                let role = Role::parse(&row.try_get::<String, _>("role")?)
                    .ok_or_else(|| QueueError::Corrupt("a stored role is invalid".into()))?;
                let locked_until: Option<i64> = row.try_get("locked_until_ms")?;
                Ok(Account {
                    id,
                    role,
                    locked: locked_until.is_some_and(|u| u > now.unix_millis()),
                })
            })
            .collect()
    }

    /// The session of the self-service device account `id` (which has no PIN).
    pub async fn self_service_session(&self, id: &OperatorId) -> Result<Session, OperatorError> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM operators WHERE operator_id = ?")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        match role.as_deref().and_then(Role::parse) {
            Some(Role::SelfService) => Ok(Session {
                operator: id.clone(),
                role: Role::SelfService,
            }),
            _ => Err(OperatorError::WrongCredentials),
        }
    }

    async fn log(
        &self,
        now: Timestamp,
        actor: &str,
        action: AuditAction,
        subject: Option<&str>,
    ) -> Result<(), OperatorError> {
        let mut tx = WriteTx::begin(&self.pool).await?;
        audit::append_in(tx.conn(), now, actor, action, subject).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_widening_permissions() {
        use Permission::*;
        let all = [Enroll, ViewFollowUp, Export, ManageOperators, Configure];
        let granted = |r: Role| {
            all.into_iter()
                .filter(|p| r.permits(*p))
                .collect::<Vec<_>>()
        };
        assert_eq!(granted(Role::SelfService), [Enroll]);
        assert_eq!(granted(Role::Operator), [Enroll, ViewFollowUp]);
        assert_eq!(
            granted(Role::Supervisor),
            [Enroll, ViewFollowUp, Export, ManageOperators]
        );
        assert_eq!(granted(Role::Administrator), all);
    }

    #[test]
    fn login_errors_have_a_vietnamese_message() {
        for e in [
            OperatorError::PinFormat,
            OperatorError::WrongCredentials,
            OperatorError::LockedOut {
                until: Timestamp::from_unix_millis(0),
            },
            OperatorError::NotPermitted,
            OperatorError::Storage(QueueError::DiskFull),
        ] {
            assert!(!e.message_vi().is_empty());
            assert_ne!(e.message_vi(), e.to_string());
        }
        assert_eq!(
            OperatorError::Storage(QueueError::DiskFull).message_vi(),
            QueueError::DiskFull.message_vi()
        );
    }

    #[test]
    fn pins_are_six_to_twelve_digits_and_never_shown() {
        assert!(matches!(Pin::new("12345"), Err(OperatorError::PinFormat)));
        assert!(matches!(
            Pin::new("1234567890123"),
            Err(OperatorError::PinFormat)
        ));
        assert!(matches!(Pin::new("12345a"), Err(OperatorError::PinFormat)));
        let pin = Pin::new("246810").map(|p| format!("{p:?}"));
        assert_eq!(pin.ok().as_deref(), Some("Pin(<secret>)"));
    }
}
