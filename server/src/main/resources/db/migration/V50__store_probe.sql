-- One row the server rewrites while its database is unavailable (a full disk, a read-only file
-- system), to learn when writes work again even if no agent is sending: until then every query
-- answers with the reason instead of data that may be stale.
CREATE TABLE store_probe (
    id          INTEGER NOT NULL PRIMARY KEY,
    written_at  BIGINT NOT NULL
);

INSERT INTO store_probe (id, written_at) VALUES (1, 0);
