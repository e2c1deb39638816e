// Package evals holds the golden questions of `analytics-bot eval`, built
// into the binary so that the command works from any folder.
package evals

import _ "embed"

// Golden is the content of golden.yaml.
//
//go:embed golden.yaml
var Golden []byte

// GoldenPath is where the golden questions live in the repository.
const GoldenPath = "evals/golden.yaml"
