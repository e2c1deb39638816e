package tools_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/tools"
)

func TestToolsAreTheFourOfTheInterface(t *testing.T) {
	t.Parallel()
	set := tools.NewSet(tools.Deps{}, thisThread)
	var names []string
	for _, tl := range set.Tools() {
		names = append(names, tl.Name())
		if strings.TrimSpace(tl.Description()) == "" {
			t.Errorf("%s has no description", tl.Name())
		}
	}
	if want := []string{"describe_schema", "run_readonly_sql", "fetch_history", "export_csv"}; !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
}

// jsonSchema is the part of a JSON schema the tools use.
type jsonSchema struct {
	Type                 string                `json:"type"`
	Properties           map[string]jsonSchema `json:"properties"`
	Required             []string              `json:"required"`
	Items                *jsonSchema           `json:"items"`
	Enum                 []any                 `json:"enum"`
	AdditionalProperties *bool                 `json:"additionalProperties"`
	Description          string                `json:"description"`
}

var jsonTypes = []string{"object", "array", "string", "integer", "number", "boolean", "null"}

func checkSchema(t *testing.T, where string, s jsonSchema) {
	t.Helper()
	if !slices.Contains(jsonTypes, s.Type) {
		t.Errorf("%s: type %q is not a JSON schema type", where, s.Type)
	}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok {
			t.Errorf("%s: required %q is not a property", where, r)
		}
	}
	if s.Type == "array" && s.Items == nil {
		t.Errorf("%s: array without items", where)
	}
	if s.Items != nil {
		checkSchema(t, where+".items", *s.Items)
	}
	for name, p := range s.Properties {
		checkSchema(t, where+"."+name, p)
	}
}

func TestParametersAreJSONSchemas(t *testing.T) {
	t.Parallel()
	want := map[string]struct {
		props    map[string]string // property → type
		required []string
	}{
		"describe_schema":  {map[string]string{"tables": "array"}, nil},
		"run_readonly_sql": {map[string]string{"sql": "string"}, []string{"sql"}},
		"fetch_history":    {map[string]string{"limit": "integer"}, nil},
		"export_csv":       {map[string]string{"sql": "string"}, nil},
	}
	for _, tl := range tools.NewSet(tools.Deps{}, thisThread).Tools() {
		raw, err := json.Marshal(tl.Parameters())
		if err != nil {
			t.Fatalf("%s: parameters do not marshal: %v", tl.Name(), err)
		}
		var s jsonSchema
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%s: %v", tl.Name(), err)
		}
		if s.Type != "object" {
			t.Errorf("%s: schema type %q, want object", tl.Name(), s.Type)
		}
		checkSchema(t, tl.Name(), s)
		w := want[tl.Name()]
		for prop, typ := range w.props {
			p, ok := s.Properties[prop]
			if !ok || p.Type != typ {
				t.Errorf("%s: property %s = %+v, want type %s", tl.Name(), prop, p, typ)
			}
			if p.Description == "" {
				t.Errorf("%s: property %s has no description", tl.Name(), prop)
			}
		}
		if !slices.Equal(s.Required, w.required) {
			t.Errorf("%s: required = %v, want %v", tl.Name(), s.Required, w.required)
		}
		if tl.Name() == "describe_schema" && (s.Properties["tables"].Items == nil || s.Properties["tables"].Items.Type != "string") {
			t.Errorf("describe_schema: tables must be an array of strings: %s", raw)
		}
	}
}
