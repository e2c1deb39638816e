-- Scheduled deliveries are recorded in query_history with statuses of
-- their own: posted, withheld by an alert's condition, or failed.
ALTER TABLE analytics_bot.query_history DROP CONSTRAINT IF EXISTS query_history_status_check;
ALTER TABLE analytics_bot.query_history ADD CONSTRAINT query_history_status_check
    CHECK (status IN ('answered', 'failed', 'partial', 'refused', 'delivered', 'withheld', 'delivery_failed'));
