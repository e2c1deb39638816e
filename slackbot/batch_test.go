package slackbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// batchRecorder is an insert function that keeps the batches it was given.
type batchRecorder struct {
	mu       sync.Mutex
	batches  [][]Work
	running  atomic.Int32
	overlaps atomic.Int32 // the most inserts seen running at once
	fail     error
}

func (r *batchRecorder) insert(_ context.Context, jobs []pendingJob) error {
	n := r.running.Add(1)
	defer r.running.Add(-1)
	for {
		most := r.overlaps.Load()
		if n <= most || r.overlaps.CompareAndSwap(most, n) {
			break
		}
	}
	time.Sleep(time.Millisecond) // a commit
	r.mu.Lock()
	defer r.mu.Unlock()
	works := make([]Work, len(jobs))
	for i, j := range jobs {
		works[i] = j.work
	}
	r.batches = append(r.batches, works)
	return r.fail
}

// enqueueAll calls do for n distinct keys at once and returns their errors.
func enqueueAll(b *batcher, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = b.do(context.Background(), pendingJob{work: Work{Key: fmt.Sprintf("msg:C1:%d", i)}}) })
	}
	wg.Wait()
	return errs
}

func TestBatcherStoresEveryWorkOnceInFewTransactions(t *testing.T) {
	t.Parallel()
	rec := &batchRecorder{}
	b := &batcher{insert: rec.insert}
	const n = 300
	for i, err := range enqueueAll(b, n) {
		if err != nil {
			t.Errorf("enqueue %d: %v", i, err)
		}
	}
	stored := map[string]int{}
	for _, batch := range rec.batches {
		if len(batch) > maxBatch {
			t.Errorf("a batch of %d, over the cap of %d", len(batch), maxBatch)
		}
		for _, w := range batch {
			stored[w.Key]++
		}
	}
	for i := range n {
		if key := fmt.Sprintf("msg:C1:%d", i); stored[key] != 1 {
			t.Errorf("%s stored %d times, want once", key, stored[key])
		}
	}
	if len(rec.batches) >= n {
		t.Errorf("%d transactions for %d concurrent enqueues: nothing was batched", len(rec.batches), n)
	}
	if most := rec.overlaps.Load(); most > maxInFlight {
		t.Errorf("%d inserts ran at once, want at most %d", most, maxInFlight)
	}
	if b.inFlight != 0 || len(b.waiting) != 0 {
		t.Errorf("after the burst: %d in flight, %d waiting; want none", b.inFlight, len(b.waiting))
	}
}

func TestBatcherGivesTheInsertErrorToTheWholeBatch(t *testing.T) {
	t.Parallel()
	errDown := errors.New("database down")
	b := &batcher{insert: (&batchRecorder{fail: errDown}).insert}
	for i, err := range enqueueAll(b, 50) {
		if !errors.Is(err, errDown) {
			t.Errorf("enqueue %d: error %v, want %v", i, err, errDown)
		}
	}
}

func TestBatcherSurvivesAPanickingInsert(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	b := &batcher{insert: func(_ context.Context, jobs []pendingJob) error {
		switch {
		case jobs[0].work.Key == "w1":
			panic("boom")
		case strings.HasPrefix(jobs[0].work.Key, "slot"):
			<-gate
		}
		return nil
	}}
	waitFor := func(cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			b.mu.Lock()
			ok := cond()
			b.mu.Unlock()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the batcher did not reach the expected state")
			}
		}
	}
	var wg sync.WaitGroup
	for i := range maxInFlight { // hold every slot
		wg.Go(func() { _ = b.do(context.Background(), pendingJob{work: Work{Key: fmt.Sprintf("slot%d", i)}}) })
	}
	waitFor(func() bool { return b.inFlight == maxInFlight })
	recovered := make(chan any, 1)
	wg.Go(func() {
		defer func() { recovered <- recover() }()
		_ = b.do(context.Background(), pendingJob{work: Work{Key: "w1"}})
	})
	waitFor(func() bool { return len(b.waiting) == 1 })
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = b.do(context.Background(), pendingJob{work: Work{Key: fmt.Sprintf("w%d", i+2)}}) })
	}
	waitFor(func() bool { return len(b.waiting) == 3 })

	gate <- struct{}{} // one slot frees: w1 leads the batch w1, w2, w3 and panics
	if <-recovered == nil {
		t.Error("the insert's panic did not reach the caller that ran it")
	}
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, errBatchAborted) {
			t.Errorf("w%d in the panicking batch: error %v, want %v", i+2, err, errBatchAborted)
		}
	}
	if err := b.do(context.Background(), pendingJob{work: Work{Key: "after"}}); err != nil {
		t.Errorf("enqueue after the panic: %v", err)
	}
	if b.inFlight != 0 || len(b.waiting) != 0 {
		t.Errorf("after the panic: %d in flight, %d waiting; want none", b.inFlight, len(b.waiting))
	}
}

func TestBatcherLeavesTheTraceOfTheInsertingCallerToTheInsert(t *testing.T) {
	t.Parallel()
	var got []pendingJob
	b := &batcher{insert: func(_ context.Context, jobs []pendingJob) error {
		got = jobs
		return nil
	}}
	if err := b.do(context.Background(), pendingJob{work: Work{Key: "a"}, metadata: []byte(`{"traceparent":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].metadata != nil {
		t.Errorf("inserted %v; want the job without metadata, since its own context runs the insert", got)
	}
}

func TestUniqueJobsDropsRepeatedKeys(t *testing.T) {
	t.Parallel()
	job := func(key, trace string) *batchItem {
		return &batchItem{job: pendingJob{work: Work{Key: key}, metadata: []byte(trace)}}
	}
	got := uniqueJobs([]*batchItem{job("a", "t1"), job("b", "t2"), job("a", "t3")})
	if len(got) != 2 || got[0].work.Key != "a" || got[1].work.Key != "b" {
		t.Fatalf("uniqueJobs = %v, want a then b", got)
	}
	if string(got[0].metadata) != "t1" || string(got[1].metadata) != "t2" {
		t.Errorf("metadata = %q, %q; want each job's own (t1, t2)", got[0].metadata, got[1].metadata)
	}
}
