-- Bounds against abuse (issue 8): degradations the operator can list and remove, read
-- per slot; dead outbox rows purged; the settings a store was made under.

-- A degradation keeps the period as reported (Unix seconds; NULL for rows stored before,
-- whose slots say it) and where it came from ('operator' or 'nwdaf').
ALTER TABLE degradation ADD COLUMN start_time REAL;
ALTER TABLE degradation ADD COLUMN stop_time REAL;
ALTER TABLE degradation ADD COLUMN source TEXT NOT NULL DEFAULT 'operator';

-- The factor in force per area and slot: the lowest of the degradations covering it.
-- Decisions read these rows for the slots they look at, so their cost does not grow with
-- the number of degradations stored (12,000 of them made a Create 15 times slower when
-- every read went through them all).
CREATE TABLE degraded_slot (
    area_id  TEXT NOT NULL,
    slot     INTEGER NOT NULL,
    factor   REAL NOT NULL,
    PRIMARY KEY (area_id, slot)
) WITHOUT ROWID;

-- Passed degradations are purged by their last slot, whatever their area.
CREATE INDEX degradation_stop ON degradation (stop_slot);

-- Degradations stored before this migration are kept. One longer than 10,080 slots (a
-- week of one-minute slots, beyond any bound the PCF now accepts) can only come from a
-- forged report: it is cut to that length, and the operator can remove it.
UPDATE degradation SET stop_slot = first_slot + 10080 WHERE stop_slot - first_slot > 10080;
INSERT INTO degraded_slot (area_id, slot, factor)
WITH RECURSIVE covered (area_id, slot, stop_slot, factor) AS (
    SELECT area_id, first_slot, stop_slot, factor FROM degradation WHERE first_slot < stop_slot
    UNION ALL
    SELECT area_id, slot + 1, stop_slot, factor FROM covered WHERE slot + 1 < stop_slot
)
SELECT area_id, slot, min(factor) FROM covered GROUP BY area_id, slot;

-- Dead notifications are kept a while for the operator to see, then purged.
CREATE INDEX outbox_dead ON outbox (created_at) WHERE state = 'dead';

-- The settings that give stored rows their meaning (slot length, areas), recorded by the
-- first server to use the store; a server configured otherwise refuses to start on it.
CREATE TABLE store_setting (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
