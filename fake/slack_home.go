package fake

import (
	"encoding/json"
	"fmt"
	"net/url"
)

func init() {
	slackMethods["views.publish"] = (*Slack).publishViewLocked
}

// homeBlocks are the block types a Home tab may hold.
var homeBlocks = map[string]bool{
	"actions": true, "context": true, "divider": true, "file": true, "header": true, "image": true,
	"section": true, "rich_text": true, "video": true,
}

// publishViewLocked is views.publish: it checks the Home tab as Slack
// does (answering invalid_arguments, with Slack's reason logged) and keeps
// the latest one of each user.
func (s *Slack) publishViewLocked(p url.Values, _ string) (map[string]any, string) {
	user := p.Get("user_id")
	if user == "" {
		return nil, "invalid_arguments"
	}
	var view jsonObject
	if err := json.Unmarshal([]byte(p.Get("view")), &view); err != nil {
		s.t.Logf("fake slack: views.publish: the view is not a JSON object")
		return nil, "invalid_arguments"
	}
	if why := checkHome(view); why != "" {
		s.t.Logf("fake slack: views.publish refused: %s", why)
		return nil, "invalid_arguments"
	}
	if s.homes == nil {
		s.homes = map[string]json.RawMessage{}
	}
	s.homes[user] = json.RawMessage(p.Get("view"))
	v := &View{ID: "VHOME" + user, Hash: fmt.Sprintf("home.%s.%d", user, s.nextLocked("view"))}
	return map[string]any{"view": s.viewJSON(v, view)}, ""
}

// checkHome returns "" or why Slack would refuse a Home tab.
func checkHome(v jsonObject) string {
	if t, _ := v["type"].(string); t != "home" {
		return `view.type must be "home"`
	}
	for _, k := range []string{"callback_id", "external_id"} {
		if s, _ := v[k].(string); chars(s) > 255 {
			return "view." + k + " longer than 255 characters"
		}
	}
	blocks, ok := v["blocks"].([]any)
	if !ok {
		return "view.blocks must be an array"
	}
	if len(blocks) > 100 {
		return fmt.Sprintf("view has %d blocks, at most 100", len(blocks))
	}
	ids := map[string]bool{}
	for i, raw := range blocks {
		b, ok := raw.(jsonObject)
		if !ok {
			return fmt.Sprintf("blocks[%d] is not an object", i)
		}
		t, _ := b["type"].(string)
		if !homeBlocks[t] {
			return fmt.Sprintf("blocks[%d]: type %q is not allowed in a Home tab", i, t)
		}
		if why := checkViewBlockID(i, b, ids); why != "" {
			return why
		}
		var why string
		switch t {
		case "section":
			why = checkSectionBlock(b)
			if acc, ok := b["accessory"].(jsonObject); ok && why == "" {
				why = kitElement(acc)
			}
		case "context":
			why = checkContextBlock(b)
		case "actions":
			why = kitActions(b)
		case "header":
			why = checkTextObject(b["text"], 150, "plain_text")
		}
		if why != "" {
			return fmt.Sprintf("blocks[%d] (%s): %s", i, t, why)
		}
	}
	return ""
}

// HomeView returns the Home tab last published for user, as JSON.
func (s *Slack) HomeView(user string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.homes[user]
	return cloneRaw(v), ok
}
