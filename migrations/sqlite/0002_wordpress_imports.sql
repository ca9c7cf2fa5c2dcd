-- Which WordPress item each imported row came from, per source site: importing the same
-- export twice finds its rows here and changes nothing, and two WordPress sites whose ids
-- overlap do not collide (the wp_id columns of 0001 are unique across all sites, so they
-- stay unused by the importer).
CREATE TABLE wp_imports (
    site     TEXT NOT NULL,      -- the export's base_site_url
    kind     TEXT NOT NULL CHECK (kind IN ('post', 'comment', 'attachment')),
    wp_id    INTEGER NOT NULL,
    local_id INTEGER NOT NULL,
    PRIMARY KEY (site, kind, wp_id)
);
