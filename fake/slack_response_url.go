package fake

import (
	"fmt"
	"io"
	"net/http"
)

// ResponseURLPost is one POST to a response_url handed out by ResponseURL.
type ResponseURLPost struct {
	URL    string
	Body   []byte
	Header http.Header
}

// ResponseURL returns a new response_url on the fake, for slash command and
// interaction payloads; what is posted there is kept in ResponseURLPosts.
func (s *Slack) ResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%s/response/%d", s.srv.URL, s.nextLocked("response"))
}

// ResponseURLPosts returns copies of the posts to response URLs, in order.
func (s *Slack) ResponseURLPosts() []ResponseURLPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ResponseURLPost, len(s.responsePosts))
	for i, p := range s.responsePosts {
		out[i] = ResponseURLPost{URL: p.URL, Body: append([]byte(nil), p.Body...), Header: p.Header.Clone()}
	}
	return out
}

func (s *Slack) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "fake slack: response_url takes POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "fake slack: read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.responsePosts = append(s.responsePosts, ResponseURLPost{
		URL: s.srv.URL + r.URL.Path, Body: body, Header: r.Header.Clone(),
	})
	s.notifyLocked()
	s.mu.Unlock()
	writeSlackOK(w, nil)
}
