-- Raw samples keyed by one BIGINT, host_ref * 2^42 + ts (see SampleKey): one B-tree per row
-- instead of a row tree plus a (host_ref, ts) index. host_ref and ts stay as plain columns.
-- A new table rather than ALTER: H2 makes a single BIGINT primary key the rows' own key only when
-- the table is created with it. Portable to PostgreSQL (CREATE, INSERT ... SELECT, RENAME).
CREATE TABLE samples_keyed (
    id             BIGINT NOT NULL,
    host_ref       BIGINT NOT NULL,
    ts             BIGINT NOT NULL,
    status         SMALLINT NOT NULL,
    ct_count       BIGINT NOT NULL,
    ct_max         BIGINT NOT NULL,
    ct_buckets     BIGINT NOT NULL,
    boot           INTEGER NOT NULL,
    drop_total     BIGINT NOT NULL,
    early_drop     BIGINT NOT NULL,
    insert_failed  BIGINT NOT NULL,
    invalid        BIGINT NOT NULL,
    source         SMALLINT DEFAULT 0 NOT NULL,
    CONSTRAINT samples_keyed_pk PRIMARY KEY (id),
    CONSTRAINT samples_keyed_host FOREIGN KEY (host_ref) REFERENCES hosts (id)
);

INSERT INTO samples_keyed (id, host_ref, ts, status, ct_count, ct_max, ct_buckets, boot, drop_total,
                           early_drop, insert_failed, invalid, source)
SELECT host_ref * 4398046511104 + ts, host_ref, ts, status, ct_count, ct_max, ct_buckets, boot, drop_total,
       early_drop, insert_failed, invalid, source
FROM samples;

DROP TABLE samples;
ALTER TABLE samples_keyed RENAME TO samples;
