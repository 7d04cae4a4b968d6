-- Raw samples keep only what the key does not already say, and nothing no query reads:
--   host_ref and ts are id / 2^42 and MOD(id, 2^42) (SampleKey), so storing them again cost a
--   second copy of the key in every row (measured in StorageBench at 1000 hosts: the rows are most
--   of the file, and the file missed its 60 B per raw sample goal);
--   ct_buckets changes only when an operator resizes the hash table, host_latest keeps the current
--   value, and no history query ever read it from here.
-- The view raw_samples gives the old columns back for people and tests reading the table by hand.
-- A new table filled in key order, as V31 did, rather than ALTER ... DROP COLUMN.
-- Portable to PostgreSQL (CREATE, INSERT ... SELECT, RENAME, CREATE VIEW, integer / and MOD).
CREATE TABLE samples_lean (
    id             BIGINT NOT NULL,
    status         SMALLINT NOT NULL,
    ct_count       BIGINT NOT NULL,
    ct_max         BIGINT NOT NULL,
    boot           INTEGER NOT NULL,
    drop_total     BIGINT NOT NULL,
    early_drop     BIGINT NOT NULL,
    insert_failed  BIGINT NOT NULL,
    invalid        BIGINT NOT NULL,
    source         SMALLINT DEFAULT 0 NOT NULL,
    CONSTRAINT samples_lean_pk PRIMARY KEY (id)
);

INSERT INTO samples_lean (id, status, ct_count, ct_max, boot, drop_total, early_drop, insert_failed, invalid, source)
SELECT id, status, ct_count, ct_max, boot, drop_total, early_drop, insert_failed, invalid, source
FROM samples ORDER BY id;

DROP TABLE samples;
ALTER TABLE samples_lean RENAME TO samples;

CREATE VIEW raw_samples AS
SELECT id / 4398046511104 AS host_ref, MOD(id, 4398046511104) AS ts, status, ct_count, ct_max, boot, drop_total,
       early_drop, insert_failed, invalid, source
FROM samples;
