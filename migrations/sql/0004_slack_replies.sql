-- What the bot has posted for each piece of Slack work, so that a retried
-- job edits its placeholder instead of answering twice.
CREATE TABLE IF NOT EXISTS analytics_bot.slack_replies (
    work_key       text PRIMARY KEY,
    channel_id     text        NOT NULL,
    thread_ts      text        NOT NULL,
    placeholder_ts text,
    answer_ts      text,
    answered_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS slack_replies_created_at_idx ON analytics_bot.slack_replies (created_at);
