-- The text a reader sees of an imported post's HTML, kept beside it for the search index:
-- the store indexes text it is given and renders nothing. Filled by the import, and for
-- posts imported before this, once by `roundtable migrate` or `serve`.
ALTER TABLE posts ADD COLUMN body_text TEXT;
