-- KAMI registry schema, version 2 (PostgreSQL): the compiled-code cache and each module's ABI (ADR 0206).

-- The ABI an engine detected in the module, recorded at install so that listing tools reads no
-- blob; NULL for modules installed before version 2 (filled the first time they are listed).
ALTER TABLE kami_blobs ADD COLUMN abi TEXT;

-- Code an engine compiled from a module, under a key naming the engine version and compiler
-- options; code_sha256 is the SHA-256 of code when written, checked before every load. Rows go
-- with their module's blob.
CREATE TABLE kami_compiled (
    module_sha256 VARCHAR(64) COLLATE "C" NOT NULL REFERENCES kami_blobs (sha256) ON DELETE CASCADE,
    cache_key     VARCHAR(200) COLLATE "C" NOT NULL,
    code_sha256   VARCHAR(64) NOT NULL CHECK (length(code_sha256) = 64),
    size          BIGINT NOT NULL CHECK (size >= 0),
    code          BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (module_sha256, cache_key)
);
