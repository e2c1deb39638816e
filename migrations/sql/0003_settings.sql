-- Settings the application keeps for itself (for example a read-only
-- password generated on a developer machine). Invisible to the read-only role.
CREATE TABLE IF NOT EXISTS analytics_bot.settings (
    key        text PRIMARY KEY,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
