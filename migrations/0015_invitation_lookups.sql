-- The iDs a roster names are looked up on ORCID's Public API in the background after the
-- upload, through the shared limiter: a draft is stored at once and filled in as answers
-- come. A pending lookup survives a restart; the draft is sent only once none is left.
ALTER TABLE invitations ADD COLUMN lookup_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX invitations_lookup_pending ON invitations (batch_id, id) WHERE lookup_pending = 1;
-- How many of the batch's iDs were to be looked up, for the progress shown to staff.
ALTER TABLE invitation_batches ADD COLUMN lookups_total INTEGER NOT NULL DEFAULT 0;
