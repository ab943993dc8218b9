-- The PCF among other NFs: its NF instance id at the NRF, the NWDAF subscriptions it
-- holds, and when an invalidated policy's warning reached its NEF.

-- One NF instance id per PCF instance (TS 29.510 nfInstanceId), kept across restarts so
-- that the NRF sees the same instance come back. Instances sharing this database tell
-- themselves apart by the apiRoot they serve.
CREATE TABLE nf_instance (
    api_root        TEXT PRIMARY KEY,
    nf_instance_id  TEXT NOT NULL UNIQUE
);

-- The Nnwdaf_EventsSubscription subscriptions the PCF created: one per area that has
-- policies in force. ``body`` is the NnwdafEventsSubscription last accepted by the
-- NWDAF; ``refreshed_at`` (Unix seconds) when it last answered for it.
CREATE TABLE nwdaf_subscription (
    area_id          TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL UNIQUE,
    resource_uri     TEXT NOT NULL,
    body             TEXT NOT NULL,
    refreshed_at     REAL NOT NULL
);

-- Which PCF instance sharing this database keeps the NWDAF subscriptions, until when.
CREATE TABLE nwdaf_keeper (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,
    expires_at  REAL NOT NULL
);

-- When a policy was invalidated by a warning (Unix seconds; NULL while valid), and when
-- the PCF first saw its notification delivered or given up (TS 23.502 4.16.7.3 NOTE 3
-- counts the NEF's time to answer from the notification).
ALTER TABLE bdt_policy ADD COLUMN invalidated_at REAL;
ALTER TABLE bdt_policy ADD COLUMN notified_at REAL;
CREATE INDEX bdt_policy_unanswered ON bdt_policy (notified_at) WHERE valid = 0;
