package fake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Slack is a fake Slack Web API with the file-upload flow, a response_url
// receiver and a Socket Mode WebSocket.
type Slack struct {
	// URL is the Web API base URL with its trailing slash, for
	// slack.OptionAPIURL.
	URL string
	// BotUserID, BotID and TeamID are what auth.test reports; set them
	// before the first call.
	BotUserID, BotID, TeamID string
	// EnterpriseID, when set, is the Enterprise Grid organisation auth.test
	// reports, as Slack does for a workspace of one.
	EnterpriseID string
	// SocketPingInterval is how often the Socket Mode server pings each
	// connection (slack-go reconnects after 30 s without a ping); set it
	// before connecting.
	SocketPingInterval time.Duration

	t    testing.TB
	srv  *httptest.Server
	done chan struct{}
	wg   sync.WaitGroup // Socket Mode connections, which the server does not track

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every change
	calls         []Call
	messages      []Message
	files         []File
	uploads       map[string]*upload
	statuses      []Status
	rateLimits    map[string]*rateLimit
	failures      map[string][]string
	responsePosts []ResponseURLPost
	sockets       []*socketConn
	pending       [][]byte
	acks          []SocketAck
	seq           map[string]int
	refuseStreams string
	prompts       []SuggestedPrompts
	titles        []ThreadTitle
	ui            viewRegistry
	userGroups    map[string][]string        // usergroups.users.list: group ID -> member IDs
	homes         map[string]json.RawMessage // the Home tab published for each user
}

// Call is one request the fake Slack received.
type Call struct {
	// Method is the Web API method, or "upload" for a file upload POST.
	Method string
	// Params holds the form fields and query parameters; a JSON body has
	// its top-level keys flattened to strings (non-strings as JSON text).
	Params url.Values
	Body   []byte
	Header http.Header
	// Error is the Slack error answered ("ratelimited" for a 429), or "".
	Error string
	// At is when the call arrived.
	At time.Time
}

// Message is the current state of a message posted through the fake.
type Message struct {
	Channel   string
	TS        string
	ThreadTS  string
	Text      string
	Blocks    json.RawMessage
	User      string // the recipient of an ephemeral message
	Ephemeral bool
	// Updates counts the chat.update calls applied to the message.
	Updates int
	// Stream is true for a message started with chat.startStream, and
	// Streaming while it has not been stopped.
	Stream, Streaming bool
	// StreamCalls counts the start, append and stop calls applied.
	StreamCalls int
	// Tasks is the latest state of each task_update, in first-seen
	// order; TaskUpdates is every update in arrival order.
	Tasks, TaskUpdates []Task
}

// Status is one assistant.threads.setStatus call.
type Status struct {
	ChannelID       string
	ThreadTS        string
	Status          string
	LoadingMessages []string
}

// NewSlack starts a fake Slack server that is closed when the test ends.
func NewSlack(t testing.TB) *Slack {
	t.Helper()
	s := &Slack{
		BotUserID:          "UBOT",
		BotID:              "BBOT",
		TeamID:             "T0001",
		SocketPingInterval: 2 * time.Second,
		t:                  t,
		done:               make(chan struct{}),
		changed:            make(chan struct{}),
		uploads:            map[string]*upload{},
		rateLimits:         map[string]*rateLimit{},
		failures:           map[string][]string{},
		seq:                map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/upload/{id}", s.serveUpload)
	mux.HandleFunc("/api/{method}", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	mux.HandleFunc("/response/{id}", s.serveResponseURL)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/api/"
	t.Cleanup(s.close)
	return s
}

func (s *Slack) close() {
	close(s.done)
	s.mu.Lock()
	sockets := s.sockets
	s.sockets = nil
	s.mu.Unlock()
	for _, c := range sockets {
		_ = c.conn.Close()
	}
	s.wg.Wait()
	s.srv.Close()
}

// notifyLocked wakes WaitFor; s.mu must be held.
func (s *Slack) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// nextLocked returns the next number of the named sequence; s.mu must be held.
func (s *Slack) nextLocked(name string) int {
	s.seq[name]++
	return s.seq[name]
}

// Calls returns copies of every call received, in arrival order.
func (s *Slack) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.clone()
	}
	return out
}

// CallsTo returns copies of the calls of one method.
func (s *Slack) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c.clone())
		}
	}
	return out
}

// Messages returns the posted messages in posting order, as they are now.
func (s *Slack) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = m.clone()
	}
	return out
}

// Statuses returns the assistant thread statuses set, in order.
func (s *Slack) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, len(s.statuses))
	for i, st := range s.statuses {
		st.LoadingMessages = append([]string(nil), st.LoadingMessages...)
		out[i] = st
	}
	return out
}

func (m Message) clone() Message {
	m.Blocks = cloneRaw(m.Blocks)
	m.Tasks = append([]Task(nil), m.Tasks...)
	m.TaskUpdates = append([]Task(nil), m.TaskUpdates...)
	return m
}

func (c Call) clone() Call {
	c.Params = cloneValues(c.Params)
	c.Body = append([]byte(nil), c.Body...)
	c.Header = c.Header.Clone()
	return c
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func cloneRaw(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return append(json.RawMessage(nil), r...)
}

// writeSlackOK answers {"ok":true} merged with fields.
func writeSlackOK(w http.ResponseWriter, fields map[string]any) {
	body := map[string]any{"ok": true}
	for k, v := range fields {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

// writeSlackError answers {"ok":false,"error":code} with HTTP 200, as Slack does.
func writeSlackError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
}

// bearer returns the token of an Authorization header, or "".
func bearer(h http.Header) string {
	token, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return token
}
