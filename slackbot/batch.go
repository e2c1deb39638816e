package slackbot

import (
	"context"
	"errors"
	"sync"
)

// Batching limits: how much work one insert transaction carries, and how
// many transactions run at once (PostgreSQL flushes concurrent commits
// together, so a few in flight keep the wait for the next one short).
const (
	maxBatch    = 100
	maxInFlight = 4
)

// batcher groups concurrent enqueues into one transaction. Each insert
// costs a pooled connection for three round trips and a WAL flush, so
// under a burst of deliveries acks queued behind one another for the
// pool; batched, a burst costs a few commits. Nothing waits on a timer:
// an enqueue is inserted at once while fewer than maxInFlight batches are
// being inserted; otherwise it waits for the next batch, which the first
// of the waiting callers inserts (the batcher has no goroutine).
type batcher struct {
	insert func(ctx context.Context, works []Work) error

	mu       sync.Mutex
	inFlight int          // callers inserting a batch
	waiting  []*batchItem // non-empty only when inFlight == maxInFlight
}

type batchItem struct {
	work Work
	done chan struct{} // closed once err is set, or once the item leads
	lead bool
	err  error
}

// do stores w, in one transaction with whatever else is waiting, and
// returns once it is stored. The batch runs under the context of the
// caller that inserts it; the others wait for it.
func (b *batcher) do(ctx context.Context, w Work) error {
	me := &batchItem{work: w}
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
	batch := append([]*batchItem{me}, b.waiting[:n]...)
	clear(b.waiting[:n])
	b.waiting = b.waiting[n:]
	b.mu.Unlock()

	err := errBatchAborted // until insert returns: a panic must not strand the others
	defer func() { b.finish(batch[1:], err) }()
	err = b.insert(ctx, uniqueWork(batch))
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

// uniqueWork drops repeated keys: a batch is one INSERT … ON CONFLICT,
// which may not touch the same row twice, and a redelivery of the same
// Slack event needs storing once anyway.
func uniqueWork(batch []*batchItem) []Work {
	seen := make(map[string]bool, len(batch))
	works := make([]Work, 0, len(batch))
	for _, it := range batch {
		if !seen[it.work.Key] {
			seen[it.work.Key] = true
			works = append(works, it.work)
		}
	}
	return works
}
