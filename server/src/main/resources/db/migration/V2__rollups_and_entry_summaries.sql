-- Rollups of the raw samples, so that questions about weeks and months read thousands of rows,
-- not millions. One row per host per bucket; ts is the bucket's start (epoch milliseconds).
-- Portable SQL (H2 and PostgreSQL): standard types only.
--
-- n                 raw samples in the bucket
-- count_min/max/sum ct_count over those samples (average = count_sum / n)
-- max_max           the largest limit (nf_conntrack_max) seen; 0 when unlimited or not loaded
-- fill_max          the largest count / max of a sample with a limit; NULL when no sample had one
-- *_inc             counter increases during the bucket, across 32-bit wraps and reboots; the first
--                   sample's increase is counted against the sample before it (possibly in the
--                   previous bucket), so the buckets of a range add up to the range's increase
-- last_*            the bucket's newest raw sample: what the next bucket's first increase is
--                   computed from once the raw rows have expired
CREATE TABLE samples_1m (
    host_ref            BIGINT NOT NULL,
    ts                  BIGINT NOT NULL,
    n                   INTEGER NOT NULL,
    count_min           BIGINT NOT NULL,
    count_max           BIGINT NOT NULL,
    count_sum           BIGINT NOT NULL,
    max_max             BIGINT NOT NULL,
    fill_max            DOUBLE PRECISION,
    drop_inc            BIGINT NOT NULL,
    early_drop_inc      BIGINT NOT NULL,
    insert_failed_inc   BIGINT NOT NULL,
    invalid_inc         BIGINT NOT NULL,
    last_ts             BIGINT NOT NULL,
    last_boot           INTEGER NOT NULL,
    last_drop           BIGINT NOT NULL,
    last_early_drop     BIGINT NOT NULL,
    last_insert_failed  BIGINT NOT NULL,
    last_invalid        BIGINT NOT NULL,
    CONSTRAINT samples_1m_pk PRIMARY KEY (host_ref, ts),
    CONSTRAINT samples_1m_host FOREIGN KEY (host_ref) REFERENCES hosts (id)
);

CREATE TABLE samples_1h (
    host_ref            BIGINT NOT NULL,
    ts                  BIGINT NOT NULL,
    n                   INTEGER NOT NULL,
    count_min           BIGINT NOT NULL,
    count_max           BIGINT NOT NULL,
    count_sum           BIGINT NOT NULL,
    max_max             BIGINT NOT NULL,
    fill_max            DOUBLE PRECISION,
    drop_inc            BIGINT NOT NULL,
    early_drop_inc      BIGINT NOT NULL,
    insert_failed_inc   BIGINT NOT NULL,
    invalid_inc         BIGINT NOT NULL,
    last_ts             BIGINT NOT NULL,
    last_boot           INTEGER NOT NULL,
    last_drop           BIGINT NOT NULL,
    last_early_drop     BIGINT NOT NULL,
    last_insert_failed  BIGINT NOT NULL,
    last_invalid        BIGINT NOT NULL,
    CONSTRAINT samples_1h_pk PRIMARY KEY (host_ref, ts),
    CONSTRAINT samples_1h_host FOREIGN KEY (host_ref) REFERENCES hosts (id)
);

-- The sampled-entry breakdown (states, protocols, top destinations), at most one per host per
-- minute: ts is the minute's start, sample_ts the raw sample it came from. JSON text as in
-- host_latest.entries.
CREATE TABLE entry_summaries (
    host_ref   BIGINT NOT NULL,
    ts         BIGINT NOT NULL,
    sample_ts  BIGINT NOT NULL,
    entries    VARCHAR NOT NULL,
    CONSTRAINT entry_summaries_pk PRIMARY KEY (host_ref, ts),
    CONSTRAINT entry_summaries_host FOREIGN KEY (host_ref) REFERENCES hosts (id)
);
