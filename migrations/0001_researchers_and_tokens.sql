-- Researchers who have connected their ORCID iD. The iD (canonical hyphenated form) is the key.
CREATE TABLE researchers (
    orcid              TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    is_staff           INTEGER NOT NULL DEFAULT 0,
    first_connected_at INTEGER NOT NULL,
    last_signed_in_at  INTEGER NOT NULL,
    -- Set when the researcher disconnects; cleared when they connect again.
    disconnected_at    INTEGER
) STRICT;

-- The ORCID tokens idlink holds: one row per iD, replaced on reconnect.
-- access_token and refresh_token are XChaCha20-Poly1305 ciphertexts (nonce || ct), never plain text.
CREATE TABLE orcid_tokens (
    orcid         TEXT PRIMARY KEY NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    access_token  BLOB NOT NULL,
    refresh_token BLOB,
    scope         TEXT NOT NULL,
    expires_at    INTEGER NOT NULL,
    -- 'revoked' once ORCID answers 401 invalid_token (the researcher revoked idlink's access).
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
