-- Feedback on an answer (the 👍 / 👎 buttons under it): the latest click,
-- who clicked and when. A second click by the same person replaces the
-- first.
ALTER TABLE analytics_bot.query_history
    ADD COLUMN IF NOT EXISTS feedback    text,
    ADD COLUMN IF NOT EXISTS feedback_by text,
    ADD COLUMN IF NOT EXISTS feedback_at timestamptz;

DO $$
BEGIN
    ALTER TABLE analytics_bot.query_history
        ADD CONSTRAINT query_history_feedback_check CHECK (feedback IN ('up', 'down'));
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

-- A reply whose message is a stream (chat.startStream): a retried job
-- appends to it or finishes it instead of editing it as a placeholder.
ALTER TABLE analytics_bot.slack_replies
    ADD COLUMN IF NOT EXISTS streaming boolean NOT NULL DEFAULT false;
