-- The host's MemTotal as its agent last reported it (bytes), so a capacity plan never asks the
-- kernel for more than a share of the host's memory. NULL: unknown (an imported host, or an agent
-- older than the field or unable to read /proc/meminfo). A sample without it keeps the last known
-- value. Portable to PostgreSQL: ADD COLUMN of a nullable BIGINT.
-- V45: the version range this change was given (V34..V44 belong to other branches).
ALTER TABLE host_latest ADD COLUMN mem_total_bytes BIGINT;
