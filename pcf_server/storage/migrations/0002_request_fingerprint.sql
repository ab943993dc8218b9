-- Equivalent Create requests (pcf_server.policy.equivalence) share a fingerprint; the
-- UNIQUE index makes "one policy per equivalent request" hold across every process and
-- instance using this database, whatever the timing. Rows created before this migration
-- keep NULL (UNIQUE allows many NULLs): they answer no later request with 303.
ALTER TABLE bdt_policy ADD COLUMN fingerprint TEXT;

CREATE UNIQUE INDEX bdt_policy_fingerprint ON bdt_policy (fingerprint);
