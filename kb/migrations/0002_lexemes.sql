-- How many chunks hold each full-text lexeme (refreshed after every ingest): the
-- full-text retriever searches only a query's rarer lexemes, so a common word never
-- makes it rank most of the table.
CREATE TABLE kb_lexemes (
    word text PRIMARY KEY,
    ndoc integer NOT NULL
);

-- a knowledge base created before this migration gets its statistics now
INSERT INTO kb_lexemes (word, ndoc) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM kb_chunks');
INSERT INTO kb_meta (key, value) SELECT 'chunks', count(*)::text FROM kb_chunks
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
