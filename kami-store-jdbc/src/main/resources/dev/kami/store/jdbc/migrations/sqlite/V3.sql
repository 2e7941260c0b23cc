-- KAMI registry schema, version 3 (SQLite): the tools an Extism plugin offers (ADR 0120).

-- An Extism plugin's tools as the engine listed them at install, a JSON array of objects with
-- name, description and inputSchema (JSON text or null), so that listing tools runs no guest
-- code; NULL for other modules, and for plugins installed before version 3 (listed again the
-- first time they are needed).
ALTER TABLE kami_blobs ADD COLUMN entries TEXT;
