-- The kiosk's outbox of sealed enrollment packages, and the encrypted follow-up data the local
-- screens need after the body is gone. Nothing here is plaintext personal data: `body` is a
-- sealed package (encrypted to the back office), `followup.ciphertext` is encrypted under the
-- kiosk's local data key; the other columns are ids, times, states and codes.

CREATE TABLE packages (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,   -- creation order of the outbox
    package_id          BLOB    NOT NULL UNIQUE CHECK (length(package_id) = 16),
    created_at_ms       INTEGER NOT NULL,
    device_id           TEXT    NOT NULL,
    operator_id         TEXT    NOT NULL,
    group_id            TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('queued', 'uploading', 'uploaded',
                                    'acknowledged', 'approved', 'rejected', 'activated')),
    state_changed_at_ms INTEGER NOT NULL,
    body                BLOB,                                -- NULL once purged
    body_sha256         BLOB    NOT NULL CHECK (length(body_sha256) = 32),
    body_len            INTEGER NOT NULL CHECK (body_len > 0),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_ms  INTEGER NOT NULL,
    last_error_code     TEXT,
    acknowledged_at_ms  INTEGER,
    reason_code         TEXT,                                -- rejection reason from review
    -- The body is kept exactly until the back office acknowledged the package.
    CHECK ((body IS NOT NULL) = (state IN ('queued', 'uploading', 'uploaded')))
);

CREATE INDEX packages_outbox ON packages (seq) WHERE state = 'queued';
CREATE INDEX packages_group ON packages (group_id, state);

CREATE TABLE followup (
    package_id BLOB PRIMARY KEY REFERENCES packages (package_id) ON DELETE CASCADE,
    nonce      BLOB NOT NULL CHECK (length(nonce) = 24),
    ciphertext BLOB NOT NULL
);
