-- Documents (one per drill, problem guide, question-answer pair or exercise) and their
-- chunks. The embedding column is added by the code once the embedder is known
-- (its dimension depends on the model): see kb/store.py.
CREATE TABLE kb_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE kb_documents (
    id                text PRIMARY KEY,
    collection        text NOT NULL,          -- 'coaching' (ours) or 'exercises'
    kind              text NOT NULL,          -- problem, drill, qa, exercise
    title             text NOT NULL,
    body              text NOT NULL,
    motions           text[] NOT NULL DEFAULT '{}',
    problems          text[] NOT NULL DEFAULT '{}',
    equipment         text[] NOT NULL DEFAULT '{}',
    level             text,
    contraindications text[] NOT NULL DEFAULT '{}',
    dose              jsonb,
    source            jsonb NOT NULL,
    licence           text NOT NULL,
    content_hash      text NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_documents_collection ON kb_documents (collection);
CREATE INDEX kb_documents_problems ON kb_documents USING gin (problems);
CREATE INDEX kb_documents_motions ON kb_documents USING gin (motions);

CREATE TABLE kb_chunks (
    id          bigserial PRIMARY KEY,
    document_id text NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
    ordinal     integer NOT NULL,
    text        text NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX kb_chunks_tsv ON kb_chunks USING gin (tsv);
