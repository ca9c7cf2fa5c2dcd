-- Roundtable's whole data model (see docs/data-model.md). Times are Unix seconds (UTC);
-- flags are 0/1 integers so both backends read them the same way.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Bumped on every write that changes what readers see; page caches key on it.
CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

CREATE TABLE editors (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,            -- NULL for authors imported from WordPress until a password is set
    login         TEXT,            -- WordPress login name, when imported
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    editor_id   INTEGER NOT NULL REFERENCES editors(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Counters for sign-in attempts, comments per address, form posts.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);

CREATE TABLE library_types (
    slug     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    position INTEGER NOT NULL
);
INSERT INTO library_types (slug, name, position) VALUES
    ('academic', 'Academic', 1),
    ('public', 'Public', 2),
    ('school', 'School', 3),
    ('special', 'Special', 4),
    ('other', 'Other', 5);

CREATE TABLE panelists (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    email              TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    pronouns           TEXT,
    title              TEXT,
    department         TEXT,
    institution        TEXT,
    city               TEXT,
    library_type       TEXT REFERENCES library_types(slug),
    region             TEXT,
    bio                TEXT,
    photo_url          TEXT,
    photo_credit       TEXT,
    role_description   TEXT,        -- the panelist's usual "role only" line
    status             TEXT NOT NULL CHECK (status IN ('applied', 'active', 'retired')),
    confirm_token_hash TEXT,        -- join requests confirm their email address
    email_confirmed_at INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    parent_id   INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    library_type TEXT REFERENCES library_types(slug)  -- suggested for answers from this library type
);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT
);

-- A recurring feature of the site, such as the weekly panel question.
CREATE TABLE series (
    id                INTEGER PRIMARY KEY,
    slug              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    category_id       INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    default_intro     TEXT NOT NULL DEFAULT '',
    default_closing   TEXT NOT NULL DEFAULT '',
    attribution_style TEXT NOT NULL DEFAULT 'before' CHECK (attribution_style IN ('before', 'after'))
);

CREATE TABLE questions (
    id               INTEGER PRIMARY KEY,
    series_id        INTEGER REFERENCES series(id) ON DELETE SET NULL,
    prompt           TEXT NOT NULL,
    original_prompt  TEXT NOT NULL,  -- as submitted, before the editor reworded it
    examples         TEXT,
    follow_up        TEXT,
    state            TEXT NOT NULL CHECK (state IN ('suggested', 'accepted', 'asked', 'published', 'declined')),
    submitter_name   TEXT,
    submitter_email  TEXT,
    credit_submitter INTEGER NOT NULL DEFAULT 0,
    editor_note      TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE posts (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page')),
    slug                TEXT NOT NULL,
    title               TEXT NOT NULL,
    intro               TEXT NOT NULL DEFAULT '',   -- Markdown
    closing             TEXT NOT NULL DEFAULT '',   -- Markdown
    body_html           TEXT,                       -- sanitized HTML of posts imported whole
    excerpt             TEXT,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'private')),
    series_id           INTEGER REFERENCES series(id) ON DELETE SET NULL,
    author_id           INTEGER REFERENCES editors(id) ON DELETE SET NULL,
    parent_id           INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    follow_up_of        INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    comments_open       INTEGER NOT NULL DEFAULT 1,
    publish_at          INTEGER,                    -- scheduled publication time
    published_at        INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    wp_id               INTEGER UNIQUE              -- the post's id on the WordPress site it came from
);
CREATE UNIQUE INDEX posts_kind_slug ON posts(kind, slug);
CREATE INDEX posts_published ON posts(status, published_at);

CREATE TABLE rounds (
    id               INTEGER PRIMARY KEY,
    question_id      INTEGER NOT NULL REFERENCES questions(id),
    series_id        INTEGER REFERENCES series(id) ON DELETE SET NULL,
    post_id          INTEGER UNIQUE REFERENCES posts(id) ON DELETE SET NULL,
    prompt           TEXT NOT NULL,
    examples         TEXT,
    follow_up        TEXT,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'published')),
    library_types    TEXT NOT NULL DEFAULT '',     -- comma-separated panel filter; empty means everyone
    closes_at        INTEGER,
    grace_seconds    INTEGER NOT NULL DEFAULT 1209600,  -- links keep working this long after the close
    reminder_days    TEXT NOT NULL DEFAULT '3,1',  -- days before the close when reminders go out
    follow_up_of     INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    sent_at          INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE round_choices (
    id       INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label    TEXT NOT NULL,
    UNIQUE (round_id, label)
);

CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    panelist_id   INTEGER NOT NULL REFERENCES panelists(id),
    token_hash    TEXT NOT NULL UNIQUE,   -- SHA-256 of the link's token; the token itself is only in the email
    sent_at       INTEGER,
    opened_at     INTEGER,
    answered_at   INTEGER,
    reminded_at   INTEGER,
    expires_at    INTEGER NOT NULL,
    UNIQUE (round_id, panelist_id)
);

CREATE TABLE answers (
    id                INTEGER PRIMARY KEY,
    round_id          INTEGER REFERENCES rounds(id) ON DELETE CASCADE,
    post_id           INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    invitation_id     INTEGER UNIQUE REFERENCES invitations(id) ON DELETE SET NULL,
    panelist_id       INTEGER REFERENCES panelists(id),
    attribution       TEXT NOT NULL CHECK (attribution IN ('named', 'role', 'anonymous')),
    role_description  TEXT,               -- for 'role': the line the panelist approved
    show_library_type INTEGER NOT NULL DEFAULT 0,  -- for 'anonymous': "Anonymous, public library"
    -- The signature snapshot, taken when the answer was submitted.
    sig_name          TEXT,
    sig_pronouns      TEXT,
    sig_title         TEXT,
    sig_department    TEXT,
    sig_institution   TEXT,
    sig_city          TEXT,
    sig_library_type  TEXT,
    choice_id         INTEGER REFERENCES round_choices(id) ON DELETE SET NULL,
    body              TEXT NOT NULL,       -- Markdown as the panelist wrote it
    edited_body       TEXT,                -- the editor's light edit, when there is one
    editor_heading    TEXT,                -- a heading the editor inserted, shown as an editor's note
    editor_note       TEXT,
    is_late           INTEGER NOT NULL DEFAULT 0,
    included          INTEGER NOT NULL DEFAULT 1,
    position          INTEGER NOT NULL DEFAULT 0,
    submitted_at      INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    added_at          INTEGER               -- when a late answer joined the published post
);
CREATE INDEX answers_post ON answers(post_id, position);
CREATE INDEX answers_panelist ON answers(panelist_id);
CREATE INDEX answers_round ON answers(round_id);

CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag ON post_tags(tag_id);

CREATE TABLE post_categories (
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, category_id)
);
CREATE INDEX post_categories_category ON post_categories(category_id);

-- "Edited 2026-11-30 to add Jan's answer."
CREATE TABLE edit_notes (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    noted_at   INTEGER NOT NULL,
    body       TEXT NOT NULL
);

-- What the post looked like before each change after publication.
CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    editor_id  INTEGER REFERENCES editors(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    title      TEXT NOT NULL,
    snapshot   TEXT NOT NULL      -- JSON: intro, closing and the included answers as they were
);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_url   TEXT,
    body         TEXT NOT NULL,     -- Markdown subset
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    ip_hash      TEXT,
    created_at   INTEGER NOT NULL,
    wp_id        INTEGER
);
CREATE INDEX comments_post ON comments(post_id, status, created_at);
CREATE INDEX comments_status ON comments(status);

CREATE TABLE subscribers (
    id                     INTEGER PRIMARY KEY,
    email                  TEXT NOT NULL UNIQUE,
    status                 TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    confirm_token_hash     TEXT,
    unsubscribe_token_hash TEXT NOT NULL UNIQUE,
    created_at             INTEGER NOT NULL,
    confirmed_at           INTEGER,
    unsubscribed_at        INTEGER
);

-- Durable outgoing mail. A message is claimed with a lease, sent, and marked sent once.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,       -- invitation, reminder, receipt, confirm, newsletter, alert
    dedupe_key      TEXT UNIQUE,         -- the same logical message is queued only once
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    headers         TEXT NOT NULL DEFAULT '{}',  -- JSON object of extra headers (List-Unsubscribe …)
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Scheduled work: reminders, closing rounds, scheduled publishing.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    payload      TEXT NOT NULL DEFAULT '{}',
    run_at       INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    done_at      INTEGER
);
CREATE INDEX jobs_due ON jobs(status, run_at);

-- Old addresses (from WordPress) that answer with a permanent redirect.
CREATE TABLE redirects (
    old_path TEXT PRIMARY KEY,
    new_path TEXT NOT NULL
);

-- Files a post refers to (WordPress attachments, panelist photos), kept as links.
CREATE TABLE attachments (
    id       INTEGER PRIMARY KEY,
    post_id  INTEGER REFERENCES posts(id) ON DELETE CASCADE,
    url      TEXT NOT NULL,
    title    TEXT,
    wp_id    INTEGER UNIQUE
);

-- Public text of published posts and answers, one row a searchable unit. Only what readers
-- may see goes in here: an anonymous answer's row carries its text, never its author.
CREATE TABLE search_documents (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    answer_id    INTEGER REFERENCES answers(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    byline       TEXT NOT NULL,
    body         TEXT NOT NULL,
    library_type TEXT,
    year         INTEGER NOT NULL
);
CREATE INDEX search_documents_post ON search_documents(post_id);

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, byline, body,
    content = 'search_documents', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_fts (rowid, title, byline, body) VALUES (new.id, new.title, new.byline, new.body);
END;
CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, byline, body) VALUES ('delete', old.id, old.title, old.byline, old.body);
END;
CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, byline, body) VALUES ('delete', old.id, old.title, old.byline, old.body);
    INSERT INTO search_fts (rowid, title, byline, body) VALUES (new.id, new.title, new.byline, new.body);
END;
