-- When a round actually stopped taking answers on time: the editor may close it before its
-- closing date, and reopen it. Rounds closed before this column existed take the earlier of
-- their closing date and their last change, which is when they were closed.
ALTER TABLE rounds ADD COLUMN closed_at BIGINT;
UPDATE rounds SET closed_at = LEAST(COALESCE(closes_at, updated_at), updated_at)
 WHERE status IN ('closed', 'published');
