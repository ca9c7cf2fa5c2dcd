-- Every view of a post counts its edit notes: find them by post instead of reading them all.
CREATE INDEX edit_notes_post ON edit_notes(post_id, noted_at);
