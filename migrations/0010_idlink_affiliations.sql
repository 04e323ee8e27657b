-- Affiliations idlink itself put on a record, what they mean (so a later add of the same
-- affiliation updates it instead of adding a second copy), and what became of them.
CREATE TABLE idlink_affiliations (
    orcid        TEXT NOT NULL REFERENCES researchers(orcid) ON DELETE CASCADE,
    section      TEXT NOT NULL CHECK (section IN ('employment', 'education',
                 'qualification', 'invited-position', 'distinction', 'membership', 'service')),
    put_code     INTEGER NOT NULL,
    -- 'active'; 'deleted' (idlink deleted it); 'deleted_by_researcher' (gone at ORCID).
    status       TEXT NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'deleted', 'deleted_by_researcher')),
    -- The organisation as written: "ROR:https://ror.org/0…", "RINGGOLD:385123".
    org_key      TEXT NOT NULL,
    department   TEXT,
    role_title   TEXT,
    start_year   TEXT,
    start_month  TEXT,
    start_day    TEXT,
    end_year     TEXT,
    end_month    TEXT,
    end_day      TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (orcid, section, put_code)
) STRICT;
CREATE INDEX idlink_affiliations_by_record ON idlink_affiliations (orcid, status);
