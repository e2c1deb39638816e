-- One user's unfinished questions in order of arrival, so that a question
-- over the user's MAX_QUESTIONS_PER_USER finds its place in line, and a
-- finished one the next in line, by reading a few entries of this index
-- however long the line is (a flood of thousands). River's own indexes
-- would make every check read every waiting job.
CREATE INDEX IF NOT EXISTS river_job_question_turns ON analytics_bot.river_job
    ((args->>'team_id'), (args->>'user_id'), state, id)
    WHERE kind = 'slack_work' AND args->>'action' = 'question'
      AND state IN ('available', 'scheduled', 'retryable', 'running');
