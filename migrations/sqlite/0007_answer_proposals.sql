-- A panelist's change to an answer that is already published: it waits here for the editor,
-- who accepts or declines it; the public answer stays as it was until then. Decided
-- proposals are kept, so nothing a panelist sent is lost.
CREATE TABLE answer_proposals (
    id                INTEGER PRIMARY KEY,
    answer_id         INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    attribution       TEXT NOT NULL,
    role_description  TEXT,
    show_library_type INTEGER NOT NULL DEFAULT 0,
    sig_name          TEXT NOT NULL,
    sig_pronouns      TEXT,
    sig_title         TEXT,
    sig_department    TEXT,
    sig_institution   TEXT,
    sig_city          TEXT,
    choice_id         INTEGER REFERENCES round_choices(id) ON DELETE SET NULL,
    body              TEXT NOT NULL,
    proposed_at       INTEGER NOT NULL,
    decision          TEXT CHECK (decision IN ('accepted', 'declined')),
    decided_at        INTEGER,
    decided_by        INTEGER REFERENCES editors(id) ON DELETE SET NULL
);
-- At most one proposal per answer waits: a second sending replaces it.
CREATE UNIQUE INDEX answer_proposals_waiting ON answer_proposals(answer_id) WHERE decision IS NULL;
