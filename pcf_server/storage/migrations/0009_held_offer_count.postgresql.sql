-- Unselected offers per consumer, counted as they are held and let go: see
-- 0009_held_offer_count.sqlite.sql for what each table and column means.

CREATE TABLE held_offer (
    policy_id  TEXT PRIMARY KEY,
    consumer   TEXT NOT NULL,
    expiry     BIGINT NOT NULL
);
CREATE INDEX held_offer_expiry ON held_offer (expiry);

CREATE TABLE held_offer_count (
    consumer  TEXT NOT NULL,
    expiry    BIGINT NOT NULL,
    n         INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (consumer, expiry)
);
CREATE INDEX held_offer_count_expiry ON held_offer_count (expiry);

INSERT INTO held_offer (policy_id, consumer, expiry)
SELECT r.policy_id, p.consumer, floor(max(r.expires_at))::BIGINT
FROM reservation AS r JOIN bdt_policy AS p ON p.policy_id = r.policy_id
WHERE r.state = 'held' AND r.expires_at IS NOT NULL
GROUP BY r.policy_id, p.consumer;
INSERT INTO held_offer_count (consumer, expiry, n)
SELECT consumer, expiry, count(*) FROM held_offer GROUP BY consumer, expiry;
