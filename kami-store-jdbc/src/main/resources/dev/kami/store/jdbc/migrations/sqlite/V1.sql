-- KAMI registry schema, version 1 (SQLite). Forward-only: never edit a released file, add V2.sql.
-- Times are epoch microseconds (UTC); booleans are 0/1.

CREATE TABLE kami_blobs (
    sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size   INTEGER NOT NULL CHECK (size >= 0),
    bytes  BLOB NOT NULL
);

CREATE TABLE kami_tools (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    version        TEXT NOT NULL,
    description    TEXT NOT NULL,
    mcp_name       TEXT NOT NULL UNIQUE,
    manifest_toml  TEXT NOT NULL,
    module_sha256  TEXT NOT NULL REFERENCES kami_blobs (sha256),
    module_size    INTEGER NOT NULL,
    signature      TEXT,
    signer_key     TEXT,
    enabled        INTEGER NOT NULL,
    pinned_version TEXT,
    source         TEXT NOT NULL,
    installed_at   INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE INDEX kami_tools_module ON kami_tools (module_sha256);

CREATE TABLE kami_grants (
    tool_id    TEXT NOT NULL REFERENCES kami_tools (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    permission TEXT NOT NULL,
    PRIMARY KEY (tool_id, position)
);

-- Append-only; no foreign key: the history of a tool outlives the tool.
CREATE TABLE kami_history (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    tool_id TEXT NOT NULL,
    action  TEXT NOT NULL,
    version TEXT NOT NULL,
    detail  TEXT NOT NULL,
    at      INTEGER NOT NULL
);

CREATE INDEX kami_history_tool ON kami_history (tool_id, seq);
