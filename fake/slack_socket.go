package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// SocketAck is an acknowledgement a Socket Mode client sent back.
type SocketAck struct {
	EnvelopeID string
	// Payload is the response payload sent with the ack, if any.
	Payload json.RawMessage
}

// socketConn is one Socket Mode WebSocket; gorilla allows one writer at a
// time, so writes take mu.
type socketConn struct {
	mu   sync.Mutex
	conn *websocket.Conn
}

func (c *socketConn) write(messageType int, data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writeLocked(messageType, data)
}

func (c *socketConn) writeLocked(messageType int, data []byte) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return fmt.Errorf("socket mode: set write deadline: %w", err)
	}
	if err := c.conn.WriteMessage(messageType, data); err != nil {
		return fmt.Errorf("socket mode: write: %w", err)
	}
	return nil
}

func (s *Slack) openConnectionLocked(_ url.Values, token string) (map[string]any, string) {
	if !strings.HasPrefix(token, "xapp-") {
		return nil, "not_allowed_token_type"
	}
	wsURL := "ws" + strings.TrimPrefix(s.srv.URL, "http") + fmt.Sprintf("/socket?ticket=%d", s.nextLocked("ticket"))
	return map[string]any{"url": wsURL}, ""
}

// serveSocket runs one Socket Mode connection: hello, queued envelopes,
// pings, and recording the client's acks until the connection ends.
func (s *Slack) serveSocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		http.Error(w, "fake slack: closing", http.StatusServiceUnavailable)
		return
	default:
	}
	s.wg.Add(1) // hijacked connections are not awaited by httptest.Server.Close
	pingEvery := s.SocketPingInterval
	s.mu.Unlock()
	defer s.wg.Done()

	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	c := &socketConn{conn: conn}
	stop := make(chan struct{})
	var keepAlive sync.WaitGroup
	keepAlive.Go(func() { s.keepAlive(c, pingEvery, stop) })
	defer func() {
		close(stop)
		keepAlive.Wait()
		_ = conn.Close()
		s.dropSocket(c)
	}()

	if err := s.greet(c); err != nil {
		return
	}
	s.readAcks(c)
}

// keepAlive pings c until stop, and closes it when the fake shuts down so
// that the read loop ends.
func (s *Slack) keepAlive(c *socketConn, every time.Duration, stop <-chan struct{}) {
	if every <= 0 {
		every = 2 * time.Second
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-s.done:
			_ = c.conn.Close()
			return
		case <-ticker.C:
			c.mu.Lock()
			err := c.conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second))
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// greet sends hello and the envelopes queued while no client was connected,
// holding c's write lock so that later envelopes cannot overtake them.
func (s *Slack) greet(c *socketConn) error {
	c.mu.Lock()
	defer c.mu.Unlock()

	s.mu.Lock()
	hello, err := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": len(s.sockets) + 1,
		"debug_info":      map[string]any{"host": "fake-slack", "build_number": 1, "approximate_connection_time": 3600},
		"connection_info": map[string]any{"app_id": "A0001"},
	})
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("socket mode: marshal hello: %w", err)
	}
	if err := c.writeLocked(websocket.TextMessage, hello); err != nil {
		return err
	}

	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.sockets = append(s.sockets, c)
	s.notifyLocked()
	s.mu.Unlock()

	for i, msg := range pending {
		if err := c.writeLocked(websocket.TextMessage, msg); err != nil {
			s.requeue(pending[i:]...)
			return err
		}
	}
	return nil
}

// readAcks records every acknowledgement until the connection fails.
func (s *Slack) readAcks(c *socketConn) {
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		s.acks = append(s.acks, SocketAck{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload})
		s.notifyLocked()
		s.mu.Unlock()
	}
}

func (s *Slack) dropSocket(c *socketConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sockets = slices.DeleteFunc(s.sockets, func(x *socketConn) bool { return x == c })
	s.notifyLocked()
}

func (s *Slack) requeue(msgs ...[]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(msgs, s.pending...)
}
