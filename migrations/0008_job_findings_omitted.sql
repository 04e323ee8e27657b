-- An upload keeps at most a bounded number of findings word for word
-- (jobs::findings::MAX_KEPT); the others are only counted, by the column they are about,
-- so the report can say "and 12,345 more rows with a problem in title".
CREATE TABLE job_findings_omitted (
    job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    column_name TEXT NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (job_id, column_name)
) STRICT;
