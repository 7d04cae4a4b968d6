-- The host's clock minus the server's, measured at its agent's last hello (NULL: never measured,
-- an agent too old to send its clock), and whether that was beyond the server's --clock-skew then:
-- the host's status is clock-skew until a hello measures it within the allowed skew again.
ALTER TABLE hosts ADD COLUMN clock_offset_ms BIGINT;
ALTER TABLE hosts ADD COLUMN clock_skewed BOOLEAN DEFAULT FALSE NOT NULL;
