-- Unselected offers per consumer, counted as they are held and let go: the limit on
-- held offers reads the consumer's rows of held_offer_count, at most one per second of
-- the hold time, whatever the number of holds (walking the live holds made a Create's
-- cost grow with them, about 14 ms at 3,000). The ledger keeps both tables in the same
-- transaction as each change of a policy's held reservations (``storage.holds``).

-- One row per policy with held reservations: its consumer and the whole second (Unix,
-- rounded down) in which its last hold expires.
CREATE TABLE held_offer (
    policy_id  TEXT PRIMARY KEY,
    consumer   TEXT NOT NULL,
    expiry     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX held_offer_expiry ON held_offer (expiry);

-- How many rows of held_offer each consumer has per second of expiry.
CREATE TABLE held_offer_count (
    consumer  TEXT NOT NULL,
    expiry    INTEGER NOT NULL,
    n         INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (consumer, expiry)
) WITHOUT ROWID;
CREATE INDEX held_offer_count_expiry ON held_offer_count (expiry);

-- The holds a store already has (expired ones too: purging forgets them).
INSERT INTO held_offer (policy_id, consumer, expiry)
SELECT r.policy_id, p.consumer, CAST(max(r.expires_at) AS INTEGER)
FROM reservation AS r JOIN bdt_policy AS p ON p.policy_id = r.policy_id
WHERE r.state = 'held' AND r.expires_at IS NOT NULL
GROUP BY r.policy_id, p.consumer;
INSERT INTO held_offer_count (consumer, expiry, n)
SELECT consumer, expiry, count(*) FROM held_offer GROUP BY consumer, expiry;
