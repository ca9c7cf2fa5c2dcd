-- An edit note the editor hid: kept, but not shown to readers.
ALTER TABLE edit_notes ADD COLUMN hidden BIGINT NOT NULL DEFAULT 0;
