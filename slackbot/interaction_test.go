package slackbot

import (
	"errors"
	"testing"
)

func TestParseInteractionWithoutBlockID(t *testing.T) {
	t.Parallel()
	payload := []byte(`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"channel":{"id":"C1"},
		"message":{"ts":"1.1","thread_ts":"1.0"},"actions":[{"action_id":"show_sql","value":"42","type":"button","action_ts":"9.9"}]}`)
	cb, err := ParseInteraction(payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("block actions = %d, want the button recovered", len(cb.ActionCallback.BlockActions))
	}
	if a := cb.ActionCallback.BlockActions[0]; a.ActionID != "show_sql" || a.Value != "42" {
		t.Errorf("action = %+v", a)
	}
}

func TestParseInteractionMalformed(t *testing.T) {
	t.Parallel()
	if _, err := ParseInteraction([]byte(`{"type":`)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("err = %v, want ErrBadRequest", err)
	}
}
