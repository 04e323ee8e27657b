-- One job pipeline for any activity section: a job pushes works or affiliations, and an
-- item carries the v3.0 payload to send (a work, or an affiliation with its section).
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'works'
    CHECK (kind IN ('works', 'affiliations'));

-- job_items is rebuilt (SQLite cannot change a CHECK): `work_json` becomes `payload`,
-- `section` names the affiliation section, and `waiting` holds rows for researchers
-- who have not connected (or whose grant is revoked or lacks the scope) until they
-- connect again; they are then queued on their own.
CREATE TABLE job_items_new (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    orcid      TEXT NOT NULL,
    title      TEXT NOT NULL,
    payload    TEXT NOT NULL,                 -- the v3.0 work or affiliation to send
    section    TEXT CHECK (section IS NULL OR section IN ('employment', 'education',
               'qualification', 'invited-position', 'distinction', 'membership', 'service')),
    identity   TEXT NOT NULL,
    -- waiting → pending → sending → done | already_present | skipped | failed;
    -- cancelled when the job is cancelled before the item was sent.
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('waiting', 'pending', 'sending', 'done', 'already_present',
                                 'skipped', 'failed', 'cancelled')),
    put_code   INTEGER,
    detail     TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    retry_at   INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO job_items_new (id, job_id, line, orcid, title, payload, section, identity, status,
                           put_code, detail, attempts, updated_at, retry_at)
    SELECT id, job_id, line, orcid, title, work_json, NULL, identity, status,
           put_code, detail, attempts, updated_at, retry_at FROM job_items;
DROP TABLE job_items;
ALTER TABLE job_items_new RENAME TO job_items;
CREATE INDEX job_items_by_job ON job_items (job_id, status, orcid, id);
CREATE INDEX job_items_by_orcid ON job_items (orcid, job_id);
-- A person's waiting rows, found when they connect.
CREATE INDEX job_items_waiting ON job_items (orcid) WHERE status = 'waiting';
