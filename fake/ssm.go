package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SSMEncryptedValue is the Value of a SecureString read without
// WithDecryption: obviously not the secret, as AWS returns ciphertext.
const SSMEncryptedValue = "AQICAH-fake-ssm-ciphertext=="

// SSM is a fake AWS SSM Parameter Store speaking the JSON 1.1 protocol
// (GetParametersByPath, GetParameter, GetParameters).
type SSM struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_SSM or ssm.Options.BaseEndpoint.
	URL string
	// PageSize caps the parameters per GetParametersByPath page (default
	// 10, as AWS); a smaller MaxResults wins. Set it before use.
	PageSize int

	srv *httptest.Server

	mu       sync.Mutex
	params   map[string]ssmParam
	requests []SSMRequest
}

// SSMRequest is one request the fake SSM received.
type SSMRequest struct {
	// Target is the X-Amz-Target header, e.g. AmazonSSM.GetParametersByPath.
	Target string
	Body   json.RawMessage
	Header http.Header
}

type ssmParam struct {
	value    string
	secure   bool
	version  int64
	modified time.Time
}

// NewSSM starts a fake SSM server that is closed when the test ends.
func NewSSM(t testing.TB) *SSM {
	t.Helper()
	s := &SSM{PageSize: 10, params: map[string]ssmParam{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Put stores a parameter (a SecureString if secure), bumping its version.
func (s *SSM) Put(name, value string, secure bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.params[name] = ssmParam{
		value: value, secure: secure, version: s.params[name].version + 1, modified: time.Now(),
	}
}

// Requests returns copies of every request received, in arrival order.
func (s *SSM) Requests() []SSMRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SSMRequest, len(s.requests))
	for i, r := range s.requests {
		out[i] = SSMRequest{Target: r.Target, Body: cloneRaw(r.Body), Header: r.Header.Clone()}
	}
	return out
}

// ssmError is an AWS JSON protocol error: HTTP 400 and a __type.
type ssmError struct {
	code, message string
}

func (s *SSM) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeSSMError(w, ssmError{"SerializationException", "fake ssm: read body: " + err.Error()})
		return
	}
	target := r.Header.Get("X-Amz-Target")

	s.mu.Lock()
	s.requests = append(s.requests, SSMRequest{Target: target, Body: body, Header: r.Header.Clone()})
	var (
		out  any
		fail *ssmError
	)
	switch {
	case r.Method != http.MethodPost:
		fail = &ssmError{"InvalidAction", "fake ssm: requests are POST /"}
	case target == "AmazonSSM.GetParametersByPath":
		out, fail = s.getByPathLocked(body)
	case target == "AmazonSSM.GetParameter":
		out, fail = s.getOneLocked(body)
	case target == "AmazonSSM.GetParameters":
		out, fail = s.getManyLocked(body)
	default:
		fail = &ssmError{"InvalidAction", fmt.Sprintf("fake ssm: unsupported action %q", target)}
	}
	s.mu.Unlock()

	if fail != nil {
		writeSSMError(w, *fail)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "fake-request")
	_ = json.NewEncoder(w).Encode(out)
}

func writeSSMError(w http.ResponseWriter, e ssmError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.message})
}

func decodeSSM(body []byte, into any) *ssmError {
	if err := json.Unmarshal(body, into); err != nil {
		return &ssmError{"SerializationException", "fake ssm: decode request: " + err.Error()}
	}
	return nil
}

func (s *SSM) getByPathLocked(body []byte) (any, *ssmError) {
	var in struct {
		Path           string
		Recursive      bool
		WithDecryption bool
		MaxResults     int
		NextToken      string
	}
	if err := decodeSSM(body, &in); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.Path, "/") {
		return nil, &ssmError{"ValidationException", "fake ssm: Path must start with /"}
	}
	prefix := strings.TrimSuffix(in.Path, "/") + "/"
	var names []string
	for name := range s.params {
		rest, ok := strings.CutPrefix(name, prefix)
		if ok && rest != "" && (in.Recursive || !strings.Contains(rest, "/")) {
			names = append(names, name)
		}
	}
	slices.Sort(names)

	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "fake-token-"))
		if err != nil || n < 0 || n > len(names) {
			return nil, &ssmError{"InvalidNextToken", "fake ssm: invalid NextToken"}
		}
		start = n
	}
	size := s.PageSize
	if size <= 0 {
		size = 10
	}
	if in.MaxResults > 0 && in.MaxResults < size {
		size = in.MaxResults
	}
	end := min(start+size, len(names))

	out := map[string]any{"Parameters": s.renderLocked(names[start:end], in.WithDecryption)}
	if end < len(names) {
		out["NextToken"] = fmt.Sprintf("fake-token-%d", end)
	}
	return out, nil
}

func (s *SSM) getOneLocked(body []byte) (any, *ssmError) {
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := decodeSSM(body, &in); err != nil {
		return nil, err
	}
	if _, ok := s.params[in.Name]; !ok {
		return nil, &ssmError{"ParameterNotFound", "fake ssm: parameter " + in.Name + " not found"}
	}
	return map[string]any{"Parameter": s.renderLocked([]string{in.Name}, in.WithDecryption)[0]}, nil
}

func (s *SSM) getManyLocked(body []byte) (any, *ssmError) {
	var in struct {
		Names          []string
		WithDecryption bool
	}
	if err := decodeSSM(body, &in); err != nil {
		return nil, err
	}
	found, invalid := []string{}, []string{}
	for _, name := range in.Names {
		if _, ok := s.params[name]; ok {
			found = append(found, name)
		} else {
			invalid = append(invalid, name)
		}
	}
	return map[string]any{
		"Parameters":        s.renderLocked(found, in.WithDecryption),
		"InvalidParameters": invalid,
	}, nil
}

// renderLocked renders stored parameters in the wire shape of types.Parameter.
func (s *SSM) renderLocked(names []string, decrypt bool) []map[string]any {
	out := make([]map[string]any, 0, len(names))
	for _, name := range names {
		p := s.params[name]
		typ, value := "String", p.value
		if p.secure {
			typ = "SecureString"
			if !decrypt {
				value = SSMEncryptedValue
			}
		}
		out = append(out, map[string]any{
			"Name":             name,
			"Type":             typ,
			"Value":            value,
			"Version":          p.version,
			"LastModifiedDate": float64(p.modified.UnixMilli()) / 1000,
			"ARN":              "arn:aws:ssm:us-east-1:123456789012:parameter/" + strings.TrimPrefix(name, "/"),
			"DataType":         "text",
		})
	}
	return out
}
