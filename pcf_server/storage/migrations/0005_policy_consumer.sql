-- Each policy belongs to the NF that created it (the sub of its access token): only that
-- consumer may read or change it, and a Create is equivalent (303) only to a policy of
-- the same consumer. Rows stored before belong to the consumer of requests without a
-- token (''), which is every request of a PCF that asks for none.
ALTER TABLE bdt_policy ADD COLUMN consumer TEXT NOT NULL DEFAULT '';
DROP INDEX bdt_policy_fingerprint;
CREATE UNIQUE INDEX bdt_policy_consumer_fingerprint ON bdt_policy (consumer, fingerprint);
