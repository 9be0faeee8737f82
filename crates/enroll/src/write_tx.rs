//! A write transaction that never hands a connection of uncertain state back to the pool.
//!
//! After `SQLITE_FULL` or an I/O error SQLite may already have rolled the transaction back on
//! its own; a connection reused in that state fails its next `BEGIN`. So a [`WriteTx`] that is
//! dropped without a successful commit or rollback closes its connection (closing rolls back
//! whatever is open) and the pool opens a fresh one.

use crate::queue::QueueError;
use sqlx::SqliteConnection;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{Sqlite, SqlitePool};

/// `BEGIN IMMEDIATE` … `COMMIT` on one pooled connection.
pub(crate) struct WriteTx {
    conn: PoolConnection<Sqlite>,
    finished: bool,
}

impl WriteTx {
    /// Takes the write lock at once (`BEGIN IMMEDIATE`), so reads inside see what the write
    /// will change and no other writer slips in between.
    pub(crate) async fn begin(pool: &SqlitePool) -> Result<Self, QueueError> {
        let conn = pool.acquire().await?;
        let mut tx = Self {
            conn,
            finished: false,
        };
        sqlx::query("BEGIN IMMEDIATE").execute(tx.conn()).await?;
        Ok(tx)
    }

    /// The connection, to run statements inside the transaction.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }

    /// Commits; on failure the connection is discarded when `self` drops.
    pub(crate) async fn commit(mut self) -> Result<(), QueueError> {
        sqlx::query("COMMIT").execute(self.conn()).await?;
        self.finished = true;
        Ok(())
    }

    /// Rolls back; on failure the connection is discarded when `self` drops.
    pub(crate) async fn rollback(mut self) -> Result<(), QueueError> {
        sqlx::query("ROLLBACK").execute(self.conn()).await?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if !self.finished {
            self.conn.close_on_drop();
        }
    }
}
