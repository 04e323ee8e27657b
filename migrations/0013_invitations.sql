-- Invitations to connect an ORCID iD: staff check a roster (or one person from a form)
-- as a draft batch, review it, then send. Each invitation is a personal link; the link's
-- random token is kept only as a SHA-256 hash.
CREATE TABLE invitation_batches (
    id            INTEGER PRIMARY KEY,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,           -- the staff member's iD
    source        TEXT NOT NULL,           -- the roster's file name, or "form"
    status        TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'discarded')),
    sent_at       INTEGER,
    rows_total    INTEGER NOT NULL,
    rows_invalid  INTEGER NOT NULL,
    -- Findings beyond those kept word for word, counted by column: JSON [[column, n], …].
    omitted       TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- The check's findings, the first ones word for word (as job_findings).
CREATE TABLE invitation_findings (
    batch_id     INTEGER NOT NULL REFERENCES invitation_batches(id) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    column_name  TEXT NOT NULL,
    message      TEXT NOT NULL
) STRICT;
CREATE INDEX invitation_findings_by_batch ON invitation_findings (batch_id, line);

CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY,
    batch_id         INTEGER NOT NULL REFERENCES invitation_batches(id) ON DELETE CASCADE,
    line             INTEGER NOT NULL,
    email            TEXT NOT NULL,
    given_names      TEXT NOT NULL,
    family_names     TEXT NOT NULL,
    department       TEXT NOT NULL,
    named_orcid      TEXT,                 -- the iD staff gave, if any
    public_name      TEXT,                 -- ORCID's public name for it when checked
    invited_at       INTEGER,              -- when staff sent it (NULL: in a draft)
    expires_at       INTEGER,
    opened_at        INTEGER,
    connected_at     INTEGER,
    connected_orcid  TEXT,                 -- the iD that connected through the link
    reminders_sent   INTEGER NOT NULL DEFAULT 0,
    -- When the invitation or its latest reminder was queued; its messages are the
    -- outbox's rows with this invitation_id.
    last_mailed_at   INTEGER
) STRICT;
CREATE INDEX invitations_by_batch ON invitations (batch_id, line);
CREATE INDEX invitations_by_email ON invitations (email);
CREATE INDEX invitations_by_time ON invitations (invited_at, id);
CREATE INDEX invitations_awaiting ON invitations (last_mailed_at)
    WHERE connected_at IS NULL AND invited_at IS NOT NULL;

-- Every link mailed for an invitation (the first and each reminder's) stays valid.
CREATE TABLE invitation_links (
    token_hash     BLOB PRIMARY KEY,
    invitation_id  INTEGER NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX invitation_links_by_invitation ON invitation_links (invitation_id);

-- The two-legged /read-public token for the Public API, sealed with TOKEN_KEY.
CREATE TABLE public_api_token (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sealed      BLOB NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;
