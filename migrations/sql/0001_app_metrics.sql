-- Until release 0005 this created the demo table public.app_metrics.
-- migrate no longer creates analytics tables: `analytics-bot demo-data`
-- creates the demo tables, and a database that already has app_metrics
-- keeps it. The version stays so that applied databases agree.
SELECT 1;
