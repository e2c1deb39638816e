package knowledge

// Verified is a verified query: a question a person has checked the SQL
// of.
type Verified struct {
	// ID names the entry; unique across the whole set.
	ID string `json:"id"`
	// Question is the question the SQL answers.
	Question string `json:"question"`
	// Paraphrases are other wordings of the same question.
	Paraphrases []string `json:"paraphrases,omitempty"`
	// SQL answers the question: one row-returning statement.
	SQL string `json:"sql"`
	// Description says in words what the SQL counts (optional).
	Description string `json:"description,omitempty"`
	// Owner is the person to ask about the entry, often a Slack user id.
	Owner string `json:"owner,omitempty"`

	// File and Line locate the entry in its YAML file; empty for entries
	// approved in Slack.
	File string `json:"-"`
	Line int    `json:"-"`
}

// Label is how an answer names the entry: its description, else its
// question.
func (v Verified) Label() string {
	if v.Description != "" {
		return v.Description
	}
	return v.Question
}

// Term is a business term of the glossary.
type Term struct {
	// Term is the name people use.
	Term string `json:"term"`
	// Synonyms are other names of the same thing.
	Synonyms []string `json:"synonyms,omitempty"`
	// Definition says what the term means, in words.
	Definition string `json:"definition"`
	// SQL is the expression or filter that implements it (optional).
	SQL string `json:"sql,omitempty"`

	File string `json:"-"`
	Line int    `json:"-"`
}

// Names is the term followed by its synonyms.
func (t Term) Names() []string { return append([]string{t.Term}, t.Synonyms...) }

// Set is a loaded knowledge folder.
type Set struct {
	// Source says where the set came from: "built-in", a folder, or "none".
	Source   string
	Verified []Verified
	Terms    []Term
}

// Empty is the set with no knowledge at all (eval --knowledge none).
func Empty() *Set { return &Set{Source: "none"} }
