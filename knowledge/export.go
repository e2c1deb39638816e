package knowledge

import (
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// WriteVerified writes verified queries in verified.yaml's format.
func WriteVerified(w io.Writer, list []Verified) error {
	type entry struct {
		ID          string   `yaml:"id"`
		Question    string   `yaml:"question"`
		Paraphrases []string `yaml:"paraphrases,omitempty,flow"`
		SQL         string   `yaml:"sql"`
		Description string   `yaml:"description,omitempty"`
		Owner       string   `yaml:"owner,omitempty"`
	}
	doc := struct {
		Verified []entry `yaml:"verified"`
	}{Verified: []entry{}}
	for _, v := range list {
		sql := strings.TrimSpace(v.SQL)
		if strings.Contains(sql, "\n") {
			sql += "\n" // a literal block keeps the lines
		}
		doc.Verified = append(doc.Verified, entry{v.ID, v.Question, v.Paraphrases, sql, v.Description, v.Owner})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write verified queries: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write verified queries: %w", err)
	}
	return nil
}
