-- Which of a raw sample's four counters its source did not report: the agent could not read the
-- stat table (a malformed CPU row, a header without rows, an empty file), or an import had no value
-- of that series at that time. Bit 1 drop_total, 2 early_drop, 4 insert_failed, 8 invalid.
-- Such a counter is stored with a value carried from the host's nearest sample of the same boot that
-- had it, the earlier one first (CarriedCounters): storing 0 read as a fall, i.e. a 32-bit wrap, and
-- every reader (history, rollups, the caches) computes increases from consecutive rows alone.
-- A column, not NULLs, so those readers stay as they are; re-sends compare it (RawRows).
-- Portable to PostgreSQL: ADD COLUMN with a constant default fills existing rows (nothing carried).
ALTER TABLE samples ADD COLUMN carried SMALLINT DEFAULT 0 NOT NULL;
