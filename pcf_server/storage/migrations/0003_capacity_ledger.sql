-- Capacity bookkeeping of load-aware BDT decisions, warning notifications and their
-- outbox. Rates are bit/s; slots are numbered from the Unix epoch (slot = t // length).

-- When a policy can be purged (its last window has passed), and whether it is in force.
ALTER TABLE bdt_policy ADD COLUMN window_stop REAL;  -- Unix seconds
UPDATE bdt_policy SET window_stop = CAST(strftime('%s', desired_stop) AS REAL);
ALTER TABLE bdt_policy ADD COLUMN valid INTEGER NOT NULL DEFAULT 1;
CREATE INDEX bdt_policy_window_stop ON bdt_policy (window_stop);

-- Per-area, per-slot sum of all reservations (committed and held). Decisions read only
-- these rows for the slots they look at, so their cost does not depend on how many
-- policies are stored. Every change is an UPDATE guarded by the slot's limit in the same
-- transaction (reserved + x <= limit), so no two writers, in one PCF or several sharing
-- the database, can together push a slot over its limit.
CREATE TABLE slot_load (
    area_id      TEXT NOT NULL,
    slot         INTEGER NOT NULL,
    reserved_dl  REAL NOT NULL DEFAULT 0,
    reserved_ul  REAL NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area_id, slot)
) WITHOUT ROWID;

-- What each transfer policy takes. 'held': an offered candidate, until expires_at (Unix
-- seconds); 'committed': the policy in force (selected, or the only one offered).
CREATE TABLE reservation (
    policy_id        TEXT NOT NULL,
    trans_policy_id  INTEGER NOT NULL,
    area_id          TEXT NOT NULL,
    first_slot       INTEGER NOT NULL,
    stop_slot        INTEGER NOT NULL,
    rate_dl          REAL NOT NULL,
    rate_ul          REAL NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('held', 'committed')),
    expires_at       REAL,
    PRIMARY KEY (policy_id, trans_policy_id, area_id)
) WITHOUT ROWID;
CREATE INDEX reservation_hold_expiry ON reservation (expires_at) WHERE state = 'held';
CREATE INDEX reservation_area_time ON reservation (area_id, stop_slot, first_slot);
CREATE INDEX reservation_stop ON reservation (stop_slot);

-- Operator overrides of an area's configured capacity (flat, all slots), until reset.
CREATE TABLE area_capacity (
    area_id     TEXT PRIMARY KEY,
    downlink    REAL NOT NULL,
    uplink      REAL NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Degraded periods (from NWDAF reports or the operator): capacity x factor.
CREATE TABLE degradation (
    id          INTEGER PRIMARY KEY,
    area_id     TEXT NOT NULL,
    first_slot  INTEGER NOT NULL,
    stop_slot   INTEGER NOT NULL,
    factor      REAL NOT NULL CHECK (factor >= 0),
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX degradation_area_time ON degradation (area_id, stop_slot);

-- Notifications to deliver (transactional outbox): written in the transaction that
-- invalidates the policy, deleted once the NEF has acknowledged them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_id        TEXT NOT NULL,
    uri              TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    last_error       TEXT,
    created_at       REAL NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
