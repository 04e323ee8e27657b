-- Outgoing mail waits here until the sender has settled it, so no message is lost when
-- the SMTP server is down or idlink restarts. A row is claimed (`sending`) before the
-- SMTP exchange and settled after; a row still `sending` at start-up lost its answer in
-- a crash and becomes `unknown`: never sent again without a person asking.
CREATE TABLE mail_outbox (
    id             INTEGER PRIMARY KEY,
    to_address     TEXT NOT NULL,
    to_name        TEXT,
    kind           TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'reconsent', 'notice')),
    -- The invitation the message belongs to, if any (kept by the invitations tables).
    invitation_id  INTEGER,
    -- Messages enqueued together, for progress.
    batch          TEXT,
    subject        TEXT NOT NULL,
    body_text      TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    -- The one-click stop link of the List-Unsubscribe header.
    stop_url       TEXT NOT NULL,
    -- The same Message-ID on every attempt, so a receiving server can tell a repeat.
    message_id     TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'stopped', 'unknown')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    -- When a queued message may next be tried.
    retry_at       INTEGER NOT NULL,
    -- Why the last attempt failed, in words staff can act on (never a secret).
    last_error     TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    sent_at        INTEGER
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox (status, retry_at, id);
CREATE INDEX mail_outbox_batch ON mail_outbox (batch, status);
CREATE INDEX mail_outbox_invitation ON mail_outbox (invitation_id);

-- Stop links: the SHA-256 of the random token, never the token itself.
CREATE TABLE mail_stop_tokens (
    token_hash  BLOB PRIMARY KEY NOT NULL,
    address     TEXT NOT NULL COLLATE NOCASE,
    created_at  INTEGER NOT NULL
) STRICT;

-- Addresses that asked for no more mail; compared case-insensitively.
CREATE TABLE mail_stopped (
    address     TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    stopped_at  INTEGER NOT NULL,
    -- How: 'page' (the button on the stop page) or 'one_click' (a mail program's POST).
    via         TEXT NOT NULL CHECK (via IN ('page', 'one_click'))
) STRICT;
