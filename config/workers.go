package config

// PoolConns is the size of each of serve's two PostgreSQL pools: the
// owner pool (acks, history, the job queue) and the read-only pool (the
// model's SQL).
const PoolConns = 20

// QuestionsPerConn is how many questions in flight share one read-only
// connection. A question holds a worker for its whole life, about two
// model turns (4 s with a 2 s model), but a read-only connection only
// while its query runs, typically a few milliseconds to a second; six
// questions per connection keep the pool busy without a queue forming
// behind a slow query in the common case.
const QuestionsPerConn = 6

// DefaultWorkers is WORKERS when it is not set: QuestionsPerConn
// questions for each of the PoolConns read-only connections, 120 with the
// defaults. With a 2 s model turn and two turns a question that is a
// ceiling of 120 × 60 s / 4 s = 1,800 questions a minute per instance,
// above the goal of 1,500.
func DefaultWorkers() int {
	return PoolConns * QuestionsPerConn
}
