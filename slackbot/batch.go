package slackbot

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Batching limits: how much work one insert transaction carries, and how
// many transactions run at once. Measured on two cores with 32 concurrent
// deliveries (BenchmarkAckLatency): two in flight gave the shortest tail;
// one leaves the database idle between batches, eight compete for CPU.
const (
	maxBatch    = 100
	maxInFlight = 2
)

// batcher groups concurrent enqueues into one transaction. Each insert
// costs a pooled connection for three round trips and a WAL flush, so
// under a burst of deliveries acks queued behind one another for the
// pool; batched, a burst costs a few commits. Nothing waits on a timer:
// an enqueue is inserted at once while fewer than maxInFlight batches are
// being inserted; otherwise it waits for the next batch, which the first
// of the waiting callers inserts (the batcher has no goroutine).
type batcher struct {
	insert func(ctx context.Context, jobs []pendingJob) error

	mu       sync.Mutex
	inFlight int          // callers inserting a batch
	waiting  []*batchItem // non-empty only when inFlight == maxInFlight
}

// pendingJob is one enqueue: the work and the job metadata that carries
// the trace of the caller's request, used when another caller's context
// runs the insert (the one that does gets the insert's own span).
type pendingJob struct {
	work     Work
	metadata []byte
	// at is when the job may first run; zero for at once.
	at time.Time
}

type batchItem struct {
	job  pendingJob
	done chan struct{} // closed once err is set, or once the item leads
	lead bool
	err  error
}

// do stores job, in one transaction with whatever else is waiting, and
// returns once it is stored. The batch runs under the context of the
// caller that inserts it; the others wait for it.
func (b *batcher) do(ctx context.Context, job pendingJob) error {
	me := &batchItem{job: job}
	b.mu.Lock()
	if b.inFlight < maxInFlight {
		b.inFlight++
	} else {
		me.done = make(chan struct{})
		b.waiting = append(b.waiting, me)
		b.mu.Unlock()
		<-me.done
		if !me.lead {
			return me.err
		}
		b.mu.Lock() // finish handed this caller its slot
	}
	n := min(len(b.waiting), maxBatch-1)
	me.job.metadata = nil // inserted under its caller's own context
	batch := append([]*batchItem{me}, b.waiting[:n]...)
	clear(b.waiting[:n])
	b.waiting = b.waiting[n:]
	b.mu.Unlock()

	err := errBatchAborted // until insert returns: a panic must not strand the others
	defer func() { b.finish(batch[1:], err) }()
	err = b.insert(ctx, uniqueJobs(batch))
	return err
}

// errBatchAborted is what the rest of a batch gets if inserting it panicked.
var errBatchAborted = errors.New("the batch insert was aborted")

// finish answers the rest of a batch, then hands its slot to the first
// caller still waiting, which inserts the next batch.
func (b *batcher) finish(rest []*batchItem, err error) {
	for _, it := range rest {
		it.err = err
		close(it.done)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.waiting) == 0 {
		b.inFlight--
		return
	}
	next := b.waiting[0]
	b.waiting[0] = nil
	b.waiting = b.waiting[1:]
	next.lead = true
	close(next.done)
}

// uniqueJobs drops repeated keys: a batch is one INSERT … ON CONFLICT,
// which may not touch the same row twice, and a redelivery of the same
// Slack event needs storing once anyway.
func uniqueJobs(batch []*batchItem) []pendingJob {
	seen := make(map[string]bool, len(batch))
	jobs := make([]pendingJob, 0, len(batch))
	for _, it := range batch {
		if !seen[it.job.work.Key] {
			seen[it.job.work.Key] = true
			jobs = append(jobs, it.job)
		}
	}
	return jobs
}
