-- Team knowledge: verified queries and glossary terms, loaded from the
-- knowledge files or approved by a curator in Slack, searched with
-- full-text search for every question. Invisible to the read-only role.
CREATE TABLE IF NOT EXISTS analytics_bot.knowledge_verified (
    id           text PRIMARY KEY,
    question     text        NOT NULL,
    paraphrases  text[]      NOT NULL DEFAULT '{}',
    sql          text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    owner        text        NOT NULL DEFAULT '',
    -- file: from the knowledge files; slack: proposed by a curator.
    source       text        NOT NULL,
    status       text        NOT NULL,
    position     integer     NOT NULL DEFAULT 0,
    -- The question and paraphrases as NormalizeQuestion writes them, for
    -- exact matches; the SQL as NormalizeSQL writes it, for the badge.
    phrases      text[]      NOT NULL DEFAULT '{}',
    sql_key      text        NOT NULL,
    -- The question and paraphrases (search_a) and all of the entry's text.
    search_a     tsvector    NOT NULL,
    search       tsvector    NOT NULL,
    history_id   bigint,
    proposed_by  text        NOT NULL DEFAULT '',
    reviewed_by  text        NOT NULL DEFAULT '',
    reviewed_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT knowledge_verified_source_check CHECK (source IN ('file', 'slack')),
    CONSTRAINT knowledge_verified_status_check CHECK (status IN ('proposed', 'approved', 'rejected'))
);

CREATE INDEX IF NOT EXISTS knowledge_verified_search_idx ON analytics_bot.knowledge_verified USING gin (search);
CREATE INDEX IF NOT EXISTS knowledge_verified_phrases_idx ON analytics_bot.knowledge_verified USING gin (phrases);
CREATE INDEX IF NOT EXISTS knowledge_verified_sql_key_idx ON analytics_bot.knowledge_verified (md5(sql_key));

CREATE TABLE IF NOT EXISTS analytics_bot.knowledge_terms (
    term        text PRIMARY KEY,
    synonyms    text[]   NOT NULL DEFAULT '{}',
    definition  text     NOT NULL,
    sql         text     NOT NULL DEFAULT '',
    position    integer  NOT NULL DEFAULT 0,
    -- One phrase query per name, matched against the question.
    names       tsquery[] NOT NULL,
    search      tsvector NOT NULL
);

CREATE INDEX IF NOT EXISTS knowledge_terms_search_idx ON analytics_bot.knowledge_terms USING gin (search);

-- Trigram similarity re-ranks the full-text candidates where pg_trgm is
-- available. It is a trusted extension (PostgreSQL 13+): a database owner
-- may create it. Where that is not allowed, retrieval uses full-text
-- search alone.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA analytics_bot;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported OR object_not_in_prerequisite_state THEN
    RAISE NOTICE 'pg_trgm is not available (%); knowledge retrieval uses full-text search only', SQLERRM;
END
$$;
