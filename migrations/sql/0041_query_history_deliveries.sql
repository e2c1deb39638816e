-- Scheduled deliveries are recorded in query_history with statuses of
-- their own. The table is found wherever an earlier migration left it.
DO $$
DECLARE
    t regclass := coalesce(to_regclass('analytics_bot.query_history'), to_regclass('public.query_history'));
BEGIN
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS query_history_status_check', t);
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT query_history_status_check CHECK (status IN '
        '(''answered'', ''failed'', ''partial'', ''refused'', ''delivered'', ''withheld'', ''delivery_failed''))', t);
END
$$;
