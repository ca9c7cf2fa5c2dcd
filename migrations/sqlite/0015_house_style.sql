-- A series' house style: where signatures go (before the answer, run into its first
-- paragraph, or after it on their own line with a dash), how a signature is written (a
-- template of its parts, their order, separators and connector words; empty for the
-- default), whether the post shows the question and its follow-up, and the heading over the
-- comment form. A post may place its signatures its own way.
ALTER TABLE series ADD COLUMN signature_placement TEXT NOT NULL DEFAULT 'before';
UPDATE series SET signature_placement = attribution_style;
ALTER TABLE series ADD COLUMN signature_template TEXT NOT NULL DEFAULT '';
ALTER TABLE series ADD COLUMN show_question INTEGER NOT NULL DEFAULT 0;
ALTER TABLE series ADD COLUMN comments_heading TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN signature_placement TEXT;

-- Where in an answer the editor's heading goes: before its paragraph N (0, the top).
ALTER TABLE answers ADD COLUMN editor_heading_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE public_answers ADD COLUMN editor_heading_at INTEGER NOT NULL DEFAULT 0;

-- Every post is projected again with its series' style.
INSERT INTO projection_pending (post_id) SELECT id FROM posts
    WHERE id NOT IN (SELECT post_id FROM projection_pending);
