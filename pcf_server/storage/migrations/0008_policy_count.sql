-- How many policies each consumer keeps, counted as they are stored and removed: the
-- limit on policies per consumer reads one row, whatever the number of policies stored
-- (counting them made a Create's cost grow with the consumer's policies). The policy
-- repository and the ledger's purge keep it in the same transaction as each insert and
-- delete of bdt_policy.
CREATE TABLE policy_count (
    consumer  TEXT PRIMARY KEY,
    n         INTEGER NOT NULL CHECK (n >= 0)
);
INSERT INTO policy_count (consumer, n) SELECT consumer, count(*) FROM bdt_policy GROUP BY consumer;
