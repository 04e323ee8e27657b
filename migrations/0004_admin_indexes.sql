-- Indexes for the staff dashboard and the audit log, so their pages stay fast with
-- tens of thousands of researchers and millions of audit entries.

-- Dashboard sorted by name or by connection date: walk an index, stop after one page.
CREATE INDEX researchers_by_name ON researchers (name COLLATE NOCASE, orcid);
CREATE INDEX researchers_by_connected ON researchers (first_connected_at, orcid);

-- Dashboard counts and filters by token status (active / expired / revoked).
CREATE INDEX orcid_tokens_by_status ON orcid_tokens (status, expires_at);

-- Audit log filters: by action, by outcome, by who acted; each newest first.
CREATE INDEX audit_log_by_action ON audit_log (action, at);
CREATE INDEX audit_log_by_outcome ON audit_log (outcome, at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);
