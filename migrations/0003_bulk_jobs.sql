-- Bulk pushes of works from a staff member's CSV upload. Durable: a restart, even a
-- kill, resumes from these rows, and nothing is pushed twice.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    created_by   TEXT NOT NULL,               -- the staff member's iD
    created_at   INTEGER NOT NULL,
    file_name    TEXT NOT NULL,
    -- draft: validated, waiting for "start"; queued/running: being pushed;
    -- finished: every item has an outcome; cancelled: stopped by staff.
    status       TEXT NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'queued', 'running', 'finished', 'cancelled')),
    -- "push again anyway": re-send works the researcher deleted from their record.
    push_again   INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER,
    finished_at  INTEGER,
    rows_total   INTEGER NOT NULL,            -- data rows in the file
    rows_invalid INTEGER NOT NULL             -- rows refused by validation
) STRICT;
CREATE INDEX jobs_by_status ON jobs (status, id);

-- Validation findings for an upload: line, column, message.
CREATE TABLE job_row_errors (
    job_id  INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    line    INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    message TEXT NOT NULL
) STRICT;
CREATE INDEX job_row_errors_by_job ON job_row_errors (job_id, line);

-- One work to put on one record.
CREATE TABLE job_items (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,              -- the CSV line it came from
    orcid      TEXT NOT NULL,
    title      TEXT NOT NULL,
    work_json  TEXT NOT NULL,                 -- the v3.0 work to send (for_create form)
    identity   TEXT NOT NULL,                 -- JSON [[type, normalised value], …] of self ids
    -- pending → sending (in a request now) → done | already_present | skipped | failed;
    -- cancelled when the job is cancelled before the item was sent.
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sending', 'done', 'already_present', 'skipped', 'failed', 'cancelled')),
    put_code   INTEGER,                       -- ORCID's, once known (also for already_present)
    detail     TEXT,                          -- why: the source it is already there from, the error…
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX job_items_by_job ON job_items (job_id, status, orcid, id);
CREATE INDEX job_items_by_orcid ON job_items (orcid, job_id);
