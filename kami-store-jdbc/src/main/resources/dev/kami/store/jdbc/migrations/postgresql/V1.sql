-- KAMI registry schema, version 1 (PostgreSQL). Forward-only: never edit a released file, add V2.sql.
-- Times are epoch microseconds (UTC). Ids use COLLATE "C" so that ORDER BY id matches
-- String.compareTo (and the SQLite order) whatever the database's locale.

CREATE TABLE kami_blobs (
    sha256 VARCHAR(64) COLLATE "C" PRIMARY KEY CHECK (length(sha256) = 64),
    size   BIGINT NOT NULL CHECK (size >= 0),
    bytes  BYTEA NOT NULL
);

CREATE TABLE kami_tools (
    id             VARCHAR(128) COLLATE "C" PRIMARY KEY,
    name           TEXT NOT NULL,
    version        TEXT NOT NULL,
    description    TEXT NOT NULL,
    mcp_name       VARCHAR(64) COLLATE "C" NOT NULL UNIQUE,
    manifest_toml  TEXT NOT NULL,
    module_sha256  VARCHAR(64) COLLATE "C" NOT NULL REFERENCES kami_blobs (sha256),
    module_size    BIGINT NOT NULL,
    signature      TEXT,
    signer_key     TEXT,
    enabled        BOOLEAN NOT NULL,
    pinned_version TEXT,
    source         TEXT NOT NULL,
    installed_at   BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE INDEX kami_tools_module ON kami_tools (module_sha256);

CREATE TABLE kami_grants (
    tool_id    VARCHAR(128) COLLATE "C" NOT NULL REFERENCES kami_tools (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    permission TEXT NOT NULL,
    PRIMARY KEY (tool_id, position)
);

-- Append-only; no foreign key: the history of a tool outlives the tool.
CREATE TABLE kami_history (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tool_id VARCHAR(128) COLLATE "C" NOT NULL,
    action  VARCHAR(16) NOT NULL,
    version TEXT NOT NULL,
    detail  TEXT NOT NULL,
    at      BIGINT NOT NULL
);

CREATE INDEX kami_history_tool ON kami_history (tool_id, seq);
