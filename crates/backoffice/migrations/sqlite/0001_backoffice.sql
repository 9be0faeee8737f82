-- The reference back office's store on SQLite (migrations/postgres holds the same tables in
-- PostgreSQL's spelling; the queries, with $n parameters, serve both). Packages stay sealed at
-- rest: `sealed` is the package as the kiosk signed it (encrypted to the back office); the
-- other columns are ids, hashes, times and codes, never personal data.

CREATE TABLE kiosks (
    device_id         TEXT   PRIMARY KEY,
    device_key        BLOB   NOT NULL,
    registered_at_ms  BIGINT NOT NULL,
    software_version  TEXT   NOT NULL,
    last_seen_ms      BIGINT,
    queue_depth       BIGINT,
    oldest_unsent_ms  BIGINT,
    last_error        TEXT,
    packages_received BIGINT NOT NULL DEFAULT 0
);

-- One-time registration tokens, stored as their SHA-256 only.
CREATE TABLE kiosk_tokens (
    token_sha256  BLOB   PRIMARY KEY,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_by       TEXT,
    used_at_ms    BIGINT
);

-- Nonces of signed requests, kept past the clock window so a request cannot be replayed.
CREATE TABLE request_nonces (
    device_id  TEXT   NOT NULL,
    nonce      BLOB   NOT NULL,
    seen_at_ms BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX request_nonces_age ON request_nonces (seen_at_ms);

-- Uploads under way: the offer, and the chunks received so far.
CREATE TABLE uploads (
    package_id    BLOB   PRIMARY KEY,
    device_id     TEXT   NOT NULL,
    sha256        BLOB   NOT NULL,
    len           BIGINT NOT NULL,
    received      BIGINT NOT NULL DEFAULT 0,
    started_at_ms BIGINT NOT NULL
);
CREATE TABLE upload_chunks (
    package_id   BLOB   NOT NULL,
    offset_bytes BIGINT NOT NULL,
    bytes        BLOB   NOT NULL,
    PRIMARY KEY (package_id, offset_bytes)
);

-- Stored packages, one row per package id, never overwritten.
CREATE TABLE packages (
    package_id        BLOB   PRIMARY KEY,
    device_id         TEXT   NOT NULL,
    device_seq        BIGINT NOT NULL,
    sha256            BLOB   NOT NULL,
    len               BIGINT NOT NULL,
    sealed            BLOB   NOT NULL,
    created_at_ms     BIGINT NOT NULL,
    received_at_ms    BIGINT NOT NULL,
    group_id          TEXT   NOT NULL,
    operator_id       TEXT   NOT NULL,
    source            TEXT   NOT NULL,
    receipt_signature BLOB   NOT NULL,
    review            TEXT   NOT NULL DEFAULT 'received',
    reviewed_at_ms    BIGINT,
    activation_due_ms BIGINT,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX packages_review ON packages (review, received_at_ms);

-- Every status change, numbered by the cursor kiosks page with.
CREATE TABLE status_log (
    cursor      INTEGER PRIMARY KEY AUTOINCREMENT,
    package_id  BLOB    NOT NULL,
    device_id   TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    at_ms       BIGINT  NOT NULL,
    approved_on TEXT,
    reason      TEXT
);
CREATE INDEX status_log_device ON status_log (device_id, cursor);

-- Offers of a known package id with other content (or from another kiosk): kept for review.
CREATE TABLE conflicts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    package_id     BLOB    NOT NULL,
    device_id      TEXT    NOT NULL,
    offered_sha256 BLOB    NOT NULL,
    at_ms          BIGINT  NOT NULL
);
