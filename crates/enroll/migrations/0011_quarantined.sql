-- no-transaction
-- The `quarantined` state: a package the back office refused for good (its id already held with
-- other bytes, or invalid) keeps its body for a technician and is never sent again on its own.
-- SQLite cannot change a CHECK, so `packages` is rebuilt (SQLite's documented procedure): with
-- foreign keys off, or dropping the old table would cascade into `followup`; in one explicit
-- transaction, so a crash leaves the old table or the new one. Rows, ids and `seq` are copied
-- as they are (no package row is ever deleted, so AUTOINCREMENT's counter is max(seq)).

PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE packages_rebuilt (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    package_id          BLOB    NOT NULL UNIQUE CHECK (length(package_id) = 16),
    created_at_ms       INTEGER NOT NULL,
    device_id           TEXT    NOT NULL,
    operator_id         TEXT    NOT NULL,
    group_id            TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('queued', 'uploading', 'uploaded',
                                    'quarantined', 'acknowledged', 'approved', 'rejected',
                                    'activated')),
    state_changed_at_ms INTEGER NOT NULL,
    body                BLOB,
    body_sha256         BLOB    NOT NULL CHECK (length(body_sha256) = 32),
    body_len            INTEGER NOT NULL CHECK (body_len > 0),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_ms  INTEGER NOT NULL,
    last_error_code     TEXT,
    acknowledged_at_ms  INTEGER,
    reason_code         TEXT,
    -- The body is kept until the back office acknowledged the package, and while quarantined.
    CHECK ((body IS NOT NULL) = (state IN ('queued', 'uploading', 'uploaded', 'quarantined')))
);

INSERT INTO packages_rebuilt (seq, package_id, created_at_ms, device_id, operator_id, group_id,
        state, state_changed_at_ms, body, body_sha256, body_len, attempts, next_attempt_at_ms,
        last_error_code, acknowledged_at_ms, reason_code)
    SELECT seq, package_id, created_at_ms, device_id, operator_id, group_id, state,
        state_changed_at_ms, body, body_sha256, body_len, attempts, next_attempt_at_ms,
        last_error_code, acknowledged_at_ms, reason_code
    FROM packages ORDER BY seq;

DROP TABLE packages;
ALTER TABLE packages_rebuilt RENAME TO packages;

CREATE INDEX packages_outbox ON packages (seq) WHERE state = 'queued';
CREATE INDEX packages_group ON packages (group_id, state);
CREATE INDEX packages_state_changed ON packages (state, state_changed_at_ms, seq);
CREATE INDEX packages_group_state_changed ON packages (group_id, state, state_changed_at_ms, seq);
CREATE INDEX packages_created ON packages (created_at_ms);

COMMIT;
PRAGMA foreign_keys = ON;
