-- Each post's answers as readers see them: the one public projection every page, feed,
-- export, newsletter and search document is built from. Rebuilt in the same transaction as
-- any change to the post, its answers, their signing, or a panelist's profile or erasure.
-- It holds public text only: an anonymous answer's row has its words and the byline
-- "Anonymous", never its author, and `panelist_id` only for answers signed by name.
CREATE TABLE public_answers (
    post_id        INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    -- 1, 2, 3 … in the post's order: the answer's anchor, which says nothing of who wrote it
    -- or when it came.
    number         INTEGER NOT NULL,
    panelist_id    INTEGER REFERENCES panelists(id) ON DELETE SET NULL,
    panelist_slug  TEXT,
    byline         TEXT NOT NULL,
    library_type   TEXT,
    choice         TEXT,
    editor_heading TEXT,
    editor_note    TEXT,
    body           TEXT NOT NULL,
    late           INTEGER NOT NULL DEFAULT 0,
    photo_url      TEXT,
    photo_credit   TEXT,
    PRIMARY KEY (post_id, number)
);
CREATE INDEX public_answers_panelist ON public_answers(panelist_id);

-- A search hit links to the answer's public number, not to its id.
ALTER TABLE search_documents ADD COLUMN answer_number INTEGER;

-- Posts compiled before this projection existed are projected when the program starts.
CREATE TABLE projection_pending (post_id INTEGER PRIMARY KEY);
INSERT INTO projection_pending (post_id) SELECT id FROM posts;
