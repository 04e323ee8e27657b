-- The addresses people made public on ORCID, for the re-consent messages of those who
-- gave no address in an invitation. The re-consent preview queues the iDs it needs; the
-- background lookups ask ORCID's Public API at bulk priority (so thousands of people do
-- not hold the page), a few times when ORCID does not answer. An answer is reused for a
-- day, then asked again.
CREATE TABLE public_emails (
    orcid      TEXT PRIMARY KEY NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'found', 'none', 'failed')),
    email      TEXT,                  -- the preferred public address, when found
    checked_at INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    retry_at   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX public_emails_pending ON public_emails (retry_at) WHERE status = 'pending';
