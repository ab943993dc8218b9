-- Only what some query reads is stored. The desired window's instants are in
-- request_document (and window_stop is what purging uses), a degradation is known by
-- its area, slots and factor, and aggregate rows are guarded by their values, not by a
-- version; and no query asks when a row last changed.
DROP INDEX bdt_policy_desired_stop;
ALTER TABLE bdt_policy DROP COLUMN desired_start;
ALTER TABLE bdt_policy DROP COLUMN desired_stop;
ALTER TABLE bdt_policy DROP COLUMN updated_at;
ALTER TABLE slot_load DROP COLUMN version;
ALTER TABLE degradation DROP COLUMN source;
ALTER TABLE degradation DROP COLUMN created_at;
ALTER TABLE area_capacity DROP COLUMN updated_at;
