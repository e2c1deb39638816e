package fake

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/gorilla/websocket"
)

// SendSocketEvent pushes a Socket Mode message (any JSON value, or raw JSON
// bytes) to the newest connected client. With no client connected it is
// queued and delivered, in order, right after the next client's hello.
func (s *Slack) SendSocketEvent(envelope any) {
	var msg []byte
	switch e := envelope.(type) {
	case []byte:
		msg = e
	case json.RawMessage:
		msg = e
	default:
		b, err := json.Marshal(envelope)
		if err != nil {
			s.t.Errorf("fake slack: marshal socket envelope: %v", err)
			return
		}
		msg = b
	}
	if !json.Valid(msg) {
		s.t.Errorf("fake slack: socket envelope is not JSON: %s", msg)
		return
	}

	s.mu.Lock()
	var c *socketConn
	if n := len(s.sockets); n > 0 {
		c = s.sockets[n-1]
	} else {
		s.pending = append(s.pending, msg)
	}
	s.mu.Unlock()

	if c != nil && c.write(websocket.TextMessage, msg) != nil {
		s.requeue(msg)
	}
}

// SendSocketEventsAPI pushes an events_api envelope whose payload is
// eventJSON (the event_callback body) and returns its envelope ID.
func (s *Slack) SendSocketEventsAPI(eventJSON []byte) string {
	return s.sendEnvelope("events_api", eventJSON, false)
}

// SendSocketSlashCommand pushes a slash_commands envelope whose payload
// holds form's fields (command, text, user_id, channel_id, response_url, …)
// and returns its envelope ID.
func (s *Slack) SendSocketSlashCommand(form url.Values) string {
	fields := make(map[string]string, len(form))
	for k := range form {
		fields[k] = form.Get(k)
	}
	payload, err := json.Marshal(fields)
	if err != nil {
		s.t.Errorf("fake slack: marshal slash command: %v", err)
		return ""
	}
	return s.sendEnvelope("slash_commands", payload, true)
}

// SendSocketInteraction pushes an interactive envelope whose payload is
// payloadJSON (a block_actions or similar body) and returns its envelope ID.
func (s *Slack) SendSocketInteraction(payloadJSON []byte) string {
	return s.sendEnvelope("interactive", payloadJSON, true)
}

func (s *Slack) sendEnvelope(kind string, payload []byte, acceptsResponse bool) string {
	if !json.Valid(payload) {
		s.t.Errorf("fake slack: %s payload is not JSON: %s", kind, payload)
		return ""
	}
	s.mu.Lock()
	id := fmt.Sprintf("envelope-%d", s.nextLocked("envelope"))
	s.mu.Unlock()
	s.SendSocketEvent(map[string]any{
		"envelope_id":              id,
		"type":                     kind,
		"payload":                  json.RawMessage(payload),
		"accepts_response_payload": acceptsResponse,
		"retry_attempt":            0,
		"retry_reason":             "",
	})
	return id
}

// SocketAcks returns the envelope IDs the clients acknowledged, in order.
func (s *Slack) SocketAcks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(s.acks))
	for i, a := range s.acks {
		ids[i] = a.EnvelopeID
	}
	return ids
}

// SocketAckDetails returns the acknowledgements with their payloads.
func (s *Slack) SocketAckDetails() []SocketAck {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SocketAck, len(s.acks))
	for i, a := range s.acks {
		a.Payload = cloneRaw(a.Payload)
		out[i] = a
	}
	return out
}

// SocketConnections returns how many Socket Mode clients are connected.
func (s *Slack) SocketConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}
