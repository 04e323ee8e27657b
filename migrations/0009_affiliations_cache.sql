-- The researcher's affiliations (all seven sections) as ORCID last returned them in
-- GET /v3.0/{orcid}/activities, replaced with the works cache on every refresh.
CREATE TABLE cached_affiliations (
    orcid            TEXT NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    section          TEXT NOT NULL CHECK (section IN ('employment', 'education',
                     'qualification', 'invited-position', 'distinction', 'membership', 'service')),
    put_code         INTEGER NOT NULL,
    -- ORCID's grouping within the section, and the order inside it.
    group_index      INTEGER NOT NULL,
    position         INTEGER NOT NULL,
    org_name         TEXT NOT NULL,
    org_city         TEXT,
    org_region       TEXT,
    org_country      TEXT,
    org_id           TEXT,             -- the disambiguated organisation id, as ORCID sent it
    org_id_source    TEXT,             -- ROR, RINGGOLD, GRID, FUNDREF, LEI …
    department       TEXT,
    role_title       TEXT,
    start_year       TEXT,
    start_month      TEXT,
    start_day        TEXT,
    end_year         TEXT,
    end_month        TEXT,
    end_day          TEXT,
    source_name      TEXT,
    source_client_id TEXT,
    visibility       TEXT,
    PRIMARY KEY (orcid, section, put_code)
) STRICT;
CREATE INDEX cached_affiliations_by_group
    ON cached_affiliations (orcid, section, group_index, position);

-- When a record's affiliations were last read: a works-only read (before a bulk push)
-- does not fill them, so /me reads the whole record when this row is missing.
CREATE TABLE affiliations_sync (
    orcid      TEXT PRIMARY KEY NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    synced_at  INTEGER NOT NULL
) STRICT;
