-- Images the program stores and serves itself (panelist photos, images imported from
-- WordPress), in the database so that every node serves the same ones. Each is kept as it
-- was re-encoded (no EXIF or GPS left), in one or more widths.
CREATE TABLE media (
    -- AUTOINCREMENT: an id is never used again, since its addresses are cached for good.
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the widest rendition, in hex: the ETag every rendition's is made from.
    sha256     TEXT NOT NULL,
    mime_type  TEXT NOT NULL,
    -- The widest rendition's size.
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    -- All renditions together.
    bytes      INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- One width of an image, served at /media/ID-WIDTH.EXT.
CREATE TABLE media_renditions (
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (media_id, width)
);

-- A panelist's uploaded photo and what it shows, for those who cannot see it.
ALTER TABLE panelists ADD COLUMN photo_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL;
ALTER TABLE panelists ADD COLUMN photo_alt TEXT;

-- Named answers carry the photo's widths and its alt text; no other answer does.
ALTER TABLE public_answers ADD COLUMN photo_srcset TEXT;
ALTER TABLE public_answers ADD COLUMN photo_alt TEXT;
