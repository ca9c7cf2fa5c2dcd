-- The change that replaced each kept revision ("Accepted a change to an answer", "Edited
-- directly", "Restored the version of …"), shown in the post's list of revisions.
ALTER TABLE revisions ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- Addresses of posts and pages the editor took down: they answer 410 Gone, or redirect where
-- the editor said, instead of a bare 404. Publishing the post again frees its address.
CREATE TABLE retired_addresses (
    path        TEXT PRIMARY KEY,
    post_id     INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    redirect_to TEXT,
    retired_at  INTEGER NOT NULL
);
CREATE INDEX retired_addresses_post ON retired_addresses(post_id);
