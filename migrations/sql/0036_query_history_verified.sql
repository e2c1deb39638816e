-- The verified query an answer's SQL was, when it was one (answered from
-- it with no model call, or the model ran it unchanged).
ALTER TABLE analytics_bot.query_history ADD COLUMN IF NOT EXISTS verified_id text;

CREATE INDEX IF NOT EXISTS query_history_verified_idx
    ON analytics_bot.query_history (verified_id) WHERE verified_id IS NOT NULL;
