-- Operator accounts and the append-only, hash-chained audit log.

CREATE TABLE operators (
    operator_id     TEXT    PRIMARY KEY,
    role            TEXT    NOT NULL CHECK (role IN ('operator', 'supervisor', 'administrator',
                                'self-service')),
    pin_hash        TEXT,            -- argon2id PHC string; NULL for the self-service account
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    created_at_ms   INTEGER NOT NULL,
    CHECK ((pin_hash IS NULL) = (role = 'self-service'))
);

-- Who did what when. `subject` is a package id, an operator id or a setting name: never
-- personal data. Each row's hash covers its fields and the previous row's hash.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT,
    prev_hash BLOB    NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB    NOT NULL CHECK (length(hash) = 32)
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
