-- Every state change of every package, so reports can count by the date a state was reached
-- ("approved in the period", "activated in the period") and give the state as of any date.
-- Written in the same transaction as the change itself. Ids, states and times only: no
-- personal data. No foreign key to `packages`: status rows are never deleted, and a rebuild of
-- that table (to change its CHECKs) must not cascade into the history.

CREATE TABLE state_history (
    seq        INTEGER PRIMARY KEY,                      -- order of writing
    package_id BLOB    NOT NULL CHECK (length(package_id) = 16),
    from_state TEXT,                     -- NULL: entered the queue, or a milestone backfilled below
    to_state   TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL
);

-- "Which packages reached state S in [from, until)".
CREATE INDEX state_history_reached ON state_history (to_state, at_ms);
-- "The state of each package as of T": one package's rows in time order (the rowid, `seq`, is
-- part of every index entry, so this index covers the query).
CREATE INDEX state_history_package ON state_history (package_id, at_ms, to_state);

-- Packages queued before this table existed get the milestones their status row still shows:
-- entered the queue at creation, acknowledged when it was, the current state when reached.
-- Intermediate steps (e.g. the approval of an already activated package) are not known.
INSERT INTO state_history (package_id, from_state, to_state, at_ms)
    SELECT package_id, NULL, 'queued', created_at_ms FROM packages ORDER BY seq;
INSERT INTO state_history (package_id, from_state, to_state, at_ms)
    SELECT package_id, NULL, 'acknowledged', acknowledged_at_ms FROM packages
    WHERE acknowledged_at_ms IS NOT NULL AND state <> 'acknowledged' ORDER BY seq;
INSERT INTO state_history (package_id, from_state, to_state, at_ms)
    SELECT package_id, NULL, state, state_changed_at_ms FROM packages
    WHERE state <> 'queued' ORDER BY seq;

-- The follow-up lists page through one state in state-change order, per group or for all.
CREATE INDEX packages_state_changed ON packages (state, state_changed_at_ms, seq);
CREATE INDEX packages_group_state_changed ON packages (group_id, state, state_changed_at_ms, seq);
-- Reports count the packages created in a period.
CREATE INDEX packages_created ON packages (created_at_ms);
