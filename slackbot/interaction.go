package slackbot

import (
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"
)

// ParseInteraction decodes an interactivity payload. slack-go reads a
// button without block_id as a legacy attachment action, which has no
// action_id; the buttons are recovered from the raw payload in that case.
func ParseInteraction(payload []byte) (slack.InteractionCallback, error) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return cb, fmt.Errorf("%w: malformed interaction payload: %v", ErrBadRequest, err)
	}
	if len(cb.ActionCallback.BlockActions) > 0 {
		return cb, nil
	}
	var raw struct {
		Actions []struct {
			ActionID string `json:"action_id"`
			BlockID  string `json:"block_id"`
			Value    string `json:"value"`
			ActionTs string `json:"action_ts"`
			Type     string `json:"type"`
		} `json:"actions"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return cb, nil // the callback itself decoded; it just has no buttons
	}
	for _, a := range raw.Actions {
		if a.ActionID == "" {
			continue
		}
		cb.ActionCallback.BlockActions = append(cb.ActionCallback.BlockActions, &slack.BlockAction{
			ActionID: a.ActionID, BlockID: a.BlockID, Value: a.Value, ActionTs: a.ActionTs, Type: slack.ActionType(a.Type),
		})
	}
	return cb, nil
}
