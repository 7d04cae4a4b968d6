-- Every read of raw samples names a host (one host's history, the rollup job, retention, the
-- fleet series that joins hosts to samples), so the primary key (host_ref, ts) serves them all.
-- The separate index on ts cost a third B-tree per sample: bytes on disk, and pages rewritten on
-- every commit.
DROP INDEX samples_ts;
