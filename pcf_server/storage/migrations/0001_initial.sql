-- Individual BDT policies, kept as their TS 29.554 documents (the shape a UDR keeps
-- BDT data in) plus the columns that queries need.
CREATE TABLE bdt_policy (
    policy_id         TEXT PRIMARY KEY,
    bdt_ref_id        TEXT NOT NULL UNIQUE,
    asp_id            TEXT NOT NULL,
    request_document  TEXT NOT NULL,  -- BdtReqData as received (and as patched)
    policy_data       TEXT NOT NULL,  -- BdtPolicyData as last answered
    desired_start     TEXT NOT NULL,  -- UTC ISO 8601, for range queries
    desired_stop      TEXT NOT NULL,
    version           INTEGER NOT NULL,  -- optimistic concurrency control
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE INDEX bdt_policy_desired_stop ON bdt_policy (desired_stop);
