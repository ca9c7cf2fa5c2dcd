-- Whether the reader who suggested a question wants an email with the post's link when it is
-- published. Questions from before the suggest form asked are 0: nobody agreed to that mail.
ALTER TABLE questions ADD COLUMN notify_submitter INTEGER NOT NULL DEFAULT 0;
