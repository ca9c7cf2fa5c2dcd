-- Two lookups made on every request of their kind, which read whole tables without an index:
-- the search page lists the years that have posts (each document holds a whole answer's text),
-- and a new comment checks whether its author was approved before.
CREATE INDEX search_documents_year ON search_documents(year);
CREATE INDEX comments_author_email ON comments(LOWER(author_email), status);
