package fake

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Task is the state of one task_update of a streamed message.
type Task struct {
	ID      string
	Title   string
	Status  string
	Details string
	Output  string
}

const maxStreamMarkdown = 12000

// RefuseStreams makes every chat.startStream answer slackError, as Slack
// does where streams cannot be used (method_not_supported_for_channel_type);
// "" accepts streams again.
func (s *Slack) RefuseStreams(slackError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseStreams = slackError
}

func (s *Slack) startStreamLocked(p url.Values, _ string) (map[string]any, string) {
	channel := p.Get("channel")
	switch {
	case channel == "":
		return nil, "channel_not_found"
	case s.refuseStreams != "":
		return nil, s.refuseStreams
	case p.Get("thread_ts") == "" && !strings.HasPrefix(channel, "C"):
		return nil, "invalid_arguments" // only channels take top-level streams
	case !strings.HasPrefix(channel, "D") && (p.Get("recipient_user_id") == "" || p.Get("recipient_team_id") == ""):
		return nil, "invalid_arguments" // required when streaming to channels
	}
	switch p.Get("task_display_mode") {
	case "", "timeline", "plan":
	default:
		return nil, "invalid_arguments"
	}
	m := Message{Channel: channel, ThreadTS: p.Get("thread_ts"), Stream: true, Streaming: true}
	if code := m.appendLocked(p); code != "" {
		return nil, code
	}
	m.TS = s.nextTSLocked()
	s.messages = append(s.messages, m)
	return map[string]any{"channel": m.Channel, "ts": m.TS}, ""
}

func (s *Slack) appendStreamLocked(p url.Values, _ string) (map[string]any, string) {
	m, code := s.streamLocked(p)
	if code != "" {
		return nil, code
	}
	if code := m.appendLocked(p); code != "" {
		return nil, code
	}
	return map[string]any{"channel": m.Channel, "ts": m.TS}, ""
}

func (s *Slack) stopStreamLocked(p url.Values, _ string) (map[string]any, string) {
	m, code := s.streamLocked(p)
	if code != "" {
		return nil, code
	}
	var blocks json.RawMessage
	if p.Has("blocks") {
		var ok bool
		if blocks, ok = rawBlocks(p.Get("blocks")); !ok {
			return nil, "invalid_blocks"
		}
	}
	next := *m
	if code := next.appendLocked(p); code != "" {
		return nil, code
	}
	*m = next
	if blocks != nil {
		m.Blocks = blocks
	}
	m.Streaming = false
	return map[string]any{"channel": m.Channel, "ts": m.TS, "message": s.messageJSON(*m)}, ""
}

// streamLocked finds the stream a call names; it must still be streaming.
func (s *Slack) streamLocked(p url.Values) (*Message, string) {
	i := s.findMessageLocked(p.Get("channel"), p.Get("ts"))
	if i < 0 {
		return nil, "message_not_found"
	}
	m := &s.messages[i]
	if !m.Streaming {
		return nil, "message_not_in_streaming_state"
	}
	return m, ""
}

// appendLocked adds a call's markdown_text and chunks to a stream,
// checking them the way Slack does.
func (m *Message) appendLocked(p url.Values) string {
	text := m.Text + p.Get("markdown_text")
	var chunks []jsonObject
	if raw := p.Get("chunks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &chunks); err != nil {
			return "invalid_chunks"
		}
	}
	tasks := append([]Task(nil), m.Tasks...)
	updates := append([]Task(nil), m.TaskUpdates...)
	var blocks []json.RawMessage
	for _, c := range chunks {
		switch t, _ := c["type"].(string); t {
		case "markdown_text":
			s, _ := c["text"].(string)
			text += s
		case "task_update":
			task, why := taskOf(c)
			if why != "" {
				return "invalid_chunks"
			}
			updates = append(updates, task)
			tasks = mergeTask(tasks, task)
		case "plan_update":
			if title, _ := c["title"].(string); title == "" {
				return "invalid_chunks"
			}
		case "blocks":
			raw, _ := json.Marshal(c["blocks"])
			if checkBlocks(raw) != "" {
				return "invalid_blocks"
			}
			blocks = append(blocks, raw)
		default:
			return "invalid_chunks"
		}
	}
	if chars(text) > maxStreamMarkdown {
		return "msg_too_long"
	}
	m.Text, m.Tasks, m.TaskUpdates = text, tasks, updates
	m.StreamCalls++
	for _, b := range blocks {
		m.Blocks = appendRawBlocks(m.Blocks, b)
	}
	return ""
}

func taskOf(c jsonObject) (Task, string) {
	t := Task{}
	t.ID, _ = c["id"].(string)
	t.Title, _ = c["title"].(string)
	t.Status, _ = c["status"].(string)
	t.Details, _ = c["details"].(string)
	t.Output, _ = c["output"].(string)
	if t.ID == "" || t.Title == "" {
		return t, "task_update needs an id and a title"
	}
	switch t.Status {
	case "", "pending", "in_progress", "complete", "error":
	default:
		return t, fmt.Sprintf("task status %q", t.Status)
	}
	return t, ""
}

// mergeTask applies an update to the task list, keeping first-seen order.
func mergeTask(tasks []Task, u Task) []Task {
	for i := range tasks {
		if tasks[i].ID == u.ID {
			tasks[i] = u
			return tasks
		}
	}
	return append(tasks, u)
}

func appendRawBlocks(a, b json.RawMessage) json.RawMessage {
	var x, y []json.RawMessage
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	out, _ := json.Marshal(append(x, y...))
	return out
}

// SuggestedPrompts is one assistant.threads.setSuggestedPrompts call.
type SuggestedPrompts struct {
	ChannelID, ThreadTS, Title string
	Prompts                    []struct{ Title, Message string }
}

// ThreadTitle is one assistant.threads.setTitle call.
type ThreadTitle struct {
	ChannelID, ThreadTS, Title string
}

func (s *Slack) setSuggestedPromptsLocked(p url.Values, _ string) (map[string]any, string) {
	sp := SuggestedPrompts{ChannelID: p.Get("channel_id"), ThreadTS: p.Get("thread_ts"), Title: p.Get("title")}
	if sp.ChannelID == "" || sp.ThreadTS == "" {
		return nil, "invalid_arguments"
	}
	if err := json.Unmarshal([]byte(p.Get("prompts")), &sp.Prompts); err != nil || len(sp.Prompts) == 0 || len(sp.Prompts) > 4 {
		return nil, "invalid_arguments"
	}
	for _, pr := range sp.Prompts {
		if pr.Title == "" || pr.Message == "" {
			return nil, "invalid_arguments"
		}
	}
	s.prompts = append(s.prompts, sp)
	return nil, ""
}

func (s *Slack) setTitleLocked(p url.Values, _ string) (map[string]any, string) {
	t := ThreadTitle{ChannelID: p.Get("channel_id"), ThreadTS: p.Get("thread_ts"), Title: p.Get("title")}
	if t.ChannelID == "" || t.ThreadTS == "" || t.Title == "" {
		return nil, "invalid_arguments"
	}
	s.titles = append(s.titles, t)
	return nil, ""
}

// SuggestedPromptsSet returns the suggested prompts set, in order.
func (s *Slack) SuggestedPromptsSet() []SuggestedPrompts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SuggestedPrompts(nil), s.prompts...)
}

// Titles returns the thread titles set, in order.
func (s *Slack) Titles() []ThreadTitle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ThreadTitle(nil), s.titles...)
}
