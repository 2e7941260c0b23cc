-- KAMI registry schema, version 2 (SQLite): the compiled-code cache and each module's ABI (ADR 0206).

-- The ABI an engine detected in the module, recorded at install so that listing tools reads no
-- blob; NULL for modules installed before version 2 (filled the first time they are listed).
ALTER TABLE kami_blobs ADD COLUMN abi TEXT;

-- Code an engine compiled from a module, under a key naming the engine version and compiler
-- options; code_sha256 is the SHA-256 of code when written, checked before every load. Rows go
-- with their module's blob.
CREATE TABLE kami_compiled (
    module_sha256 TEXT NOT NULL REFERENCES kami_blobs (sha256) ON DELETE CASCADE,
    cache_key     TEXT NOT NULL,
    code_sha256   TEXT NOT NULL CHECK (length(code_sha256) = 64),
    size          INTEGER NOT NULL CHECK (size >= 0),
    code          BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (module_sha256, cache_key)
);
