package fake

import (
	"encoding/json"
	"net/url"
)

// Slack's limits for a published view.
const (
	viewMaxBlocks      = 100
	viewMaxBlockIDLen  = 255
	viewMaxActionIDLen = 255
	viewMaxSectionText = 3000
	viewMaxButtonText  = 75
	viewMaxButtonValue = 2000
	viewMaxElements    = 25
)

// viewsPublishLocked is views.publish: it checks the view as Slack does
// (a home view, at most 100 blocks, block ids unique and short, action ids
// unique within their block, texts and values within Slack's limits) and
// keeps the latest view of each user.
func (s *Slack) viewsPublishLocked(p url.Values, _ string) (map[string]any, string) {
	user := p.Get("user_id")
	if user == "" {
		return nil, "invalid_arguments"
	}
	var view struct {
		Type   string            `json:"type"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(p.Get("view")), &view); err != nil || view.Type != "home" {
		return nil, "invalid_arguments"
	}
	if len(view.Blocks) > viewMaxBlocks || !validViewBlocks(view.Blocks) {
		return nil, "invalid_blocks"
	}
	if s.views == nil {
		s.views = map[string]json.RawMessage{}
	}
	s.views[user] = json.RawMessage(p.Get("view"))
	return map[string]any{"view": map[string]any{"id": "V" + user, "type": "home", "blocks": view.Blocks}}, ""
}

func validViewBlocks(blocks []json.RawMessage) bool {
	blockIDs := map[string]bool{}
	for _, raw := range blocks {
		var b struct {
			Type     string `json:"type"`
			BlockID  string `json:"block_id"`
			Text     *struct{ Text string }
			Elements []struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
				Text     any    `json:"text"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(raw, &b); err != nil || b.Type == "" || len(b.BlockID) > viewMaxBlockIDLen {
			return false
		}
		if b.BlockID != "" {
			if blockIDs[b.BlockID] {
				return false
			}
			blockIDs[b.BlockID] = true
		}
		if b.Type == "section" && (b.Text == nil || len([]rune(b.Text.Text)) > viewMaxSectionText) {
			return false
		}
		if b.Type == "actions" {
			if len(b.Elements) == 0 || len(b.Elements) > viewMaxElements {
				return false
			}
			actionIDs := map[string]bool{}
			for _, e := range b.Elements {
				if e.ActionID == "" || len(e.ActionID) > viewMaxActionIDLen || actionIDs[e.ActionID] || len(e.Value) > viewMaxButtonValue {
					return false
				}
				actionIDs[e.ActionID] = true
				if e.Type == "button" {
					t, _ := e.Text.(map[string]any)
					text, _ := t["text"].(string)
					if t["type"] != "plain_text" || text == "" || len([]rune(text)) > viewMaxButtonText {
						return false
					}
				}
			}
		}
	}
	return true
}

// HomeView returns the Home tab last published for user, as JSON.
func (s *Slack) HomeView(user string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[user]
	return cloneRaw(v), ok
}
