-- One row per question asked of the bot. Owner-only: the read-only role
-- is explicitly denied access by the migrator.
CREATE TABLE IF NOT EXISTS public.query_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    team_id        text          NOT NULL DEFAULT '',
    channel_id     text          NOT NULL DEFAULT '',
    thread_ts      text          NOT NULL DEFAULT '',
    user_id        text          NOT NULL DEFAULT '',
    question       text          NOT NULL,
    sql            text,
    row_count      integer,
    answer         text,
    model          text          NOT NULL DEFAULT '',
    tokens_in      integer       NOT NULL DEFAULT 0,
    tokens_cached  integer       NOT NULL DEFAULT 0,
    tokens_out     integer       NOT NULL DEFAULT 0,
    cost_usd       numeric(12,6) NOT NULL DEFAULT 0,
    latency_ms     integer       NOT NULL DEFAULT 0,
    turns          integer       NOT NULL DEFAULT 0,
    status         text          NOT NULL,
    error          text,
    CONSTRAINT query_history_status_check CHECK (status IN ('answered', 'failed', 'partial', 'refused'))
);

COMMENT ON TABLE public.query_history IS
    'Every question asked of analytics-bot, with its SQL, answer, usage and outcome. Kept one year.';

-- "The latest answered question in this thread".
CREATE INDEX IF NOT EXISTS query_history_thread_idx
    ON public.query_history (team_id, channel_id, thread_ts, id DESC);

-- The one-year purge.
CREATE INDEX IF NOT EXISTS query_history_created_at_idx
    ON public.query_history (created_at);
