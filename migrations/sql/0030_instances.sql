-- The worker processes (River clients) that have run against this database.
-- Each one proves it is alive by holding a session-level advisory lock keyed
-- by its row's id on a connection of its own: PostgreSQL releases the lock
-- the moment that connection ends, so a process that dies (SIGKILL, out of
-- memory, a lost host) stops holding it at once. The liveness reaper hands
-- the running jobs of an instance without its lock to a live one.
CREATE TABLE IF NOT EXISTS analytics_bot.instances (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- River's client id, as recorded in river_job.attempted_by.
    client_id  text        NOT NULL UNIQUE,
    started_at timestamptz NOT NULL DEFAULT now(),
    -- Last heartbeat: the process was alive then.
    seen_at    timestamptz NOT NULL DEFAULT now(),
    -- When the reaper first found the lock released (cleared by a heartbeat).
    lost_at    timestamptz,
    -- When the process stopped gracefully.
    stopped_at timestamptz
);
