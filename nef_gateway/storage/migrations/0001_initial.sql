-- The NEF gateway's store: AF subscriptions and the PCF policies carrying them, every
-- warning the PCF sent, and the notifications to deliver to AFs (transactional outbox).

-- One row per Individual BDT Subscription (TS 29.122). JSON columns hold 3gpp-bdt
-- documents: the AF's request attributes and the offered transfer policies.
CREATE TABLE subscription (
    subscription_id          TEXT PRIMARY KEY,
    scs_as_id                TEXT NOT NULL,
    request_document         TEXT NOT NULL,
    policy_id                TEXT NOT NULL,      -- the Individual BDT policy at the PCF
    bdt_ref_id               TEXT NOT NULL,
    transfer_policies        TEXT NOT NULL,
    selected_policy          INTEGER,
    notification_destination TEXT,
    warnings                 INTEGER,            -- NULL: the AF did not say
    removable                INTEGER NOT NULL,   -- BdtNotification_5G negotiated with the PCF
    valid                    INTEGER NOT NULL DEFAULT 1,
    version                  INTEGER NOT NULL DEFAULT 0,
    created_at               REAL NOT NULL,
    updated_at               REAL NOT NULL
);
CREATE INDEX subscription_af ON subscription (scs_as_id);
CREATE INDEX subscription_ref ON subscription (bdt_ref_id);

-- Every BDT warning notification the PCF sent (TS 29.554 Notification, as received).
CREATE TABLE pcf_notification (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id  TEXT NOT NULL,
    body             TEXT NOT NULL,
    received_at      REAL NOT NULL
);
CREATE INDEX pcf_notification_subscription ON pcf_notification (subscription_id);

-- Warnings to deliver to AFs (TS 29.122 ExNotification): written in the transaction that
-- stores the PCF's notification, deleted once the AF has acknowledged them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id  TEXT NOT NULL,
    uri              TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  REAL NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    last_error       TEXT,
    created_at       REAL NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
