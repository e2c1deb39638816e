package knowledge

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The files of a knowledge folder.
const (
	VerifiedFile = "verified.yaml"
	GlossaryFile = "glossary.yaml"
)

//go:embed verified.yaml glossary.yaml
var builtin embed.FS

// Problem is one broken entry: where it is and what is wrong.
type Problem struct {
	File    string
	Line    int
	ID      string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.ID != "" {
		fmt.Fprintf(&b, ": %s", p.ID)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// Problems is a list of broken entries, as an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "; ")
}

// Load reads the knowledge folder dir, or the built-in demo knowledge
// when dir is empty. A missing file counts as an empty one. Entries with
// problems (unknown keys, missing fields, duplicates) are left out of the
// set and reported; the error is for a folder that cannot be read.
func Load(dir string) (*Set, Problems, error) {
	var fsys fs.FS = builtin
	set := &Set{Source: "built-in"}
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("knowledge folder: %w", err)
		}
		if !info.IsDir() {
			return nil, nil, fmt.Errorf("knowledge folder %s is not a folder", dir)
		}
		fsys, set.Source = os.DirFS(dir), dir
	}
	var problems Problems
	for _, name := range []string{VerifiedFile, GlossaryFile} {
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read knowledge file %s: %w", name, err)
		}
		problems = append(problems, set.parse(name, data)...)
	}
	return set, problems, nil
}

// Parse reads one knowledge file's content into the set; name says which
// file it is (verified.yaml or glossary.yaml).
func (s *Set) parse(name string, data []byte) Problems {
	p := &parser{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Problems{{File: name, Line: yamlErrorLine(err), Message: "not valid YAML: " + yamlErrorText(err)}}
	}
	if len(doc.Content) == 0 {
		return nil // an empty file
	}
	root := doc.Content[0]
	top := map[string]string{VerifiedFile: "verified", GlossaryFile: "terms"}[name]
	fields := p.mapping(root, "", top)
	list, ok := fields[top]
	if !ok {
		if root.Kind == yaml.MappingNode {
			p.add(root.Line, "", fmt.Sprintf("the file needs a top-level key %q with a list of entries", top))
		}
		return p.problems
	}
	if list.Kind != yaml.SequenceNode {
		p.add(list.Line, "", fmt.Sprintf("%q must be a list", top))
		return p.problems
	}
	switch name {
	case VerifiedFile:
		s.Verified = append(s.Verified, p.verified(list.Content)...)
	case GlossaryFile:
		s.Terms = append(s.Terms, p.terms(list.Content)...)
	}
	return p.problems
}

// idPattern keeps ids usable in Slack button values and file names.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)

func (p *parser) verified(nodes []*yaml.Node) []Verified {
	var out []Verified
	seen := map[string]int{}
	for _, n := range nodes {
		before := len(p.problems)
		p.entry = n.Line
		f := p.mapping(n, "", "id", "question", "paraphrases", "sql", "description", "owner")
		v := Verified{File: p.file, Line: n.Line}
		v.ID = p.text(f, "id", v.ID, true)
		v.Question = p.text(f, "question", v.ID, true)
		v.Paraphrases = p.list(f, "paraphrases", v.ID)
		v.SQL = p.text(f, "sql", v.ID, true)
		v.Description = p.text(f, "description", v.ID, false)
		v.Owner = p.text(f, "owner", v.ID, false)
		if v.ID != "" && !idPattern.MatchString(v.ID) {
			p.add(f["id"].Line, v.ID, "an id is lower-case letters, digits, '-', '_' or '.' (at most 100)")
		}
		if line, dup := seen[v.ID]; dup && v.ID != "" {
			p.add(f["id"].Line, v.ID, fmt.Sprintf("duplicate id (first used on line %d)", line))
		} else if v.ID != "" {
			seen[v.ID] = f["id"].Line
		}
		if len(p.problems) == before {
			out = append(out, v)
		}
	}
	return out
}

func (p *parser) terms(nodes []*yaml.Node) []Term {
	var out []Term
	seen := map[string]int{}
	for _, n := range nodes {
		before := len(p.problems)
		p.entry = n.Line
		f := p.mapping(n, "", "term", "synonyms", "definition", "sql")
		t := Term{File: p.file, Line: n.Line}
		t.Term = p.text(f, "term", "", true)
		t.Synonyms = p.list(f, "synonyms", t.Term)
		t.Definition = p.text(f, "definition", t.Term, true)
		t.SQL = p.text(f, "sql", t.Term, false)
		for _, name := range t.Names() {
			key := NormalizeQuestion(name)
			if key == "" {
				continue
			}
			if line, dup := seen[key]; dup {
				p.add(n.Line, t.Term, fmt.Sprintf("duplicate term or synonym %q (first used on line %d)", name, line))
				continue
			}
			seen[key] = n.Line
		}
		if len(p.problems) == before {
			out = append(out, t)
		}
	}
	return out
}

// parser collects problems with the file and line they are on.
type parser struct {
	file     string
	entry    int // the line of the entry being read
	problems Problems
}

func (p *parser) add(line int, id, msg string) {
	p.problems = append(p.problems, Problem{File: p.file, Line: line, ID: id, Message: msg})
}

// mapping returns a mapping node's values by key, reporting keys that are
// not allowed and keys given twice.
func (p *parser) mapping(n *yaml.Node, id string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if id == "" && n.Kind == yaml.MappingNode {
		// Name the entry by its id (or term) in every problem.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; (k == "id" || k == "term") && n.Content[i+1].Kind == yaml.ScalarNode {
				id = strings.TrimSpace(n.Content[i+1].Value)
				break
			}
		}
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, id, "want a mapping of "+strings.Join(allowed, ", "))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(allowed, k.Value):
			p.add(k.Line, id, fmt.Sprintf("unknown key %q (want %s)", k.Value, strings.Join(allowed, ", ")))
		case out[k.Value] != nil:
			p.add(k.Line, id, fmt.Sprintf("key %q given twice", k.Value))
		default:
			out[k.Value] = v
		}
	}
	return out
}

func (p *parser) text(f map[string]*yaml.Node, key, id string, required bool) string {
	n, ok := f[key]
	if !ok || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		if required {
			p.add(p.entry, id, fmt.Sprintf("%q is required", key))
		}
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n.Line, id, fmt.Sprintf("%q must be text", key))
		return ""
	}
	v := strings.TrimSpace(n.Value)
	if v == "" && required {
		p.add(n.Line, id, fmt.Sprintf("%q is empty", key))
	}
	return v
}

func (p *parser) list(f map[string]*yaml.Node, key, id string) []string {
	n, ok := f[key]
	if !ok || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, id, fmt.Sprintf("%q must be a list of text", key))
		return nil
	}
	var out []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || strings.TrimSpace(item.Value) == "" {
			p.add(item.Line, id, fmt.Sprintf("every item of %q must be non-empty text", key))
			continue
		}
		out = append(out, strings.TrimSpace(item.Value))
	}
	return out
}

// yamlLine finds "line N" in yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscanf(m[1], "%d", &n)
	return n
}

func yamlErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}
