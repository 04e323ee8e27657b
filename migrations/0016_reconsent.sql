-- Re-consent: an invitation can also ask someone already connected to connect again,
-- because their grant was revoked, expired or lacks a permission. It is sent in a batch
-- of its own (source 're-consent') and its link works like any invitation's.
ALTER TABLE invitations ADD COLUMN kind TEXT NOT NULL DEFAULT 'invite'
    CHECK (kind IN ('invite', 'reconsent'));
-- For a re-consent: what had stopped working when it was sent, for the link's page.
ALTER TABLE invitations ADD COLUMN grant_state TEXT
    CHECK (grant_state IN ('revoked', 'expired', 'missing_scope'));
-- "Was this person sent a re-consent a moment ago?" (no double mails from double clicks).
CREATE INDEX invitations_reconsent ON invitations (named_orcid, invited_at)
    WHERE kind = 'reconsent';
-- The address staff gave for a person, found by the iD that connected or was named.
CREATE INDEX invitations_by_connected_orcid ON invitations (connected_orcid)
    WHERE connected_orcid IS NOT NULL;
CREATE INDEX invitations_by_named_orcid ON invitations (named_orcid)
    WHERE named_orcid IS NOT NULL;
