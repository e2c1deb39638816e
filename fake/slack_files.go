package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// File is a file shared through files.completeUploadExternal.
type File struct {
	ID    string
	Name  string // the filename given to files.getUploadURLExternal
	Title string
	// Length is the size declared to files.getUploadURLExternal, which
	// should equal len(Content).
	Length         int
	Content        []byte
	ChannelID      string
	ThreadTS       string
	InitialComment string
}

// upload is a file between files.getUploadURLExternal and its completion.
type upload struct {
	name     string
	length   int
	content  []byte
	uploaded bool
}

// Files returns copies of the completed files, in completion order.
func (s *Slack) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, len(s.files))
	for i, f := range s.files {
		f.Content = append([]byte(nil), f.Content...)
		out[i] = f
	}
	return out
}

func (s *Slack) getUploadURLLocked(p url.Values, _ string) (map[string]any, string) {
	length, err := strconv.Atoi(p.Get("length"))
	if p.Get("filename") == "" || err != nil || length <= 0 {
		return nil, "invalid_arguments"
	}
	id := fmt.Sprintf("F%08d", s.nextLocked("file"))
	s.uploads[id] = &upload{name: p.Get("filename"), length: length}
	return map[string]any{"upload_url": s.URL + "upload/" + id, "file_id": id}, ""
}

// serveUpload receives the bytes of a file, as a multipart form (what
// slack-go sends) or as a raw body. Slack answers it with plain text.
func (s *Slack) serveUpload(w http.ResponseWriter, r *http.Request) {
	call, err := readUpload(r)
	if err != nil {
		http.Error(w, "fake slack: "+err.Error(), http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")

	s.mu.Lock()
	retryAfter := -1
	status := http.StatusOK
	switch u := s.uploads[id]; {
	case s.takeRateLimitLocked(call.Method, &retryAfter):
		call.Error, status = "ratelimited", http.StatusTooManyRequests
	case s.takeFailureLocked(call.Method, &call.Error):
		status = http.StatusInternalServerError
	case u == nil:
		call.Error, status = "file_not_found", http.StatusNotFound
	default:
		u.content, u.uploaded = call.content, true
	}
	s.calls = append(s.calls, call.Call)
	s.notifyLocked()
	s.mu.Unlock()

	if retryAfter >= 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	if status != http.StatusOK {
		http.Error(w, call.Error, status)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", len(call.content))
}

// uploadCall is an upload POST: its Call and the file bytes it carried.
type uploadCall struct {
	Call
	content []byte
}

func readUpload(r *http.Request) (uploadCall, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return uploadCall{}, fmt.Errorf("read upload: %w", err)
	}
	call := uploadCall{
		Call:    Call{Method: "upload", Params: r.URL.Query(), Body: body, Header: r.Header.Clone()},
		content: body,
	}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		return call, nil
	}
	fields, file, err := readMultipart(body, params["boundary"])
	if err != nil {
		return uploadCall{}, fmt.Errorf("upload: %w", err)
	}
	for k, vs := range fields {
		call.Params[k] = append(call.Params[k], vs...)
	}
	call.content = file
	return call, nil
}

func (s *Slack) completeUploadLocked(p url.Values, _ string) (map[string]any, string) {
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(p.Get("files")), &summaries); err != nil || len(summaries) == 0 {
		return nil, "invalid_arguments"
	}
	channel := p.Get("channel_id")
	if channels := splitList(p.Get("channels")); channel == "" && len(channels) > 0 {
		channel = channels[0]
	}
	for _, sum := range summaries {
		if u := s.uploads[sum.ID]; u == nil || !u.uploaded {
			return nil, "file_not_found"
		}
	}
	out := make([]map[string]any, 0, len(summaries))
	for _, sum := range summaries {
		u := s.uploads[sum.ID]
		delete(s.uploads, sum.ID)
		title := sum.Title
		if title == "" {
			title = u.name
		}
		s.files = append(s.files, File{
			ID: sum.ID, Name: u.name, Title: title, Length: u.length, Content: u.content,
			ChannelID: channel, ThreadTS: p.Get("thread_ts"), InitialComment: p.Get("initial_comment"),
		})
		out = append(out, map[string]any{"id": sum.ID, "title": title})
	}
	return map[string]any{"files": out}, ""
}
