package access

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is a parsed access file.
type File struct {
	// Roles are the data roles, in the file's order.
	Roles []Role
	// Rules map Slack channels, users and user groups to roles; the first
	// match wins.
	Rules []Rule
	// Default is the role of everyone no rule names (the read-only role).
	Default string
}

// Role is one data role: a PostgreSQL login role and what it may read.
type Role struct {
	Name string
	// Schemas are granted USAGE and SELECT on their tables and views.
	Schemas []string
	// Tables, when set, narrows SELECT to these schema.table names.
	Tables []string
	Line   int
}

// Rule maps channels, users and user groups to a role.
type Rule struct {
	Channels   []string
	Users      []string
	Usergroups []string
	Role       string
	Line       int
}

// Problem is one thing wrong in an access file, with its line.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// Problems is every problem found in a file.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and validates the access file at path. defaultRole is
// POSTGRES_READONLY_USER, the role of everyone no rule names, and owner is
// POSTGRES_USER, which no data role may be. A file with problems returns
// them all as Problems.
func Load(path, defaultRole, owner string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, defaultRole, owner)
}

// Parse validates an access file's content; name is used in problems.
func Parse(name string, data []byte, defaultRole, owner string) (*File, error) {
	var raw struct {
		Roles []struct {
			Name    string   `yaml:"name"`
			Schemas []string `yaml:"schemas"`
			Tables  []string `yaml:"tables"`
		} `yaml:"roles"`
		Rules []struct {
			Channels   []string `yaml:"channels"`
			Users      []string `yaml:"users"`
			Usergroups []string `yaml:"usergroups"`
			Role       string   `yaml:"role"`
		} `yaml:"rules"`
		Default string `yaml:"default"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var keyProblems Problems
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Problems{yamlProblem(name, err)}
		}
		// Unknown keys and misplaced values: the rest of the file was
		// still read, so its own problems are reported with them.
		for _, msg := range te.Errors {
			line, text := splitLine(msg)
			keyProblems = append(keyProblems, Problem{File: name, Line: line, Message: text})
		}
	}
	// A second pass over the node tree gives each role and rule its line.
	var doc yaml.Node
	_ = yaml.Unmarshal(data, &doc)
	roleLines, ruleLines := entryLines(&doc, "roles"), entryLines(&doc, "rules")

	f := &File{Default: strings.TrimSpace(raw.Default)}
	p := &checker{file: name, problems: keyProblems}
	if f.Default == "" {
		f.Default = defaultRole
	}
	known := map[string]int{}
	for i, r := range raw.Roles {
		role := Role{Name: strings.TrimSpace(r.Name), Schemas: trimAll(r.Schemas), Tables: trimAll(r.Tables), Line: at(roleLines, i)}
		p.role(role, known, defaultRole, owner)
		if role.Name != "" {
			if _, dup := known[role.Name]; !dup {
				known[role.Name] = role.Line
			}
		}
		f.Roles = append(f.Roles, role)
	}
	if f.Default != defaultRole {
		if _, ok := known[f.Default]; !ok {
			p.add(0, fmt.Sprintf("default role %q is neither POSTGRES_READONLY_USER (%s) nor a role listed under roles", f.Default, defaultRole))
		}
	}
	channels := map[string]int{}
	for i, r := range raw.Rules {
		rule := Rule{Channels: trimAll(r.Channels), Users: trimAll(r.Users), Usergroups: trimAll(r.Usergroups),
			Role: strings.TrimSpace(r.Role), Line: at(ruleLines, i)}
		p.rule(rule, known, f.Default, defaultRole, channels)
		f.Rules = append(f.Rules, rule)
	}
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
		return nil, p.problems
	}
	return f, nil
}

// RoleNamed returns the data role called name; the default read-only role,
// which is not listed, comes back with no schemas of its own.
func (f *File) RoleNamed(name string) (Role, bool) {
	for _, r := range f.Roles {
		if r.Name == name {
			return r, true
		}
	}
	return Role{}, false
}

type checker struct {
	file     string
	problems Problems
}

func (c *checker) add(line int, msg string) {
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Message: msg})
}

func (c *checker) role(r Role, known map[string]int, defaultRole, owner string) {
	switch {
	case r.Name == "":
		c.add(r.Line, "a role needs a name")
		return
	case !validRoleName(r.Name):
		c.add(r.Line, fmt.Sprintf("role name %q: want a lower-case PostgreSQL role name (letters, digits, _)", r.Name))
	case r.Name == owner:
		c.add(r.Line, fmt.Sprintf("role %q is POSTGRES_USER, the bot's own role, which owns its private tables; give the data role a name of its own", r.Name))
	case r.Name == defaultRole:
		c.add(r.Line, fmt.Sprintf("role %q is POSTGRES_READONLY_USER, which ANALYTICS_SCHEMAS already configures; list only the other data roles", r.Name))
	}
	if line, dup := known[r.Name]; dup {
		c.add(r.Line, fmt.Sprintf("role %q is listed twice (first on line %d)", r.Name, line))
	}
	if len(r.Schemas) == 0 {
		c.add(r.Line, fmt.Sprintf("role %q needs at least one schema", r.Name))
	}
	for _, s := range r.Schemas {
		if s == "analytics_bot" || s == "information_schema" || strings.HasPrefix(s, "pg_") {
			c.add(r.Line, fmt.Sprintf("role %q: schema %q is not analytics data and is never readable", r.Name, s))
		}
	}
	for _, t := range r.Tables {
		schema, table, ok := strings.Cut(t, ".")
		switch {
		case !ok || schema == "" || table == "":
			c.add(r.Line, fmt.Sprintf("role %q: table %q must be written schema.table", r.Name, t))
		case !slices.Contains(r.Schemas, schema):
			c.add(r.Line, fmt.Sprintf("role %q: table %q is not in one of the role's schemas (%s)", r.Name, t, strings.Join(r.Schemas, ", ")))
		}
	}
}

func (c *checker) rule(r Rule, known map[string]int, fileDefault, defaultRole string, channels map[string]int) {
	if len(r.Channels)+len(r.Users)+len(r.Usergroups) == 0 {
		c.add(r.Line, "a rule needs channels, users or usergroups")
	}
	if r.Role == "" {
		c.add(r.Line, "a rule needs a role")
	} else if _, ok := known[r.Role]; !ok && r.Role != defaultRole && r.Role != fileDefault {
		c.add(r.Line, fmt.Sprintf("rule names role %q, which is not listed under roles", r.Role))
	}
	for _, ch := range r.Channels {
		if line, dup := channels[ch]; dup {
			c.add(r.Line, fmt.Sprintf("channel %s is mapped twice (first on line %d); one channel has one role", ch, line))
			continue
		}
		channels[ch] = r.Line
	}
}

func validRoleName(v string) bool {
	if v == "" || len(v) > 63 {
		return false
	}
	for i, r := range v {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

func trimAll(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// entryLines returns the line of each item of the top-level list key.
func entryLines(doc *yaml.Node, key string) []int {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.SequenceNode {
			var lines []int
			for _, item := range m.Content[i+1].Content {
				lines = append(lines, item.Line)
			}
			return lines
		}
	}
	return nil
}

func at(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

// yamlProblem turns a YAML error ("yaml: line 4: …" or a type error
// listing "line 7: field x not found") into a problem with its line.
func yamlProblem(name string, err error) Problem {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		line, msg := splitLine(te.Errors[0])
		if len(te.Errors) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(te.Errors)-1)
		}
		return Problem{File: name, Line: line, Message: msg}
	}
	line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
	return Problem{File: name, Line: line, Message: msg}
}

func splitLine(s string) (int, string) {
	var line int
	if n, _ := fmt.Sscanf(s, "line %d:", &line); n == 1 {
		_, rest, _ := strings.Cut(s, ":")
		rest = strings.TrimSpace(rest)
		// "field x not found in type struct {…}" names Go types.
		if field, ok := strings.CutPrefix(rest, "field "); ok {
			if key, _, found := strings.Cut(field, " not found in type"); found {
				return line, fmt.Sprintf("unknown key %q (allowed: roles: name, schemas, tables; rules: channels, users, usergroups, role; default)", key)
			}
		}
		if before, _, found := strings.Cut(rest, " into "); found {
			rest = before + " where another kind of value belongs"
		}
		return line, rest
	}
	return 0, s
}

// Askers says who may use role: the users and user groups that rules with
// users or user groups name for it, or open when no such rule names it
// (the default role, a regional channel's role), so everyone may.
func (f *File) Askers(role string) (users, groups []string, open bool) {
	if role == f.Default {
		return nil, nil, true
	}
	for _, r := range f.Rules {
		if r.Role == role {
			users = append(users, r.Users...)
			groups = append(groups, r.Usergroups...)
		}
	}
	return users, groups, len(users)+len(groups) == 0
}
