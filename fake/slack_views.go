package fake

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// View is a modal opened through the fake, as it is now.
type View struct {
	ID        string
	Hash      string
	TriggerID string
	// JSON is the view as the bot last sent it (views.open or views.update).
	JSON json.RawMessage
	// Updates counts the views.update calls applied to it.
	Updates int
}

// User is a workspace member that users.info knows.
type User struct {
	ID string
	// TZ is the user's time zone, as an IANA name such as Europe/Berlin.
	TZ string
}

// viewRegistry is the fake's modals and members.
type viewRegistry struct {
	views    []*View
	users    map[string]User
	triggers map[string]bool // trigger_ids already exchanged for a view
}

func init() {
	slackMethods["views.open"] = (*Slack).openViewLocked
	slackMethods["views.update"] = (*Slack).updateViewLocked
	slackMethods["users.info"] = (*Slack).userInfoLocked
}

// AddUser makes users.info know a member and their time zone.
func (s *Slack) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ui.users == nil {
		s.ui.users = map[string]User{}
	}
	s.ui.users[u.ID] = u
}

// Views returns copies of the modals opened, in opening order.
func (s *Slack) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, len(s.ui.views))
	for i, v := range s.ui.views {
		out[i] = *v
		out[i].JSON = cloneRaw(v.JSON)
	}
	return out
}

// openViewLocked is views.open: a trigger_id is exchanged for one modal
// once, and the view must pass Slack's Block Kit rules for modals.
func (s *Slack) openViewLocked(p url.Values, _ string) (map[string]any, string) {
	trigger := p.Get("trigger_id")
	if trigger == "" {
		return nil, "invalid_arguments"
	}
	if s.ui.triggers[trigger] {
		return nil, "exchanged_trigger_id"
	}
	view, code := s.checkViewLocked("views.open", p.Get("view"))
	if code != "" {
		return nil, code
	}
	if s.ui.triggers == nil {
		s.ui.triggers = map[string]bool{}
	}
	s.ui.triggers[trigger] = true
	v := &View{ID: fmt.Sprintf("V%08d", s.nextLocked("view")), TriggerID: trigger, JSON: json.RawMessage(p.Get("view"))}
	v.Hash = fmt.Sprintf("%d.%s", time.Now().UnixNano(), v.ID)
	s.ui.views = append(s.ui.views, v)
	return map[string]any{"view": s.viewJSON(v, view)}, ""
}

// updateViewLocked is views.update, by view_id or external_id; a hash
// that is not the view's current one is a conflict, as in Slack.
func (s *Slack) updateViewLocked(p url.Values, _ string) (map[string]any, string) {
	var v *View
	for _, cand := range s.ui.views {
		if (p.Get("view_id") != "" && cand.ID == p.Get("view_id")) || (p.Get("external_id") != "" && viewExternalID(cand.JSON) == p.Get("external_id")) {
			v = cand
		}
	}
	if p.Get("view_id") == "" && p.Get("external_id") == "" {
		return nil, "invalid_arguments"
	}
	if v == nil {
		return nil, "not_found"
	}
	if h := p.Get("hash"); h != "" && h != v.Hash {
		return nil, "hash_conflict"
	}
	view, code := s.checkViewLocked("views.update", p.Get("view"))
	if code != "" {
		return nil, code
	}
	v.JSON = json.RawMessage(p.Get("view"))
	v.Updates++
	v.Hash = fmt.Sprintf("%d.%s.%d", time.Now().UnixNano(), v.ID, v.Updates)
	return map[string]any{"view": s.viewJSON(v, view)}, ""
}

// checkViewLocked validates a view; a refusal is logged with Slack's
// reason, as Slack gives it in response_metadata.
func (s *Slack) checkViewLocked(method, raw string) (jsonObject, string) {
	var view jsonObject
	if err := json.Unmarshal([]byte(raw), &view); err != nil {
		s.t.Logf("fake slack: %s: the view is not a JSON object", method)
		return nil, "invalid_arguments"
	}
	if why := checkModal(view); why != "" {
		s.t.Logf("fake slack: %s refused: %s", method, why)
		return nil, "invalid_arguments"
	}
	return view, ""
}

// viewJSON is a stored view as Slack returns it.
func (s *Slack) viewJSON(v *View, view jsonObject) jsonObject {
	out := jsonObject{}
	for k, val := range view {
		out[k] = val
	}
	out["id"], out["hash"], out["team_id"] = v.ID, v.Hash, s.TeamID
	out["state"] = jsonObject{"values": jsonObject{}}
	out["app_id"], out["bot_id"] = "A0FAKE", s.BotID
	return out
}

func viewExternalID(raw json.RawMessage) string {
	var v struct {
		ExternalID string `json:"external_id"`
	}
	_ = json.Unmarshal(raw, &v)
	return v.ExternalID
}

// userInfoLocked is users.info with the member's time zone.
func (s *Slack) userInfoLocked(p url.Values, _ string) (map[string]any, string) {
	u, ok := s.ui.users[p.Get("user")]
	if !ok {
		return nil, "user_not_found"
	}
	loc, err := time.LoadLocation(u.TZ)
	if err != nil {
		loc = time.UTC
	}
	name, offset := time.Now().In(loc).Zone()
	return map[string]any{"user": map[string]any{
		"id": u.ID, "team_id": s.TeamID, "name": u.ID, "tz": u.TZ, "tz_label": name, "tz_offset": offset,
		"profile": map[string]any{"real_name": u.ID},
	}}, ""
}
