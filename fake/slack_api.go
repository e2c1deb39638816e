package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// slackMethod answers one Web API method with s.mu held: the fields to add
// to {"ok":true}, or a Slack error code.
type slackMethod func(s *Slack, p url.Values, token string) (map[string]any, string)

var slackMethods = map[string]slackMethod{
	"auth.test":                             (*Slack).authTestLocked,
	"chat.postMessage":                      (*Slack).postMessageLocked,
	"chat.update":                           (*Slack).updateMessageLocked,
	"chat.postEphemeral":                    (*Slack).postEphemeralLocked,
	"chat.delete":                           (*Slack).deleteMessageLocked,
	"assistant.threads.setStatus":           (*Slack).setStatusLocked,
	"assistant.threads.setSuggestedPrompts": (*Slack).setSuggestedPromptsLocked,
	"assistant.threads.setTitle":            (*Slack).setTitleLocked,
	"chat.startStream":                      (*Slack).startStreamLocked,
	"chat.appendStream":                     (*Slack).appendStreamLocked,
	"chat.stopStream":                       (*Slack).stopStreamLocked,
	"files.getUploadURLExternal":            (*Slack).getUploadURLLocked,
	"files.completeUploadExternal":          (*Slack).completeUploadLocked,
	"apps.connections.open":                 (*Slack).openConnectionLocked,
}

func (s *Slack) serveAPI(w http.ResponseWriter, r *http.Request) {
	call, err := readCall(r, r.PathValue("method"))
	if err != nil {
		http.Error(w, "fake slack: "+err.Error(), http.StatusBadRequest)
		return
	}
	token := bearer(r.Header)
	if token == "" {
		token = call.Params.Get("token")
	}

	s.mu.Lock()
	var (
		fields     map[string]any
		retryAfter = -1
	)
	switch {
	case s.takeRateLimitLocked(call.Method, &retryAfter):
		call.Error = "ratelimited"
	case s.takeFailureLocked(call.Method, &call.Error):
	case token == "":
		call.Error = "not_authed"
	default:
		method, ok := slackMethods[call.Method]
		if !ok {
			call.Error = "unknown_method"
			break
		}
		fields, call.Error = method(s, call.Params, token)
	}
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()

	switch {
	case retryAfter >= 0:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"})
	case call.Error != "":
		writeSlackError(w, call.Error)
	default:
		writeSlackOK(w, fields)
	}
}

// readCall reads a request's parameters whichever way slack-go sent them.
func readCall(r *http.Request, method string) (Call, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return Call{}, fmt.Errorf("read body: %w", err)
	}
	params, err := parseParams(r.Header.Get("Content-Type"), body)
	if err != nil {
		return Call{}, fmt.Errorf("%s: %w", method, err)
	}
	for k, vs := range r.URL.Query() {
		params[k] = append(params[k], vs...)
	}
	return Call{Method: method, Params: params, Body: body, Header: r.Header.Clone(), At: time.Now()}, nil
}

// parseParams decodes a form, multipart or JSON body into flat values.
func parseParams(contentType string, body []byte) (url.Values, error) {
	mediaType, mparams, _ := mime.ParseMediaType(contentType)
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return url.Values{}, nil
	case mediaType == "application/json":
		return flattenJSON(body)
	case mediaType == "multipart/form-data":
		values, _, err := readMultipart(body, mparams["boundary"])
		return values, err
	default:
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("parse form: %w", err)
		}
		return values, nil
	}
}

// flattenJSON turns a JSON object's top-level keys into values: strings as
// they are, anything else as its JSON text.
func flattenJSON(body []byte) (url.Values, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("parse json body: %w", err)
	}
	values := url.Values{}
	for k, raw := range fields {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			values.Set(k, s)
			continue
		}
		values.Set(k, string(raw))
	}
	return values, nil
}

// readMultipart returns a multipart body's plain fields and the content of
// its first file part (nil if there is none).
func readMultipart(body []byte, boundary string) (url.Values, []byte, error) {
	values := url.Values{}
	var file []byte
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return values, file, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read multipart: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("read multipart %q: %w", part.FormName(), err)
		}
		if part.FileName() != "" {
			if file == nil {
				file = data
			}
			continue
		}
		values.Add(part.FormName(), string(data))
	}
}

// splitList splits a comma-separated parameter, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
