-- The iDs a bulk upload names for people idlink has never connected are looked up on
-- ORCID's Public API in the background after the upload, through the shared limiter:
-- staff see the public name beside them, and an iD with no record behind it is taken out
-- of the draft with a finding. A pending lookup survives a restart; a draft with waiting
-- rows is started only once none of its lookups is left.
CREATE TABLE job_lookups (
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    orcid       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'named', 'no_record', 'unchecked')),
    -- ORCID's public name once named ('' when the person keeps it private).
    public_name TEXT,
    first_line  INTEGER NOT NULL,
    -- JSON array of the file's lines naming this iD: its findings are reworded when
    -- ORCID has no record.
    lines       TEXT NOT NULL,
    -- A lookup ORCID did not answer is asked again later (retry_at), a few times, before
    -- it is left as 'unchecked'.
    attempts    INTEGER NOT NULL DEFAULT 0,
    retry_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, orcid)
) STRICT;
CREATE INDEX job_lookups_pending ON job_lookups (job_id, first_line) WHERE status = 'pending';
-- A never-connected person's public name, for their staff page.
CREATE INDEX job_lookups_by_orcid ON job_lookups (orcid, job_id);

-- A roster's lookups are asked again the same way.
ALTER TABLE invitations ADD COLUMN lookup_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN lookup_retry_at INTEGER NOT NULL DEFAULT 0;
