package liveness

// Advisory lock namespaces (the first key of pg_advisory_lock(int, int)).
const (
	instanceLockSpace int32 = 0x6c697665 // "live": second key is instances.id
	reaperLockSpace   int32 = 0x72656170 // "reap": second key is 0
)

// register upserts this process's row; the caller takes the row's lock in
// the same transaction, so the row is never visible without its lock.
const register = `
INSERT INTO analytics_bot.instances (client_id) VALUES ($1)
ON CONFLICT (client_id) DO UPDATE SET seen_at = now(), lost_at = NULL, stopped_at = NULL
RETURNING id`

const tryLock = `SELECT pg_try_advisory_lock($1::integer, $2::integer)`

const heartbeat = `UPDATE analytics_bot.instances SET seen_at = now(), lost_at = NULL WHERE id = $1`

const markStopped = `UPDATE analytics_bot.instances SET stopped_at = now() WHERE id = $1`

// unlocked is true for an instance row whose advisory lock nobody holds.
const unlocked = `NOT EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = $1::integer::oid AND l.objid = i.id::oid)`

// markLost starts the confirmation window of instances that lost their lock.
const markLost = `
UPDATE analytics_bot.instances i SET lost_at = now()
WHERE i.lost_at IS NULL AND i.stopped_at IS NULL AND ` + unlocked

// reap makes the running jobs of dead instances available at once, even
// one whose last attempt it was (unlike River's rescuer, which discards
// it): that job gets one attempt more, in which Slack work answers with a
// failure message instead of leaving the person waiting. An instance is dead when its lock has stayed
// released for the confirmation window ($2, in seconds), or at once when
// it stopped gracefully.
const reap = `
WITH dead AS (
    SELECT i.client_id, i.seen_at
    FROM analytics_bot.instances i
    WHERE (i.lost_at <= now() - make_interval(secs => $2::float8) OR i.stopped_at IS NOT NULL) AND ` + unlocked + `
)
UPDATE analytics_bot.river_job j SET
    state = 'available',
    scheduled_at = now(),
    errors = array_append(j.errors, jsonb_build_object(
        'at', now(), 'attempt', j.attempt, 'error', $3 || d.client_id || ')', 'trace', '')),
    metadata = j.metadata || jsonb_build_object('liveness', jsonb_build_object(
        'recovered_attempt', j.attempt, 'instance', d.client_id, 'last_seen', d.seen_at))
FROM dead d
WHERE j.state = 'running' AND j.attempted_by[cardinality(j.attempted_by)] = d.client_id
RETURNING j.id, j.kind, j.state::text, d.client_id, d.seen_at`

// forget deletes instances gone for a day; their jobs, if any were left,
// are River's rescuer's by then.
const forget = `
DELETE FROM analytics_bot.instances i
WHERE coalesce(i.stopped_at, i.lost_at) < now() - interval '1 day' AND ` + unlocked
