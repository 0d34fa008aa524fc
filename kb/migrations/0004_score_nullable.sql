-- An analysis in which nothing could be judged (every metric needs another view, or the
-- capture was too poor) has no technique score: it is kept, with score NULL.
ALTER TABLE analyses ALTER COLUMN score DROP NOT NULL;
