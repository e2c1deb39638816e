package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tags a golden question may carry; the report gives the accuracy of each.
const (
	TagAggregation  = "aggregation"
	TagTimeRange    = "time-range"
	TagTopN         = "top-n"
	TagRatio        = "ratio"
	TagComparison   = "comparison"
	TagFollowUp     = "follow-up"
	TagAmbiguous    = "ambiguous"
	TagOutOfScope   = "out-of-scope"
	TagWriteAttempt = "write-attempt"
	TagJoin         = "join"
)

// Tags lists every valid tag, in the order the report shows them.
var Tags = []string{
	TagAggregation, TagTimeRange, TagTopN, TagRatio, TagComparison,
	TagFollowUp, TagAmbiguous, TagOutOfScope, TagWriteAttempt, TagJoin,
}

// Expect names the outcome a question without reference SQL should have.
type Expect string

// The outcomes a question without reference SQL can expect.
const (
	// ExpectClarify: the agent asks a clarifying question instead of querying.
	ExpectClarify Expect = "clarify"
	// ExpectRefuse: the agent declines (out of scope, or a change to data).
	ExpectRefuse Expect = "refuse"
)

// DefaultTolerance is the relative difference under which two numbers are
// equal, unless a question sets its own.
const DefaultTolerance = 1e-6

// Question is one golden question.
type Question struct {
	// ID names the question in reports; "q01", "q02"… when the file has none.
	ID string `yaml:"id" json:"id"`
	// Question is asked as a business user would write it.
	Question string `yaml:"question" json:"question"`
	// SQL holds the reference queries: the agent's result must match one
	// of them. `sql:` is one query, or a list when several answers are
	// right (the name or the id of an author, say).
	SQL References `yaml:"sql" json:"sql,omitempty"`
	// Expect is the outcome of a question that has no reference SQL.
	Expect Expect `yaml:"expect" json:"expect,omitempty"`
	// Tags say what the question exercises.
	Tags []string `yaml:"tags" json:"tags"`
	// Thread groups the questions of one conversation, asked in file order.
	Thread string `yaml:"thread" json:"thread,omitempty"`
	// Tolerance overrides DefaultTolerance for this question's numbers, for
	// answers that may reasonably be rounded (averages, percentages).
	Tolerance float64 `yaml:"tolerance" json:"tolerance,omitempty"`
	// Verified is the id of the verified query that should be retrieved
	// for the question (retrieval recall).
	Verified string `yaml:"verified" json:"verified,omitempty"`
}

// References are the acceptable reference queries of a question.
type References []string

// UnmarshalYAML reads `sql:` as one query (a string) or a list of them.
func (r *References) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = References{n.Value}
		return nil
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		*r = list
		return nil
	}
	return fmt.Errorf("line %d: sql must be a query or a list of queries", n.Line)
}

// MarshalJSON writes one query as a string and several as a list.
func (r References) MarshalJSON() ([]byte, error) {
	if len(r) == 1 {
		return json.Marshal(r[0])
	}
	return json.Marshal([]string(r))
}

// tolerance is the relative tolerance that applies to the question.
func (q Question) tolerance() float64 {
	if q.Tolerance > 0 {
		return q.Tolerance
	}
	return DefaultTolerance
}

// Suite is a validated set of golden questions.
type Suite struct {
	// Source says where the questions came from (a path or "built-in").
	Source    string     `json:"source"`
	Questions []Question `json:"questions"`
}

// goldenFile is the YAML document.
type goldenFile struct {
	Questions []Question `yaml:"questions"`
}

// Load reads and validates a golden file.
func Load(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read golden questions: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes and validates golden questions; source names them in
// errors and reports. Unknown fields are errors, so a typo cannot
// silently drop a reference.
func Parse(data []byte, source string) (*Suite, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f goldenFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("golden questions %s: %w", source, err)
	}
	s := &Suite{Source: source, Questions: f.Questions}
	for i := range s.Questions {
		q := &s.Questions[i]
		q.ID = strings.TrimSpace(q.ID)
		if q.ID == "" {
			q.ID = fmt.Sprintf("q%02d", i+1)
		}
		for j := range q.SQL {
			q.SQL[j] = strings.TrimSpace(q.SQL[j])
		}
		q.Question = strings.TrimSpace(q.Question)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("golden questions %s: %w", source, err)
	}
	return s, nil
}

// Validate reports every problem of the suite at once, naming the entry.
func (s *Suite) Validate() error {
	var problems []error
	if len(s.Questions) == 0 {
		return errors.New("no questions (the file needs a top-level questions: list)")
	}
	seen := make(map[string]int, len(s.Questions))
	for i, q := range s.Questions {
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Errorf("question %d (%s): %s", i+1, q.ID, fmt.Sprintf(format, args...)))
		}
		if first, dup := seen[q.ID]; dup {
			bad("id is also used by question %d", first+1)
		}
		seen[q.ID] = i
		if q.Question == "" {
			bad("question is empty")
		}
		if slices.Contains(q.SQL, "") {
			bad("has an empty reference query")
		}
		switch {
		case len(q.SQL) == 0 && q.Expect == "":
			bad("needs either sql (the reference query) or expect (clarify or refuse)")
		case len(q.SQL) != 0 && q.Expect != "":
			bad("has both sql and expect; a question with expected behaviour has no reference query")
		case q.Expect != "" && q.Expect != ExpectClarify && q.Expect != ExpectRefuse:
			bad("expect is %q; want clarify or refuse", q.Expect)
		}
		for _, tag := range q.Tags {
			if !slices.Contains(Tags, tag) {
				bad("unknown tag %q; the tags are %s", tag, strings.Join(Tags, ", "))
			}
		}
		if slices.Contains(q.Tags, TagFollowUp) && q.Thread == "" {
			bad("is tagged follow-up but has no thread")
		}
		for _, tag := range []string{TagAmbiguous, TagOutOfScope, TagWriteAttempt} {
			if slices.Contains(q.Tags, tag) && q.Expect == "" {
				bad("is tagged %s but says nothing in expect", tag)
			}
		}
		if q.Tolerance < 0 || q.Tolerance >= 1 {
			bad("tolerance %v is not a relative tolerance in [0, 1)", q.Tolerance)
		}
	}
	return errors.Join(problems...)
}

// Threads groups the questions into conversations: the questions sharing a
// thread, in file order, and every other question on its own. Groups come
// in the order of their first question.
func (s *Suite) Threads() [][]int {
	var groups [][]int
	byThread := map[string]int{}
	for i, q := range s.Questions {
		if q.Thread == "" {
			groups = append(groups, []int{i})
			continue
		}
		g, ok := byThread[q.Thread]
		if !ok {
			g = len(groups)
			byThread[q.Thread] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}
