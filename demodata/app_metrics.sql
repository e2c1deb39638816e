-- The demo's main table. migrate does not create it: demo-data does, so
-- that a real analytics database never receives an empty demo table.
CREATE TABLE IF NOT EXISTS public.app_metrics (
    day         date          NOT NULL,
    platform    text          NOT NULL,
    country     text          NOT NULL,
    dau         integer       NOT NULL,
    new_users   integer       NOT NULL,
    sessions    integer       NOT NULL,
    revenue_usd numeric(12,2) NOT NULL,
    crashes     integer       NOT NULL,
    PRIMARY KEY (day, platform, country)
);

COMMENT ON TABLE public.app_metrics IS
    'Daily product metrics of the mobile and web app: one row per day, platform and country.';
COMMENT ON COLUMN public.app_metrics.day IS
    'Calendar day (UTC) the metrics were measured on.';
COMMENT ON COLUMN public.app_metrics.platform IS
    'Client platform: ios, android or web.';
COMMENT ON COLUMN public.app_metrics.country IS
    'Country of the users, ISO 3166-1 alpha-2 code such as US, DE, IN.';
COMMENT ON COLUMN public.app_metrics.dau IS
    'Daily active users: distinct users active that day. Do not sum across days for a period''s unique users; average it or sum it as user-days.';
COMMENT ON COLUMN public.app_metrics.new_users IS
    'Users who signed up that day (signups).';
COMMENT ON COLUMN public.app_metrics.sessions IS
    'App sessions started that day.';
COMMENT ON COLUMN public.app_metrics.revenue_usd IS
    'Revenue that day in US dollars (purchases and subscriptions, after refunds).';
COMMENT ON COLUMN public.app_metrics.crashes IS
    'Client crashes reported that day.';
