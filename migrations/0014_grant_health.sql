-- How each stored grant is faring, beside orcid_tokens: when idlink last used it with
-- success, when the background check last confirmed it, and when that check is due next.
-- A grant without a row has never been used nor checked. Replacing a grant (a new
-- connection) deletes its row: the new grant starts afresh.
CREATE TABLE grant_health (
    orcid           TEXT PRIMARY KEY NOT NULL REFERENCES orcid_tokens(orcid) ON DELETE CASCADE,
    -- Recorded at most about once a minute per grant, not on every call.
    last_success_at INTEGER,
    last_checked_at INTEGER,
    -- Due times live here so checks survive restarts and stay spread over the period.
    next_check_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX grant_health_due ON grant_health (next_check_at);
-- The health page lists grants newest first (walking this backwards, a page at a time)
-- and filters by when they were made.
CREATE INDEX orcid_tokens_created ON orcid_tokens (created_at, orcid);
-- The health page compares each distinct set of granted scopes with what idlink asks for.
CREATE INDEX orcid_tokens_scope ON orcid_tokens (scope);
