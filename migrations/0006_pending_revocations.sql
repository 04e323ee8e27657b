-- ORCID grants idlink gave up but could not yet revoke at ORCID (it was unreachable or
-- refused): the revoker retries each with backoff until ORCID confirms, and staff see
-- them on the dashboard. No foreign key: a row outlives the researcher's tokens row.
-- token is an XChaCha20-Poly1305 ciphertext (nonce || ct), like orcid_tokens', bound to
-- the iD; either token of a pair revokes the pair at ORCID.
CREATE TABLE pending_revocations (
    id              INTEGER PRIMARY KEY,
    orcid           TEXT NOT NULL,
    token           BLOB NOT NULL,
    -- Why idlink gave the grant up.
    reason          TEXT NOT NULL CHECK (reason IN ('narrower_sign_in', 'replaced', 'disconnected')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX pending_revocations_due ON pending_revocations (next_attempt_at);
