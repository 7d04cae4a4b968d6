-- Where a sample came from: 0 = a live agent, 1 = an import (e.g. Prometheus history).
-- A version far above the rollup migrations (V2, V3, ...) so that branches do not collide.
-- Portable to PostgreSQL: ADD COLUMN with a constant default fills existing rows.
ALTER TABLE samples ADD COLUMN source SMALLINT DEFAULT 0 NOT NULL;

-- The source of the latest state: an imported latest keeps the host's status (it is not "stale"
-- merely because no agent streams) until a live agent reports, and an import never replaces a
-- live latest state.
ALTER TABLE host_latest ADD COLUMN source SMALLINT DEFAULT 0 NOT NULL;
