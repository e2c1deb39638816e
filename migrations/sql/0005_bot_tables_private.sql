-- Every table the bot owns lives in analytics_bot, which the read-only
-- role can never use. Databases migrated before this keep their question
-- history: the table moves with its rows, indexes, identity sequence and
-- privileges.
DO $$
BEGIN
    IF to_regclass('public.query_history') IS NOT NULL
       AND to_regclass('analytics_bot.query_history') IS NULL THEN
        ALTER TABLE public.query_history SET SCHEMA analytics_bot;
    END IF;
END
$$;
