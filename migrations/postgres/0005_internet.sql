-- Safe on the internet (see docs/security.md): forms sent twice store once, editors reset a
-- forgotten password by email, and the editor sees where each session signed in.

-- One row per public form sent: its idempotency key (hashed), and what the first sending made.
CREATE TABLE form_submissions (
    key_hash   TEXT PRIMARY KEY,
    result_id  BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX form_submissions_created ON form_submissions(created_at);

-- A password-reset link: single use, valid until expires_at.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    editor_id  BIGINT NOT NULL REFERENCES editors(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- What the editor's session list shows: the browser and the client address at sign-in, and
-- when the session was last used. An id to name a session in a form without its token.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN public_id TEXT;
-- The confirmation of the last change, shown once by the next admin page.
ALTER TABLE sessions ADD COLUMN notice TEXT;
-- Sessions opened before this migration get a public id too, so that each can be ended.
UPDATE sessions SET public_id = substr(token_hash, 1, 16) WHERE public_id IS NULL;
