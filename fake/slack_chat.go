package fake

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
)

// firstTS is the timestamp of the first message; later ones count up from
// it in steps of 100 µs, so they sort and never collide.
const firstTS = 1_700_000_000_000_000

func (s *Slack) nextTSLocked() string {
	micros := firstTS + int64(s.nextLocked("ts"))*100
	return fmt.Sprintf("%d.%06d", micros/1_000_000, micros%1_000_000)
}

func (s *Slack) authTestLocked(url.Values, string) (map[string]any, string) {
	out := map[string]any{
		"url":     "https://fake.slack.com/",
		"team":    "Fake Team",
		"user":    "analytics-bot",
		"team_id": s.TeamID,
		"user_id": s.BotUserID,
		"bot_id":  s.BotID,
	}
	if s.EnterpriseID != "" {
		out["enterprise_id"] = s.EnterpriseID
	}
	return out, ""
}

func (s *Slack) postMessageLocked(p url.Values, _ string) (map[string]any, string) {
	m, errCode := newMessage(p)
	if errCode != "" {
		return nil, errCode
	}
	m.TS = s.nextTSLocked()
	s.messages = append(s.messages, m)
	return map[string]any{"channel": m.Channel, "ts": m.TS, "message": s.messageJSON(m)}, ""
}

func (s *Slack) postEphemeralLocked(p url.Values, _ string) (map[string]any, string) {
	m, errCode := newMessage(p)
	if errCode != "" {
		return nil, errCode
	}
	if m.User = p.Get("user"); m.User == "" {
		return nil, "user_not_found"
	}
	m.Ephemeral = true
	m.TS = s.nextTSLocked()
	s.messages = append(s.messages, m)
	return map[string]any{"message_ts": m.TS}, ""
}

func (s *Slack) updateMessageLocked(p url.Values, _ string) (map[string]any, string) {
	i := s.findMessageLocked(p.Get("channel"), p.Get("ts"))
	if i < 0 {
		return nil, "message_not_found"
	}
	m := &s.messages[i]
	if m.Streaming {
		return nil, "cant_update_message" // a stream is finished with chat.stopStream
	}
	if p.Has("text") {
		m.Text = p.Get("text")
	}
	if p.Has("blocks") {
		blocks, ok := rawBlocks(p.Get("blocks"))
		if !ok {
			return nil, "invalid_blocks"
		}
		m.Blocks = blocks
	}
	m.Updates++
	return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.messageJSON(*m)}, ""
}

func (s *Slack) deleteMessageLocked(p url.Values, _ string) (map[string]any, string) {
	i := s.findMessageLocked(p.Get("channel"), p.Get("ts"))
	if i < 0 {
		return nil, "message_not_found"
	}
	m := s.messages[i]
	s.messages = slices.Delete(s.messages, i, i+1)
	return map[string]any{"channel": m.Channel, "ts": m.TS}, ""
}

func (s *Slack) setStatusLocked(p url.Values, _ string) (map[string]any, string) {
	if p.Get("channel_id") == "" || p.Get("thread_ts") == "" || len(splitList(p.Get("loading_messages"))) > 10 {
		return nil, "invalid_arguments"
	}
	s.statuses = append(s.statuses, Status{
		ChannelID:       p.Get("channel_id"),
		ThreadTS:        p.Get("thread_ts"),
		Status:          p.Get("status"),
		LoadingMessages: splitList(p.Get("loading_messages")),
	})
	return nil, ""
}

// newMessage validates a post's parameters the way Slack does.
func newMessage(p url.Values) (Message, string) {
	m := Message{Channel: p.Get("channel"), ThreadTS: p.Get("thread_ts"), Text: p.Get("text")}
	if m.Channel == "" {
		return Message{}, "channel_not_found"
	}
	if p.Has("blocks") {
		blocks, ok := rawBlocks(p.Get("blocks"))
		if !ok {
			return Message{}, "invalid_blocks"
		}
		m.Blocks = blocks
	}
	if m.Text == "" && len(m.Blocks) == 0 && p.Get("attachments") == "" {
		return Message{}, "no_text"
	}
	return m, ""
}

// rawBlocks checks that s is a JSON array of blocks within Slack's limits
// (checkBlocks); "" and "[]" mean no blocks.
func rawBlocks(s string) (json.RawMessage, bool) {
	if s == "" {
		return nil, true
	}
	var blocks []json.RawMessage
	if err := json.Unmarshal([]byte(s), &blocks); err != nil {
		return nil, false
	}
	if len(blocks) == 0 {
		return nil, true
	}
	if checkBlocks(json.RawMessage(s)) != "" {
		return nil, false
	}
	return json.RawMessage(s), true
}

func (s *Slack) findMessageLocked(channel, ts string) int {
	return slices.IndexFunc(s.messages, func(m Message) bool {
		return m.Channel == channel && m.TS == ts && !m.Ephemeral
	})
}

// messageJSON renders a stored message as Slack returns it.
func (s *Slack) messageJSON(m Message) map[string]any {
	out := map[string]any{
		"type": "message", "user": s.BotUserID, "bot_id": s.BotID, "team": s.TeamID,
		"text": m.Text, "ts": m.TS,
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	return out
}

// Message returns the current state of the message at channel and ts.
func (s *Slack) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findMessageLocked(channel, ts)
	if i < 0 {
		return Message{}, false
	}
	return s.messages[i].clone(), true
}
