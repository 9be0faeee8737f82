-- What an audit entry changed, beyond its subject: for a setting change, the old and new value
-- as the audit log records them (a public value, or a SHA-256 fingerprint; never personal data).
-- NULL for entries that need none; an entry's hash covers it only when present, so entries
-- written before this column existed still verify.

ALTER TABLE audit_log ADD COLUMN detail TEXT;
