-- Athlete history (issue 18): who, which session, which recording, and every analysis of
-- it. Kept apart from the knowledge base: `sportsgpt kb reset` leaves these tables alone,
-- so every statement here may run again (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS athletes (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS training_sessions (
    id         bigserial PRIMARY KEY,
    athlete_id bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    label      text NOT NULL,              -- a batch run, an app session, a date
    started_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (athlete_id, label)
);

-- a recording is its content: the same file under another name is the same recording
CREATE TABLE IF NOT EXISTS recordings (
    hash          text PRIMARY KEY,          -- SHA-256 of the file's bytes
    original_name text NOT NULL,
    kind          text NOT NULL,             -- video, keypoints, mocap
    frames        integer NOT NULL,
    fps           double precision NOT NULL,
    duration_s    double precision NOT NULL,
    view          text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- which athlete and session a recording belongs to (a recording seen again in another
-- run is linked again, never analysed again)
CREATE TABLE IF NOT EXISTS recording_links (
    recording_hash text NOT NULL REFERENCES recordings (hash) ON DELETE CASCADE,
    athlete_id     bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    session_id     bigint REFERENCES training_sessions (id) ON DELETE SET NULL,
    linked_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (recording_hash, athlete_id, session_id)
);

CREATE TABLE IF NOT EXISTS analyses (
    id               text PRIMARY KEY,
    recording_hash   text NOT NULL REFERENCES recordings (hash) ON DELETE CASCADE,
    athlete_id       bigint NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    session_id       bigint REFERENCES training_sessions (id) ON DELETE SET NULL,
    motion           text NOT NULL,
    settings_version text NOT NULL,         -- what could change the result (see history.py)
    score            double precision NOT NULL,
    problems         jsonb NOT NULL,        -- id, label, severity, probability, evidence
    keyframes        jsonb NOT NULL,        -- the best occurrence's keyframe -> frame
    versions         jsonb NOT NULL,        -- software, reference and spec versions
    assessment       jsonb NOT NULL,        -- the whole Assessment, for figures and compare
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (recording_hash, motion, settings_version)
);
CREATE INDEX IF NOT EXISTS analyses_athlete_time ON analyses (athlete_id, created_at);
