// Package prompts holds every text the model sees, as templates embedded
// into the binary; PROMPTS_DIR loads them from disk instead, for prompt
// work without a rebuild.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"text/template"
)

//go:embed *.tmpl
var embedded embed.FS

// The templates a prompt folder must contain.
const (
	systemFile        = "system.tmpl"
	contextFile       = "context.tmpl"
	historyAnswerFile = "history_answer.tmpl"
)

// Set is a loaded, parsed set of prompt templates.
type Set struct {
	// Source says where the templates came from ("embedded" or a folder).
	Source string
	tmpl   *template.Template
}

// Load parses the prompt templates from dir, or the embedded ones when
// dir is empty.
func Load(dir string) (*Set, error) {
	var fsys fs.FS = embedded
	source := "embedded"
	if dir != "" {
		fsys = os.DirFS(dir)
		source = dir
	}
	tmpl, err := template.New("prompts").Option("missingkey=error").ParseFS(fsys, "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("load prompts from %s: %w", source, err)
	}
	for _, name := range []string{systemFile, contextFile, historyAnswerFile} {
		if tmpl.Lookup(name) == nil {
			return nil, fmt.Errorf("load prompts from %s: %s is missing", source, name)
		}
	}
	return &Set{Source: source, tmpl: tmpl}, nil
}

// SystemData fills the stable system prompt: rules and schema.
type SystemData struct {
	BotName string
	Schema  string
}

// ContextData fills the per-question context that follows the stable part.
type ContextData struct {
	Today        string
	Weekday      string
	Asker        string
	Place        string
	HistoryCount int
}

// HistoryAnswerData fills an earlier answer replayed as an assistant message.
type HistoryAnswerData struct {
	Answer   string
	SQL      string
	RowCount int
}

// System renders the stable system prompt.
func (s *Set) System(d SystemData) (string, error) { return s.render(systemFile, d) }

// Context renders the per-question context.
func (s *Set) Context(d ContextData) (string, error) { return s.render(contextFile, d) }

// HistoryAnswer renders an earlier answer for the conversation memory.
func (s *Set) HistoryAnswer(d HistoryAnswerData) (string, error) {
	return s.render(historyAnswerFile, d)
}

func (s *Set) render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render prompt %s: %w", name, err)
	}
	return string(bytes.TrimSpace(b.Bytes())), nil
}
