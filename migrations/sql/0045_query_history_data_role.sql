-- The data role a question ran as (ACCESS_FILE), so that a thread keeps
-- the role of its first answer and an audit can tell who saw what. NULL
-- for questions from before data roles existed.
ALTER TABLE analytics_bot.query_history ADD COLUMN IF NOT EXISTS data_role text;
