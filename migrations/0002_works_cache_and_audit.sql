-- The researcher's works as ORCID last returned them (GET /v3.0/{orcid}/works), so /me
-- renders from the database and still works while ORCID is unreachable.
CREATE TABLE works_sync (
    orcid           TEXT PRIMARY KEY NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    synced_at       INTEGER,          -- last successful refresh
    attempted_at    INTEGER NOT NULL, -- last refresh attempt
    last_error      TEXT              -- why the last attempt failed, for the page
) STRICT;

-- One row per work summary, in ORCID's grouping and order.
CREATE TABLE cached_works (
    orcid            TEXT NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    put_code         INTEGER NOT NULL,
    group_index      INTEGER NOT NULL,
    title            TEXT NOT NULL,
    subtitle         TEXT,
    work_type        TEXT NOT NULL,
    pub_year         TEXT,
    pub_month        TEXT,
    pub_day          TEXT,
    journal_title    TEXT,
    url              TEXT,
    source_name      TEXT,
    source_client_id TEXT,
    visibility       TEXT,
    -- JSON array of {"type","value","normalized","url","relationship"}.
    external_ids     TEXT NOT NULL,
    last_modified    INTEGER,
    PRIMARY KEY (orcid, put_code)
) STRICT;
CREATE INDEX cached_works_by_group ON cached_works (orcid, group_index, put_code);

-- Normalised identifiers of every cached work (any source), for duplicate checks.
CREATE TABLE cached_work_ids (
    orcid      TEXT NOT NULL,
    put_code   INTEGER NOT NULL,
    id_type    TEXT NOT NULL,
    id_value   TEXT NOT NULL,
    FOREIGN KEY (orcid, put_code) REFERENCES cached_works (orcid, put_code) ON DELETE CASCADE
) STRICT;
CREATE INDEX cached_work_ids_lookup ON cached_work_ids (orcid, id_type, id_value);
CREATE INDEX cached_work_ids_work ON cached_work_ids (orcid, put_code);

-- Works idlink itself put on a record, and what became of them.
CREATE TABLE idlink_works (
    orcid       TEXT NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    put_code    INTEGER NOT NULL,
    -- 'active'; 'deleted' (idlink deleted it); 'deleted_by_researcher' (gone at ORCID).
    status      TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'deleted', 'deleted_by_researcher')),
    title       TEXT NOT NULL,
    -- JSON array of the normalised self identifiers sent, e.g. [["doi","10.1/abc"]].
    identifiers TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (orcid, put_code)
) STRICT;

-- Every write to ORCID and every staff action.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,      -- the iD of whoever acted
    orcid     TEXT NOT NULL,      -- the record acted on
    action    TEXT NOT NULL,      -- add_work, update_work, delete_work, …
    put_code  INTEGER,
    outcome   TEXT NOT NULL,      -- ok, duplicate, revoked, missing_scope, invalid, busy, …
    detail    TEXT
) STRICT;
CREATE INDEX audit_log_by_record ON audit_log (orcid, at);
CREATE INDEX audit_log_by_time ON audit_log (at);
