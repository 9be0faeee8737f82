-- The reference back office's store on PostgreSQL: the same tables as migrations/sqlite (0001
-- and 0002), in PostgreSQL's spelling (BYTEA for BLOB, identity columns for AUTOINCREMENT).
-- Packages stay sealed at rest; the other columns are ids, hashes, times and codes.

CREATE TABLE kiosks (
    device_id         TEXT   PRIMARY KEY,
    device_key        BYTEA  NOT NULL,
    registered_at_ms  BIGINT NOT NULL,
    software_version  TEXT   NOT NULL,
    last_seen_ms      BIGINT,
    queue_depth       BIGINT,
    oldest_unsent_ms  BIGINT,
    last_error        TEXT,
    packages_received BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE kiosk_tokens (
    token_sha256  BYTEA  PRIMARY KEY,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_by       TEXT,
    used_at_ms    BIGINT
);

CREATE TABLE request_nonces (
    device_id  TEXT   NOT NULL,
    nonce      BYTEA  NOT NULL,
    seen_at_ms BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX request_nonces_age ON request_nonces (seen_at_ms);

CREATE TABLE uploads (
    package_id    BYTEA  PRIMARY KEY,
    device_id     TEXT   NOT NULL,
    sha256        BYTEA  NOT NULL,
    len           BIGINT NOT NULL,
    received      BIGINT NOT NULL DEFAULT 0,
    started_at_ms BIGINT NOT NULL
);
CREATE TABLE upload_chunks (
    package_id   BYTEA  NOT NULL,
    offset_bytes BIGINT NOT NULL,
    bytes        BYTEA  NOT NULL,
    PRIMARY KEY (package_id, offset_bytes)
);

CREATE TABLE packages (
    package_id        BYTEA  PRIMARY KEY,
    device_id         TEXT   NOT NULL,
    device_seq        BIGINT NOT NULL,
    sha256            BYTEA  NOT NULL,
    len               BIGINT NOT NULL,
    sealed            BYTEA  NOT NULL,
    created_at_ms     BIGINT NOT NULL,
    received_at_ms    BIGINT NOT NULL,
    group_id          TEXT   NOT NULL,
    operator_id       TEXT   NOT NULL,
    source            TEXT   NOT NULL,
    receipt_signature BYTEA  NOT NULL,
    review            TEXT   NOT NULL DEFAULT 'received',
    reviewed_at_ms    BIGINT,
    activation_due_ms BIGINT,
    passive_auth      TEXT,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX packages_review ON packages (review, received_at_ms);

CREATE TABLE status_log (
    cursor      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    package_id  BYTEA  NOT NULL,
    device_id   TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    at_ms       BIGINT NOT NULL,
    approved_on TEXT,
    reason      TEXT
);
CREATE INDEX status_log_device ON status_log (device_id, cursor);

CREATE TABLE conflicts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    package_id     BYTEA  NOT NULL,
    device_id      TEXT   NOT NULL,
    offered_sha256 BYTEA  NOT NULL,
    at_ms          BIGINT NOT NULL
);
