package main

import (
	"testing"

	"github.com/analytics-bot/analytics-bot/fake"
)

// spanTree indexes received spans by id to walk parent links.
type spanTree struct {
	spans []fake.Span
	byID  map[string]fake.Span
}

func newSpanTree(spans []fake.Span) spanTree {
	t := spanTree{spans: spans, byID: make(map[string]fake.Span, len(spans))}
	for _, s := range spans {
		t.byID[s.SpanID] = s
	}
	return t
}

// one returns the single span matching match, failing otherwise.
func (st spanTree) one(t *testing.T, match func(fake.Span) bool) fake.Span {
	t.Helper()
	var found []fake.Span
	for _, s := range st.spans {
		if match(s) {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d matching spans, want 1; received %v", len(found), spanNamesOf(st.spans))
	}
	return found[0]
}

// trace returns the spans of one trace.
func (st spanTree) trace(id string) []fake.Span {
	var out []fake.Span
	for _, s := range st.spans {
		if s.TraceID == id {
			out = append(out, s)
		}
	}
	return out
}

func (st spanTree) named(spans []fake.Span, name string) []fake.Span {
	var out []fake.Span
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// only returns the single span called name among spans.
func (st spanTree) only(t *testing.T, spans []fake.Span, name string) fake.Span {
	t.Helper()
	found := st.named(spans, name)
	if len(found) != 1 {
		t.Fatalf("%d spans named %q, want 1; trace has %v", len(found), name, spanNamesOf(spans))
	}
	return found[0]
}

// root climbs the parent links from s as far as received spans go.
func (st spanTree) root(s fake.Span) fake.Span {
	for range len(st.spans) {
		parent, ok := st.byID[s.ParentSpanID]
		if s.ParentSpanID == "" || !ok {
			return s
		}
		s = parent
	}
	return s // a cycle; the caller's assertion fails
}

// wantAncestor fails unless anc is on the parent path of s.
func (st spanTree) wantAncestor(t *testing.T, s, anc fake.Span) {
	t.Helper()
	for cur, n := s, 0; cur.ParentSpanID != "" && n < len(st.spans); n++ {
		parent, ok := st.byID[cur.ParentSpanID]
		if !ok {
			break
		}
		if parent.SpanID == anc.SpanID {
			return
		}
		cur = parent
	}
	t.Errorf("span %q is not under %q", s.Name, anc.Name)
}

func spanNamesOf(spans []fake.Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}
