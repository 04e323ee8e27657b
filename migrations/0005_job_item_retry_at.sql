-- When an item may be tried again, decided by the jobs domain's retry policy when it
-- puts the item back in the queue (before, the backoff formula lived in the runner's
-- SQL). 0: at once.
ALTER TABLE job_items ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;

-- Items waiting out a backoff keep the wait they had: 2^attempts seconds, capped at 60,
-- from their last change.
UPDATE job_items SET retry_at = updated_at + MIN(60, 1 << MIN(attempts, 30))
WHERE attempts > 0 AND status IN ('pending', 'sending');
