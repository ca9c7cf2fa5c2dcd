-- When a panelist withdrew an answer: it is out of its post, and no compilation, late-answer
-- button or restored revision brings it back until they send it again.
ALTER TABLE answers ADD COLUMN withdrawn_at BIGINT;
