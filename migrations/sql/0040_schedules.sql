-- Scheduled questions and alerts: frozen SQL delivered to a channel on a
-- cadence, and every delivery (one row per schedule and slot, which is
-- also what keeps a slot from being posted twice).
CREATE TABLE IF NOT EXISTS analytics_bot.schedules (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at    timestamptz      NOT NULL DEFAULT now(),
    updated_at    timestamptz      NOT NULL DEFAULT now(),
    team_id       text             NOT NULL DEFAULT '',
    channel_id    text             NOT NULL,
    creator_id    text             NOT NULL,
    question      text             NOT NULL,
    sql           text             NOT NULL,
    history_id    bigint,
    frequency     text             NOT NULL,
    day           smallint         NOT NULL DEFAULT 0,
    time_of_day   text             NOT NULL,
    time_zone     text             NOT NULL,
    condition     text             NOT NULL DEFAULT 'always',
    threshold     double precision,
    window_size   integer,
    paused        boolean          NOT NULL DEFAULT false,
    paused_reason text,
    next_run_at   timestamptz      NOT NULL,
    failures      integer          NOT NULL DEFAULT 0,
    CONSTRAINT schedules_frequency_check CHECK (frequency IN ('daily', 'weekdays', 'weekly', 'monthly')),
    CONSTRAINT schedules_condition_check CHECK (condition IN ('always', 'above', 'below', 'change', 'outlier'))
);

COMMENT ON TABLE analytics_bot.schedules IS
    'Questions delivered to a Slack channel on a cadence, with their frozen SQL and the condition for posting.';

-- The planner's query: what is due now.
CREATE INDEX IF NOT EXISTS schedules_due_idx ON analytics_bot.schedules (next_run_at) WHERE NOT paused;
-- "/analytics schedules" and the per-channel cap.
CREATE INDEX IF NOT EXISTS schedules_channel_idx ON analytics_bot.schedules (team_id, channel_id, id);

CREATE TABLE IF NOT EXISTS analytics_bot.schedule_deliveries (
    schedule_id bigint      NOT NULL REFERENCES analytics_bot.schedules (id) ON DELETE CASCADE,
    slot        timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    late        boolean     NOT NULL DEFAULT false,
    status      text        NOT NULL DEFAULT 'running',
    value       double precision,
    row_count   integer,
    history_id  bigint,
    message_ts  text,
    error       text,
    PRIMARY KEY (schedule_id, slot),
    CONSTRAINT schedule_deliveries_status_check CHECK (status IN ('running', 'posted', 'withheld', 'failed'))
);

COMMENT ON TABLE analytics_bot.schedule_deliveries IS
    'One row per schedule and slot: whether it was posted, withheld by its condition, or failed, and the first number of its result.';
