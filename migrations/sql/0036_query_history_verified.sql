-- The verified query an answer's SQL was, when it was one (answered from
-- it with no model call, or the model ran it unchanged).
ALTER TABLE analytics_bot.query_history ADD COLUMN IF NOT EXISTS verified_id text;
