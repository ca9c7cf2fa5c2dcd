-- The search page lists the years that have posts on every request: an index answers that
-- without reading every document (each holds a whole answer's text).
CREATE INDEX search_documents_year ON search_documents(year);
