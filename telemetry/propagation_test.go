package telemetry

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func TestCarrierRoundTrip(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	ctx, span := r.tp.Tracer("test").Start(context.Background(), "request")
	carrier := InjectCarrier(ctx)
	span.End()
	if carrier["traceparent"] == "" {
		t.Fatalf("carrier = %v, want a traceparent", carrier)
	}

	jobCtx := ExtractCarrier(context.Background(), carrier)
	_, child := r.tp.Tracer("test").Start(jobCtx, "job")
	child.End()
	if child.SpanContext().TraceID() != span.SpanContext().TraceID() {
		t.Errorf("job span is in trace %s, want the request's %s", child.SpanContext().TraceID(), span.SpanContext().TraceID())
	}
	if p := r.spans.Ended()[1].Parent(); p.SpanID() != span.SpanContext().SpanID() {
		t.Errorf("job span's parent = %s, want the request span %s", p.SpanID(), span.SpanContext().SpanID())
	}
}

func TestCarrierWithoutSpan(t *testing.T) {
	t.Parallel()
	if c := InjectCarrier(context.Background()); c != nil {
		t.Errorf("InjectCarrier without a span = %v, want nil", c)
	}
	ctx := context.Background()
	if got := ExtractCarrier(ctx, nil); got != ctx {
		t.Errorf("ExtractCarrier(nil) changed the context")
	}
}

// TestRiverPluginsJoinTheInsertingTrace drives the plugins' insert and work
// middleware the way River chains them (first plugin outermost), without a
// database: the work span must be a child in the inserting trace.
func TestRiverPluginsJoinTheInsertingTrace(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	join, otelMW, record := riverPlugins(t, r)

	reqCtx, request := r.tp.Tracer("test").Start(context.Background(), "POST /slack/events")
	params := []*rivertype.JobInsertParams{{Kind: "answer_question"}}
	if _, err := otelMW.InsertMany(reqCtx, params, func(ctx context.Context) ([]*rivertype.JobInsertResult, error) {
		return record.InsertMany(ctx, params, func(context.Context) ([]*rivertype.JobInsertResult, error) { return nil, nil })
	}); err != nil {
		t.Fatal(err)
	}
	request.End()

	job := &rivertype.JobRow{ID: 1, Kind: "answer_question", Attempt: 1, Metadata: params[0].Metadata}
	var inner trace.SpanContext
	err := join.Work(context.Background(), job, func(ctx context.Context) error {
		return otelMW.Work(ctx, job, func(ctx context.Context) error {
			inner = trace.SpanContextFromContext(ctx)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}

	var insert, work sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		switch s.Name() {
		case "river.insert_many":
			insert = s
		case "river.work/answer_question":
			work = s
		}
	}
	if insert == nil || work == nil {
		t.Fatalf("spans = %v, want river.insert_many and river.work/answer_question", r.spans.Ended())
	}
	if work.SpanContext().TraceID() != request.SpanContext().TraceID() {
		t.Errorf("work span is in another trace than the request")
	}
	if work.Parent().SpanID() != insert.SpanContext().SpanID() {
		t.Errorf("work span's parent = %s, want the insert span %s", work.Parent().SpanID(), insert.SpanContext().SpanID())
	}
	if inner.SpanID() != work.SpanContext().SpanID() {
		t.Errorf("the worker does not run inside the work span")
	}
}

// riverPlugins returns RiverPlugins' three middlewares in their order.
func riverPlugins(t *testing.T, r recorders) (rivertype.WorkerMiddleware, *otelriver.Middleware, rivertype.JobInsertMiddleware) {
	t.Helper()
	plugins := RiverPlugins(r.tp, r.mp)
	if len(plugins) != 3 {
		t.Fatalf("plugins = %d, want 3", len(plugins))
	}
	return plugins[0].(rivertype.WorkerMiddleware), plugins[1].(*otelriver.Middleware), plugins[2].(rivertype.JobInsertMiddleware)
}

// TestBatchedJobsJoinTheirOwnRequests inserts the jobs of two requests in
// one insert run under the first request's context, as a batching queue
// does: the second job, whose enqueuer gave it TraceMetadata, must be
// worked in the second request's trace.
func TestBatchedJobsJoinTheirOwnRequests(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	join, otelMW, record := riverPlugins(t, r)
	tracer := r.tp.Tracer("test")
	ctxA, reqA := tracer.Start(context.Background(), "request A")
	ctxB, reqB := tracer.Start(context.Background(), "request B")
	params := []*rivertype.JobInsertParams{
		{Kind: "answer_question", Metadata: []byte(`{}`)},
		{Kind: "answer_question", Metadata: TraceMetadata(ctxB)},
	}
	if _, err := otelMW.InsertMany(ctxA, params, func(ctx context.Context) ([]*rivertype.JobInsertResult, error) {
		return record.InsertMany(ctx, params, func(context.Context) ([]*rivertype.JobInsertResult, error) { return nil, nil })
	}); err != nil {
		t.Fatal(err)
	}
	reqA.End()
	reqB.End()

	for i, want := range []trace.SpanContext{reqA.SpanContext(), reqB.SpanContext()} {
		job := &rivertype.JobRow{ID: int64(i + 1), Kind: "answer_question", Attempt: 1, Metadata: params[i].Metadata}
		var got trace.SpanContext
		_ = join.Work(context.Background(), job, func(ctx context.Context) error {
			return otelMW.Work(ctx, job, func(ctx context.Context) error {
				got = trace.SpanContextFromContext(ctx)
				return nil
			})
		})
		if got.TraceID() != want.TraceID() {
			t.Errorf("job %d worked in trace %s, want its request's %s", i+1, got.TraceID(), want.TraceID())
		}
	}
	if TraceMetadata(context.Background()) != nil {
		t.Error("TraceMetadata without a span is not nil")
	}
}

func TestWithTraceKeepsWhatIsThere(t *testing.T) {
	t.Parallel()
	carrier := map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
	for in, want := range map[string]string{
		``:                       `{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}`,
		`null`:                   `{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}`,
		`{"a":1}`:                `{"a":1,"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}`,
		`{"traceparent":"mine"}`: `{"traceparent":"mine"}`,
		`[1]`:                    `[1]`,
		`not json`:               `not json`,
	} {
		if got := string(withTrace([]byte(in), carrier)); got != want {
			t.Errorf("withTrace(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestJoinTraceKeepsExistingSpanAndIgnoresBadMetadata(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	join := &joinTrace{}
	ctx, span := r.tp.Tracer("test").Start(context.Background(), "outer")
	defer span.End()

	job := &rivertype.JobRow{Metadata: []byte(`{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}`)}
	_ = join.Work(ctx, job, func(ctx context.Context) error {
		if trace.SpanContextFromContext(ctx).SpanID() != span.SpanContext().SpanID() {
			t.Errorf("joinTrace replaced an existing span")
		}
		return nil
	})
	for _, meta := range []string{``, `not json`, `{"traceparent":42}`} {
		job := &rivertype.JobRow{Metadata: []byte(meta)}
		_ = join.Work(context.Background(), job, func(ctx context.Context) error {
			if trace.SpanContextFromContext(ctx).IsValid() {
				t.Errorf("metadata %q produced a span context", meta)
			}
			return nil
		})
	}
}
