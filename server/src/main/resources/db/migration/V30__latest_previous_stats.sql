-- The counters of the sample before the latest one (the latest update moves the old values here),
-- so the host view can give a per-second rate for every counter the kernel has, not only the four
-- that raw samples keep as columns. Portable to PostgreSQL: ADD COLUMN with a constant default.
-- V30: apart from the other branches' numbers (V2, V3, V20, ...).
ALTER TABLE host_latest ADD COLUMN prev_stats VARCHAR(8192) DEFAULT '{}' NOT NULL;
ALTER TABLE host_latest ADD COLUMN prev_ts BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE host_latest ADD COLUMN prev_boot_id VARCHAR(64) DEFAULT '' NOT NULL;
