-- The time-series tables lose their foreign keys to hosts. H2 backs each foreign key with an index
-- of its own on host_ref, even where the primary key already starts with host_ref: on samples that
-- index was 17% of the live data (7 of 41 bytes per raw sample, StorageBench, 100 hosts x 1 day),
-- and every insert paid a lookup in hosts for it.
-- Nothing is lost: a host_ref only ever comes from a row of hosts (HostStore.hello), and hosts are
-- never deleted. host_latest keeps its key: one row per host, its index costs nothing.
-- Portable to PostgreSQL (ALTER TABLE ... DROP CONSTRAINT).
ALTER TABLE samples DROP CONSTRAINT samples_keyed_host;
ALTER TABLE samples_1m DROP CONSTRAINT samples_1m_host;
ALTER TABLE samples_1h DROP CONSTRAINT samples_1h_host;
ALTER TABLE entry_summaries DROP CONSTRAINT entry_summaries_host;
