//! The queue's state history and the reads reports make of it: every state change is written
//! to `state_history` in the same transaction as the change, so a report can count the packages
//! that **reached** a state in a period ("approved in the period") and the state each package
//! **had** at a given time (cumulative reports as of a date). Also the paged reads of the
//! follow-up lists and the batch read of their sealed records.
//!
//! Ids, states and times only: nothing here reads or writes personal data in the clear.

use super::{Dimension, PackageStatus, Queue, QueueError, corrupt, package_id_of, status_of};
use crate::ids::GroupId;
use crate::local_key::LocalSealed;
use crate::package::PackageId;
use crate::state::EnrollmentState;
use crate::timestamp::Timestamp;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;

/// One recorded state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange {
    /// The state before; `None` when the package entered the queue, or for a milestone
    /// backfilled when the history table was created.
    pub from: Option<EnrollmentState>,
    /// The state reached.
    pub to: EnrollmentState,
    /// When.
    pub at: Timestamp,
}

/// The order of a page of status rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOrder {
    /// Creation order (the outbox order).
    Created,
    /// Oldest state change first (who has waited longest since approval or rejection).
    StateChanged,
}

/// Writes one state change inside the caller's transaction.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    id: PackageId,
    from: Option<EnrollmentState>,
    to: EnrollmentState,
    at: Timestamp,
) -> Result<(), QueueError> {
    sqlx::query(
        "INSERT INTO state_history (package_id, from_state, to_state, at_ms) VALUES (?, ?, ?, ?)",
    )
    .bind(id.to_bytes().as_slice())
    .bind(from.map(EnrollmentState::as_str))
    .bind(to.as_str())
    .bind(at.unix_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// The same query three times, once per dimension's column (SQL stays static text).
macro_rules! per_dimension {
    ($dimension:expr, $before:literal, $after:literal) => {
        match $dimension {
            Dimension::Group => concat!($before, "p.group_id", $after),
            Dimension::Operator => concat!($before, "p.operator_id", $after),
            Dimension::Device => concat!($before, "p.device_id", $after),
        }
    };
}

fn state_of(row: &SqliteRow) -> Result<EnrollmentState, QueueError> {
    let state: String = row.try_get("state")?;
    state.parse().map_err(|_| corrupt("state"))
}

fn count_of(row: &SqliteRow) -> Result<u64, QueueError> {
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

fn keyed_counts(rows: &[SqliteRow]) -> Result<Vec<(String, EnrollmentState, u64)>, QueueError> {
    rows.iter()
        .map(|row| Ok((row.try_get("key")?, state_of(row)?, count_of(row)?)))
        .collect()
}

/// A count per residential group, operator, device and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedCount {
    /// The residential group.
    pub group: String,
    /// The operator.
    pub operator: String,
    /// The kiosk.
    pub device: String,
    /// The state.
    pub state: EnrollmentState,
    /// How many packages.
    pub n: u64,
}

fn keyed_count(row: &SqliteRow) -> Result<KeyedCount, QueueError> {
    Ok(KeyedCount {
        group: row.try_get("group_id")?,
        operator: row.try_get("operator_id")?,
        device: row.try_get("device_id")?,
        state: state_of(row)?,
        n: count_of(row)?,
    })
}

/// `?, ?, …` for `n` bound values (placeholders only: values are always bound).
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Queue {
    /// The recorded state changes of a package, oldest first.
    pub async fn history(&self, id: PackageId) -> Result<Vec<StateChange>, QueueError> {
        let rows = sqlx::query(
            "SELECT from_state, to_state, at_ms FROM state_history WHERE package_id = ? \
             ORDER BY seq",
        )
        .bind(id.to_bytes().as_slice())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let from: Option<String> = row.try_get("from_state")?;
                let to: String = row.try_get("to_state")?;
                Ok(StateChange {
                    from: from
                        .map(|s| s.parse().map_err(|_| corrupt("state")))
                        .transpose()?,
                    to: to.parse().map_err(|_| corrupt("state"))?,
                    at: Timestamp::from_unix_millis(row.try_get("at_ms")?),
                })
            })
            .collect()
    }

    /// How many packages reached each state in `[from, until)`, per residential group,
    /// operator or device (of the package): "approved in the period", "activated in the
    /// period". A package that reached a state twice (queued again after a failed upload)
    /// counts once.
    pub async fn reached_by(
        &self,
        dimension: Dimension,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(String, EnrollmentState, u64)>, QueueError> {
        let sql = per_dimension!(
            dimension,
            "SELECT ",
            " AS key, h.to_state AS state, count(DISTINCT h.package_id) AS n \
             FROM state_history h JOIN packages p ON p.package_id = h.package_id \
             WHERE h.at_ms >= ? AND h.at_ms < ? GROUP BY 1, 2 ORDER BY 1"
        );
        let rows = sqlx::query(sql)
            .bind(from.unix_millis())
            .bind(until.unix_millis())
            .fetch_all(&self.pool)
            .await?;
        keyed_counts(&rows)
    }

    /// Packages created in `[from, until)` per residential group, operator, device and current
    /// state, in one pass: the three dimensions of a report from one query.
    pub async fn created_all(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<KeyedCount>, QueueError> {
        let rows = sqlx::query(
            "SELECT group_id, operator_id, device_id, state, count(*) AS n FROM packages \
             WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY 1, 2, 3, 4",
        )
        .bind(from.unix_millis())
        .bind(until.unix_millis())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(keyed_count).collect()
    }

    /// Packages that reached each state in `[from, until)` per residential group, operator and
    /// device, in one pass over the period's history ([`Self::reached_by`] for all three).
    pub async fn reached_all(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<KeyedCount>, QueueError> {
        let rows = sqlx::query(
            "SELECT p.group_id, p.operator_id, p.device_id, h.to_state AS state, \
             count(DISTINCT h.package_id) AS n \
             FROM state_history h JOIN packages p ON p.package_id = h.package_id \
             WHERE h.at_ms >= ? AND h.at_ms < ? GROUP BY 1, 2, 3, 4",
        )
        .bind(from.unix_millis())
        .bind(until.unix_millis())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(keyed_count).collect()
    }

    /// How many packages created in `[created_from, created_until)` were in each state just
    /// before `as_of`, per residential group, operator or device: a cumulative report as of a
    /// date. A package whose last change came before `as_of` stood then where it stands now;
    /// only the others are looked up in the history (a report for a recent period reads few
    /// history rows). A package with no recorded change before `as_of` counts as queued.
    pub async fn counts_as_of(
        &self,
        dimension: Dimension,
        created_from: Timestamp,
        created_until: Timestamp,
        as_of: Timestamp,
    ) -> Result<Vec<(String, EnrollmentState, u64)>, QueueError> {
        macro_rules! as_of_sql {
            ($key:literal) => {
                concat!(
                    "SELECT key, state, sum(n) AS n FROM ( \
                       SELECT ",
                    $key,
                    " AS key, p.state AS state, count(*) AS n FROM packages p \
                       WHERE p.created_at_ms >= ?1 AND p.created_at_ms < ?2 \
                         AND p.state_changed_at_ms < ?3 GROUP BY 1, 2 \
                     UNION ALL \
                       SELECT ",
                    $key,
                    " AS key, coalesce((SELECT h.to_state FROM state_history h \
                           WHERE h.package_id = p.package_id AND h.at_ms < ?3 \
                           ORDER BY h.at_ms DESC, h.seq DESC LIMIT 1), 'queued') AS state, \
                         count(*) AS n FROM packages p \
                       WHERE p.created_at_ms >= ?1 AND p.created_at_ms < ?2 \
                         AND p.state_changed_at_ms >= ?3 GROUP BY 1, 2 \
                     ) GROUP BY 1, 2 ORDER BY 1"
                )
            };
        }
        let sql = match dimension {
            Dimension::Group => as_of_sql!("p.group_id"),
            Dimension::Operator => as_of_sql!("p.operator_id"),
            Dimension::Device => as_of_sql!("p.device_id"),
        };
        let rows = sqlx::query(sql)
            .bind(created_from.unix_millis())
            .bind(created_until.unix_millis())
            .bind(as_of.unix_millis())
            .fetch_all(&self.pool)
            .await?;
        keyed_counts(&rows)
    }

    /// Packages created in `[from, until)` per local day: `(day, n)` where `day` counts days
    /// since 1970-01-01 in the time zone `utc_offset_millis` east of UTC. Days without any
    /// are absent.
    pub async fn created_per_day(
        &self,
        from: Timestamp,
        until: Timestamp,
        utc_offset_millis: i64,
    ) -> Result<Vec<(i64, u64)>, QueueError> {
        let rows = sqlx::query(
            "SELECT (created_at_ms + ?3) / 86400000 AS day, count(*) AS n FROM packages \
             WHERE created_at_ms >= ?1 AND created_at_ms < ?2 GROUP BY day ORDER BY day",
        )
        .bind(from.unix_millis())
        .bind(until.unix_millis())
        .bind(utc_offset_millis)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("day")?, count_of(row)?)))
            .collect()
    }

    /// Packages that reached `state` in `[from, until)` per local day, as [`Self::created_per_day`].
    pub async fn reached_per_day(
        &self,
        state: EnrollmentState,
        from: Timestamp,
        until: Timestamp,
        utc_offset_millis: i64,
    ) -> Result<Vec<(i64, u64)>, QueueError> {
        let rows = sqlx::query(
            "SELECT (at_ms + ?4) / 86400000 AS day, count(DISTINCT package_id) AS n \
             FROM state_history WHERE to_state = ?1 AND at_ms >= ?2 AND at_ms < ?3 \
             GROUP BY day ORDER BY day",
        )
        .bind(state.as_str())
        .bind(from.unix_millis())
        .bind(until.unix_millis())
        .bind(utc_offset_millis)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("day")?, count_of(row)?)))
            .collect()
    }

    /// One page of the status rows in `states` (optionally of one residential group): at most
    /// `limit` rows after skipping `offset`, in `order`. Indexed for one state in state-change
    /// order, with or without a group.
    pub async fn page_in_states(
        &self,
        states: &[EnrollmentState],
        group: Option<&GroupId>,
        order: PageOrder,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<PackageStatus>, QueueError> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let order_by = match order {
            PageOrder::Created => "seq",
            PageOrder::StateChanged => "state_changed_at_ms, seq",
        };
        let group_filter = if group.is_some() {
            "AND group_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "{} WHERE state IN ({}) {group_filter} ORDER BY {order_by} LIMIT ? OFFSET ?",
            select_status!(""),
            placeholders(states.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for state in states {
            query = query.bind(state.as_str());
        }
        if let Some(g) = group {
            query = query.bind(g.as_str());
        }
        let rows = query
            .bind(i64::from(limit))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(status_of).collect()
    }

    /// How many status rows are in `states` (optionally of one group): a list's length.
    pub async fn count_in_states(
        &self,
        states: &[EnrollmentState],
        group: Option<&GroupId>,
    ) -> Result<u64, QueueError> {
        if states.is_empty() {
            return Ok(0);
        }
        let group_filter = if group.is_some() {
            "AND group_id = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT count(*) FROM packages WHERE state IN ({}) {group_filter}",
            placeholders(states.len())
        );
        let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
        for state in states {
            query = query.bind(state.as_str());
        }
        if let Some(g) = group {
            query = query.bind(g.as_str());
        }
        let n = query.fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The sealed follow-up records of `ids` in one read (packages without one are absent).
    pub async fn followups(
        &self,
        ids: &[PackageId],
    ) -> Result<HashMap<PackageId, LocalSealed>, QueueError> {
        let mut out = HashMap::with_capacity(ids.len());
        // Bound parameters are limited (32,766 by default): read in chunks.
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT package_id, nonce, ciphertext FROM followup WHERE package_id IN ({})",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.to_bytes().to_vec());
            }
            for row in query.fetch_all(&self.pool).await? {
                let id = package_id_of(&row)?;
                let nonce: Vec<u8> = row.try_get("nonce")?;
                let ciphertext: Vec<u8> = row.try_get("ciphertext")?;
                let sealed = LocalSealed::from_parts(&nonce, ciphertext)
                    .ok_or_else(|| corrupt("follow-up nonce"))?;
                out.insert(id, sealed);
            }
        }
        Ok(out)
    }
}
